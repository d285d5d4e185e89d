package segment

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/document"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/page"
	"github.com/cdp-dev/cdp/internal/profile"
)

// Settings are the workspace settings computed values depend on.
type Settings struct {
	OrderTypes      []string
	OfflineChannels []string
	RFMWindowDays   int
}

// Profiles is what the service needs of the profile store: pages of live
// profiles and those due for re-evaluation.
type Profiles interface {
	List(ctx context.Context, ws auth.Workspace, f profile.Filter, after string, limit int) ([]*profile.Profile, error)
	// Each hands fn every live profile of the workspace, size at a time,
	// read in one pass in no particular order.
	Each(ctx context.Context, ws auth.Workspace, size int, fn func([]*profile.Profile) error) error
	Count(ctx context.Context, ws auth.Workspace, f profile.Filter) (int64, error)
	// Due returns up to limit live profiles of any workspace whose
	// Reevaluate time is at or before now.
	Due(ctx context.Context, now time.Time, limit int) ([]*profile.Profile, error)
	// Workspaces returns the workspaces that have profiles.
	Workspaces(ctx context.Context) ([]auth.Workspace, error)
}

// Deps are what a Service is built from.
type Deps struct {
	Store       Store
	Profiles    *profile.Service
	ProfileList Profiles
	Events      *event.Service
	Settings    func(ctx context.Context, ws auth.Workspace) (Settings, error)
	Publish     func(c Change)
	NewID       func() string
	Now         func() time.Time
	Logger      *slog.Logger
	// Private says this process alone uses the store, so what it caches
	// never goes stale; otherwise cached rules are reloaded every Refresh.
	Private bool
	// SweepEvery is how often lapsed time windows are re-evaluated and
	// RFMEvery how often RFM quintiles are recomputed (defaults 1m and 1h).
	SweepEvery time.Duration
	RFMEvery   time.Duration
}

