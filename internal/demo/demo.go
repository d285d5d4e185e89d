package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Options configure a seeding run.
type Options struct {
	URL       string // the GraphQL endpoint, e.g. http://127.0.0.1:8080/graphql
	Token     string // a bearer token with profiles:read, profiles:write and events:write; admin and segments:write for the rest
	Seed      uint64 // the data's seed; the same seed gives the same customers and messageIds
	Customers int    // how many people to generate
	Now       time.Time
	Workers   int          // concurrent calls; 2 when 0
	Log       io.Writer    // progress lines; nil for none
	HTTP      *http.Client // defaults to one without a timeout
}

// Report is what a seeding run did.
type Report struct {
	Customers        int // people generated
	ProfileItems     int // upsertProfiles items sent
	ProfilesCreated  int // items that created a profile
	Merges           int // profiles absorbed by identity resolution
	ExpectedProfiles int // profiles the data should resolve to
	ProfilesBefore   int // profiles in the workspace before the run (-1 when unknown)
	Profiles         int // profiles in the workspace afterwards (-1 when unknown)
	Events           int // events sent
	Accepted         int // events stored
	Duplicates       int // events already stored by an earlier run
	FoldDrained      bool
	RFM              error           // nil when recomputeRfm ran
	Segments         []SegmentResult // created (or found) segments
	SegmentsErr      error           // why segments were not (all) created
	Personas         map[Persona]int
	Example          Identity // an omnichannel champion's member id, to look up
	Elapsed          time.Duration
}

// Seed builds the dataset and loads it: profiles (first what each channel
// knows, then the links that merge them), events, then, once the fold has
// caught up, recomputeRfm and the demo segments. A server without
// recomputeRfm or createSegment yet is reported in the Report, not failed.
func Seed(ctx context.Context, o Options) (Report, error) {
	start := time.Now()
	o = o.withDefaults()
	ds := Build(o.Seed, o.Customers, o.Now)
	rep := newReport(ds)
	c := &client{url: o.URL, token: o.Token, http: o.HTTP}
	var ge *GraphQLError
	switch err := c.do(ctx, `{ __typename }`, nil, nil); {
	case errors.As(err, &ge):
		return rep, fmt.Errorf("cdp at %s: %w", o.URL, err)
	case err != nil:
		return rep, fmt.Errorf("cannot reach cdp at %s (is `go run .` serving?): %w", o.URL, err)
	}
	rep.ProfilesBefore = c.profileCountOr(ctx, -1)
	if err := load(ctx, c, o, ds, &rep); err != nil {
		return rep, err
	}
	rep.FoldDrained = c.waitForFold(ctx, o.logf)
	rep.RFM = c.recomputeRfm(ctx)
	rep.Segments, rep.SegmentsErr = c.createSegments(ctx)
	if rep.SegmentsErr == nil {
		rep.Segments = c.waitForSegments(ctx, rep.Segments, o.logf)
	}
	rep.Profiles = c.profileCountOr(ctx, -1)
	rep.Elapsed = time.Since(start)
	return rep, ctx.Err()
}

// newReport starts the report of a run that sends ds.
func newReport(ds Dataset) Report {
	rep := Report{Customers: len(ds.Customers), ProfileItems: len(ds.First) + len(ds.Links), Events: len(ds.Events),
		ExpectedProfiles: ds.ExpectedProfiles(), Personas: map[Persona]int{}}
	for _, c := range ds.Customers {
		rep.Personas[c.Persona]++
		if rep.Example.Value == "" && c.Persona == Champion && c.BuysOnline && c.BuysOffline {
			rep.Example = Identity{"member_id", c.MemberID} // the richest profile to look at
		}
	}
	if rep.Example.Value == "" && len(ds.First) > 0 {
		rep.Example = ds.First[0].Identities[0]
	}
	return rep
}

// load sends the profiles, pass by pass, then the events.
func load(ctx context.Context, c *client, o Options, ds Dataset, rep *Report) error {
	var ut upsertTally
	for _, pass := range []struct {
		what string
		ins  []ProfileInput
	}{{"profile records", ds.First}, {"links between channels", ds.Links}} {
		if err := c.upsert(ctx, pass.ins, o.Workers, &ut, o.progress(pass.what, len(pass.ins))); err != nil {
			return err
		}
	}
	rep.ProfilesCreated, rep.Merges = int(ut.created.Load()), int(ut.merged.Load())
	var tt trackTally
	err := c.track(ctx, ds.Events, o.Workers, &tt, o.progress("events", len(ds.Events)))
	rep.Accepted, rep.Duplicates = int(tt.accepted.Load()), int(tt.duplicates.Load())
	return err
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{} // no timeout: a busy server is slow, not gone; ctx stops the run
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	return o
}

// progress returns a func that logs how many of n items were sent.
func (o Options) progress(what string, n int) func(int) {
	var mu sync.Mutex // batches end on several goroutines
	return func(done int) {
		mu.Lock()
		defer mu.Unlock()
		o.logf("%s: %d of %d sent", what, done, n)
	}
}

func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", args...)
	}
}

// Unsupported reports whether err says the server lacks the feature.
func Unsupported(err error) bool { return errors.Is(err, errUnsupported) }