// Service manages segments and keeps their membership current.
type Service struct {
	d      Deps
	mu     sync.Mutex
	states map[auth.Workspace]*state
	builds chan job
	// naming serializes creates and renames, so that names stay unique.
	naming sync.Mutex
	// rfmRuns runs one RFM recomputation per workspace at a time.
	rfmRuns singleflight.Group
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// refresh is how long a workspace's cached rules live when other
// processes may change them.
const refresh = 10 * time.Second

// state is a workspace's compiled rules, cached.
type state struct {
	segs     []*Segment
	rules    *profile.FoldRules
	rfm      *RFMState
	settings Settings
	loaded   time.Time
}

// NewService returns a running Service; Close stops it.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.SweepEvery <= 0 {
		d.SweepEvery = time.Minute
	}
	if d.RFMEvery <= 0 {
		d.RFMEvery = time.Hour
	}
	s := &Service{d: d, states: map[auth.Workspace]*state{}, builds: make(chan job, 1024)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Start resumes unfinished builds and starts the background work: builds,
// the sweep of lapsed windows and the periodic RFM recomputation.
func (s *Service) Start(ctx context.Context) error {
	segs, err := s.d.Store.Building(ctx)
	if err != nil {
		return err
	}
	s.wg.Add(3)
	go func() { defer s.wg.Done(); s.builder() }()
	go func() { defer s.wg.Done(); s.every(s.d.SweepEvery, s.sweep) }()
	go func() { defer s.wg.Done(); s.every(s.d.RFMEvery, s.recomputeAll) }()
	for _, seg := range segs {
		s.builds <- job{seg: seg, recount: len(seg.Rule.Events()) > 0}
	}
	return nil
}

// Close stops the background work; an unfinished build resumes at the next
// start.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// state returns the workspace's rules, loading them when not cached.
func (s *Service) state(ctx context.Context, ws auth.Workspace) (*state, error) {
	s.mu.Lock()
	st := s.states[ws]
	s.mu.Unlock()
	if st != nil && (s.d.Private || time.Since(st.loaded) < refresh) {
		return st, nil
	}
	return s.reload(ctx, ws)
}

// reload reads the workspace's segments, settings and RFM state.
func (s *Service) reload(ctx context.Context, ws auth.Workspace) (*state, error) {
	segs, err := s.d.Store.List(ctx, ws)
	if err != nil {
		return nil, err
	}
	set, err := s.d.Settings(ctx, ws)
	if err != nil {
		return nil, err
	}
	r, err := s.d.Store.RFM(ctx, ws)
	if err != nil {
		return nil, err
	}
	st := &state{segs: segs, rfm: r, settings: set, loaded: time.Now()}
	st.rules = &profile.FoldRules{OrderTypes: set.OrderTypes, Offline: set.OfflineChannels}
	seen := map[string]bool{}
	for _, seg := range segs {
		seg.Rule.prepare()
		for _, e := range seg.Rule.Events() {
			if k := e.Key(); !seen[k] {
				seen[k] = true
				st.rules.Conditions = append(st.rules.Conditions, profile.Condition{Key: k, Match: e.matcher()})
			}
		}
	}
	s.mu.Lock()
	s.states[ws] = st
	s.mu.Unlock()
	return st, nil
}

// matcher returns the test of an event against the condition.
func (e *EventCond) matcher() func(profile.Fact) bool {
	return func(f profile.Fact) bool {
		if f.Type != e.Type || (e.Channel != "" && f.Channel != e.Channel) {
			return false
		}
		for _, w := range e.Where {
			v, ok := lookup(f.Properties, w.Path)
			if !match(w, v, ok) {
				return false
			}
		}
		return true
	}
}

// FoldRules returns what the workspace's computed values depend on.
func (s *Service) FoldRules(ctx context.Context, ws auth.Workspace) (*profile.FoldRules, error) {
	st, err := s.state(ctx, ws)
	if err != nil {
		return nil, err
	}
	return st.rules, nil
}

// Invalidate forgets the workspace's cached rules (its settings changed).
func (s *Service) Invalidate(ws auth.Workspace) {
	s.mu.Lock()
	delete(s.states, ws)
	s.mu.Unlock()
}

// Input is what a client sends to create or change a segment.
type Input struct {
	Name        string
	Description string
	Rule        *Node
}

func (in Input) check() error {
	if strings.TrimSpace(in.Name) == "" || len(in.Name) > 200 {
		return errs.New(errs.BadInput, "name: 1 to 200 characters").WithField("name")
	}
	if len(in.Description) > 2000 {
		return errs.New(errs.BadInput, "description: at most 2,000 characters").WithField("description")
	}
	return Validate(in.Rule)
}

// Create stores a segment and starts building its membership.
func (s *Service) Create(ctx context.Context, ws auth.Workspace, in Input) (*Segment, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	s.naming.Lock()
	defer s.naming.Unlock()
	if err := s.nameFree(ctx, ws, "", in.Name); err != nil {
		return nil, err
	}
	now := s.d.Now().UTC().Truncate(time.Millisecond)
	seg := &Segment{ID: s.d.NewID(), Workspace: ws, Name: strings.TrimSpace(in.Name), Description: in.Description,
		Rule: in.Rule, Status: Building, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.d.Store.Insert(ctx, seg); err != nil {
		return nil, err
	}
	return seg, s.changed(ctx, job{seg: seg, recount: len(seg.Rule.Events()) > 0})
}

// Update replaces a segment's name, description and rule, and rebuilds its
// membership.
func (s *Service) Update(ctx context.Context, ws auth.Workspace, id string, in Input) (*Segment, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	s.naming.Lock()
	defer s.naming.Unlock()
	seg, err := s.Get(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	if err := s.nameFree(ctx, ws, id, in.Name); err != nil {
		return nil, err
	}
	seg.Name, seg.Description, seg.Rule = strings.TrimSpace(in.Name), in.Description, in.Rule
	seg.Status, seg.Version, seg.UpdatedAt = Building, seg.Version+1, s.d.Now().UTC().Truncate(time.Millisecond)
	if err := s.d.Store.Replace(ctx, seg); err != nil {
		return nil, err
	}
	return seg, s.changed(ctx, job{seg: seg, recount: len(seg.Rule.Events()) > 0})
}

// nameFree refuses a name another segment of the workspace than self
// carries, ignoring case and surrounding spaces: a client retrying a
// create whose answer it lost gets CONFLICT, not a second segment.
func (s *Service) nameFree(ctx context.Context, ws auth.Workspace, self, name string) error {
	segs, err := s.d.Store.List(ctx, ws)
	if err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	for _, x := range segs {
		if x.ID != self && strings.EqualFold(x.Name, name) {
			return errs.Newf(errs.Conflict, "a segment named %q exists: %s", document.Clip(name), x.ID).WithField("input.name")
		}
	}
	return nil
}

// Delete removes a segment; its members leave it as the build of the
// workspace rewrites them.
func (s *Service) Delete(ctx context.Context, ws auth.Workspace, id string) error {
	if err := s.d.Store.Delete(ctx, ws, id); err != nil {
		return err
	}
	return s.changed(ctx, job{seg: &Segment{ID: id, Workspace: ws}})
}

// SettingsChanged recounts every profile of the workspace from its events
// under the workspace's new settings (order types, offline channels).
func (s *Service) SettingsChanged(ctx context.Context, ws auth.Workspace) error {
	return s.changed(ctx, job{seg: &Segment{Workspace: ws}, recount: true})
}

// job is a queued build: the segment (its rule nil when it was deleted, or
// for a whole workspace) and whether tallies are counted from the events.
type job struct {
	seg     *Segment
	recount bool
}

// changed reloads the workspace's rules, so that writes evaluate the new
// rule from now on, then queues the build over existing profiles.
func (s *Service) changed(ctx context.Context, j job) error {
	if _, err := s.reload(ctx, j.seg.Workspace); err != nil {
		return err
	}
	select {
	case s.builds <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Get returns a segment.
func (s *Service) Get(ctx context.Context, ws auth.Workspace, id string) (*Segment, error) {
	segs, err := s.d.Store.List(ctx, ws)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(segs, func(x *Segment) bool { return x.ID == id })
	if i < 0 {
		return nil, ErrNotFound
	}
	return segs[i], nil
}

// List returns the workspace's segments.
func (s *Service) List(ctx context.Context, ws auth.Workspace) ([]*Segment, error) {
	return s.d.Store.List(ctx, ws)
}

// Size counts the segment's members.
func (s *Service) Size(ctx context.Context, ws auth.Workspace, id string) (int64, error) {
	return s.d.ProfileList.Count(ctx, ws, profile.Filter{Segment: id})
}

// Members returns a page of the segment's members; NOT_FOUND for a
// segment that does not exist.
func (s *Service) Members(ctx context.Context, ws auth.Workspace, id string, in profile.ListInput) (page.Page[*profile.Profile], error) {
	if _, err := s.Get(ctx, ws, id); err != nil {
		return page.Page[*profile.Profile]{}, err
	}
	in.Segment = id
	return s.d.Profiles.List(ctx, ws, in)
}

// Preview is a rule's match count and a sample of its matches.
type Preview struct {
	Count  int64
	Sample []*profile.Profile
}

// Preview evaluates a rule over the workspace's profiles without saving
// it. Event conditions the workspace does not tally yet are counted from
// the stored events.
// sample is how many matches to return (nil: 10; at most 100).
func (s *Service) Preview(ctx context.Context, ws auth.Workspace, rule *Node, sample *int) (Preview, error) {
	n := 10
	if sample != nil {
		n = *sample
	}
	if n < 0 || n > 100 {
		return Preview{}, errs.New(errs.BadInput, "sample: 0 to 100").WithField("sample")
	}
	if err := Validate(rule); err != nil {
		return Preview{}, err
	}
	rule.prepare()
	st, err := s.state(ctx, ws)
	if err != nil {
		return Preview{}, err
	}
	rules := previewRules(st.rules, rule)
	tallied := len(rules.Conditions) == len(st.rules.Conditions)
	var out Preview
	err = s.eachPage(ctx, ws, func(ps []*profile.Profile) error {
		var fresh []profile.Computed
		if !tallied { // a new event condition: count it from the events
			if fresh, err = s.recompute(ctx, ws, ps, rules); err != nil {
				return err
			}
		}
		now := s.d.Now()
		for i, p := range ps {
			c := *p
			if fresh != nil {
				c.Computed = fresh[i]
			}
			if ok, _ := Eval(rule, &c, now); ok {
				out.Count++
				if len(out.Sample) < n {
					out.Sample = append(out.Sample, p)
				}
			}
		}
		return nil
	})
	return out, err
}

// previewRules are the workspace's rules with the preview's event
// conditions added.
func previewRules(base *profile.FoldRules, rule *Node) *profile.FoldRules {
	r := *base
	r.Conditions = slices.Clone(base.Conditions)
	for _, e := range rule.Events() {
		k := e.Key()
		if !slices.ContainsFunc(r.Conditions, func(c profile.Condition) bool { return c.Key == k }) {
			r.Conditions = append(r.Conditions, profile.Condition{Key: k, Match: e.matcher()})
		}
	}
	return &r
}

// logError logs background failures (they are retried).
func (s *Service) logError(msg string, err error) {
	if s.d.Logger != nil && !errors.Is(err, context.Canceled) {
		s.d.Logger.Warn(msg, "err", err)
	}
}
