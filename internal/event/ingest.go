package event

import (
	"context"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/document"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/identity"
)

// Input is one event as a client sends it.
type Input struct {
	MessageID  string
	Type       string
	Channel    string
	Identities []identity.RawIdentity
	Properties map[string]any
	Timestamp  *time.Time
}

// Result is the outcome of a trackEvents call.
type Result struct {
	Accepted   int
	Duplicates int
	Errors     []*errs.Error // each carries the item's Index
	Warnings   []ItemWarning
}

// ItemWarning is a warning about one item of a batch.
type ItemWarning struct {
	Index int
	identity.Warning
}

// Wait says when a trackEvents call answers.
type Wait int

const (
	// WaitApplied answers once the events are folded into their profiles:
	// a read that follows sees them.
	WaitApplied Wait = iota
	// WaitStored answers once the events are durably stored; the fold
	// follows within milliseconds.
	WaitStored
)

// Track stores a batch of events. Invalid items are reported by index and the
// valid ones are stored; a repeated messageId is counted as a duplicate. With
// WaitStored it answers once they are stored, with WaitApplied once they are
// folded into their profiles. An error return means the events may be stored
// but not answered for: retrying the same batch is safe. The caller makes
// them durable (Store.Sync) before it answers: the GraphQL transport does
// so for every mutation, so a trackEvents call costs one flush, shared
// with the calls in flight, like any other mutation.
func (s *Service) Track(ctx context.Context, ws auth.Workspace, actor string, ins []Input, wait Wait) (Result, error) {
	var res Result
	evs, at, _, err := s.accept(ctx, ws, actor, ins, identity.MaxBatch, &res)
	if err != nil || len(evs) == 0 {
		return res, err
	}
	if err := s.fold.admit(ctx, len(evs)); err != nil {
		return res, err
	}
	c := s.commit(ctx, evs)
	s.fold.release(len(evs))
	if c.err != nil {
		return res, c.err
	}
	res.Accepted = len(evs) - count(c.dup)
	res.Duplicates += count(c.dup)
	if wait == WaitStored {
		return res, nil
	}
	waits, err := s.earlier(ctx, ws, evs, c.dup)
	if err != nil {
		return res, err
	}
	if err := s.fold.await(ctx, append(waits, c.pending)); err != nil {
		return res, err
	}
	for i, e := range evs {
		for _, w := range c.pending.warnings(e.ID) {
			res.Warnings = append(res.Warnings, ItemWarning{Index: at[i], Warning: w})
		}
	}
	return res, nil
}

// MaxAppend is the most rows one Append takes: a bulk import's chunk. Its
// fixed costs (the batch mark, the inserts of events, claims and new
// profiles, the job's checkpoint) are spread over more rows than an API
// call's.
const MaxAppend = 4000

// Append stores rows of a bulk import under the batch id the caller names,
// once there is room in the fold backlog, and queues them for folding. It
// answers once they are stored; Folded tells when they are folded. Storing
// the same batch again reports its events as duplicates. Customers seen for
// the first time are created in bulk with their events already folded (see
// newcomers), so a fresh customer costs no profile write of its own.
func (s *Service) Append(ctx context.Context, ws auth.Workspace, actor, batch string, ins []Input) (Result, error) {
	var res Result
	evs, _, set, err := s.accept(ctx, ws, actor, ins, MaxAppend, &res)
	if err != nil || len(evs) == 0 {
		return res, err
	}
	if err := s.fold.admit(ctx, len(evs)); err != nil {
		return res, err
	}
	defer s.fold.release(len(evs))
	ref := BatchRef{Workspace: ws, Batch: batch, At: s.identities.Now()}
	for _, e := range evs {
		e.Batch = batch
	}
	born, err := s.newcomers(ctx, ws, set, evs)
	if err != nil {
		return res, err
	}
	dup, _, err := s.write(ctx, []BatchRef{ref}, evs)
	if err == nil {
		err = s.store.Sync(ctx) // the job's checkpoint will count these rows stored
	}
	if err != nil {
		return res, err
	}
	res.Accepted, res.Duplicates = len(evs)-count(dup), res.Duplicates+count(dup)
	return res, s.uncount(ctx, ws, born, evs, dup)
}

// Folded reports whether the events of a batch are all folded.
func (s *Service) Folded(ctx context.Context, ws auth.Workspace, batch string) (bool, error) {
	if s.fold.has(BatchRef{Workspace: ws, Batch: batch}) {
		return false, nil
	}
	open, err := s.store.BatchOpen(ctx, ws, batch)
	return !open, err
}

// accept validates at most max items; failures become item errors and
// repeated messageIds duplicates. It returns the events and each one's
// item index.
func (s *Service) accept(ctx context.Context, ws auth.Workspace, actor string, ins []Input, max int, res *Result) ([]*Event, []int, identity.Settings, error) {
	if len(ins) > max {
		return nil, nil, identity.Settings{}, errs.Newf(errs.BadInput, "at most %d events per call", max)
	}
	set, err := s.identities.Settings(ctx, ws)
	if err != nil {
		return nil, nil, set, err
	}
	now := s.identities.Now()
	seen := map[string]bool{}
	var evs []*Event
	var at []int
	for i, in := range ins {
		e, warns, err := validate(ws, set, in, now)
		for _, w := range warns {
			res.Warnings = append(res.Warnings, ItemWarning{Index: i, Warning: w})
		}
		switch {
		case err != nil:
			res.Errors = append(res.Errors, errs.AtIndex(err, i))
		case seen[e.ID]:
			res.Duplicates++
		default:
			seen[e.ID], e.actor = true, actor
			evs, at = append(evs, e), append(at, i)
		}
	}
	if err := s.lookupOwners(ctx, ws, evs); err != nil {
		return nil, nil, set, err
	}
	return evs, at, set, nil
}

// lookupOwners gives the events of known customers their profile: each
// distinct identifier set is looked up once, Parallel at a time. The fold
// resolves the others.
func (s *Service) lookupOwners(ctx context.Context, ws auth.Workspace, evs []*Event) error {
	sets, keys := map[string][]*Event{}, []string{}
	for _, e := range evs {
		k := setKey(e.Identities)
		if _, ok := sets[k]; !ok {
			keys = append(keys, k)
		}
		sets[k] = append(sets[k], e)
	}
	var g errgroup.Group
	g.SetLimit(s.opts.Parallel)
	for _, k := range keys {
		g.Go(func() error {
			group := sets[k]
			pid, err := s.identities.Owner(ctx, ws, group[0].Identities)
			if pid != "" { // a known customer: the fold need not resolve
				for _, e := range group {
					e.ProfileID, e.Attached = pid, e.Identities
				}
			}
			return err
		})
	}
	return g.Wait()
}

// earlier returns the pending folds of the batches that stored the
// duplicates first and are not folded yet (a retry after a crash), so a
// WaitApplied call answers only once they are folded too.
func (s *Service) earlier(ctx context.Context, ws auth.Workspace, evs []*Event, dup []bool) ([]*pending, error) {
	var out []*pending
	seen := map[string]bool{}
	for i, e := range evs {
		if !dup[i] {
			continue
		}
		stored, err := s.store.Get(ctx, ws, e.ID)
		if err != nil {
			return nil, err
		}
		if stored == nil || stored.Batch == "" || seen[stored.Batch] {
			continue // erased, stored by an earlier version, or already looked at
		}
		seen[stored.Batch] = true
		ref := BatchRef{Workspace: ws, Batch: stored.Batch}
		// A batch being stored by a concurrent group commit: join its fold
		// once queued. Folding it from the store now would read part of it.
		if _, err := s.fold.written(ctx, ref); err != nil {
			return nil, err
		}
		if p := s.fold.find(ref); p != nil {
			out = append(out, p)
			continue
		}
		open, err := s.store.BatchOpen(ctx, ws, stored.Batch)
		if err != nil {
			return nil, err
		}
		if open { // left by another process: fold it here too (folding is idempotent)
			out = append(out, s.fold.enqueue(&pending{ref: ref, load: true, at: stored.ReceivedAt}))
		}
	}
	return out, nil
}

func count(dup []bool) int {
	n := 0
	for _, d := range dup {
		if d {
			n++
		}
	}
	return n
}

func validate(ws auth.Workspace, set identity.Settings, in Input, now time.Time) (*Event, []identity.Warning, error) {
	mid := strings.TrimSpace(in.MessageID)
	if mid == "" || len(mid) > 256 {
		return nil, nil, errs.New(errs.BadInput, "messageId must be 1 to 256 characters").WithField("messageId")
	}
	typ := strings.TrimSpace(in.Type)
	if typ == "" || len(typ) > 128 {
		return nil, nil, errs.New(errs.BadInput, "type must be 1 to 128 characters").WithField("type")
	}
	channel := ""
	if in.Channel != "" {
		var err error
		if channel, err = document.Name("channel", in.Channel); err != nil {
			return nil, nil, err
		}
	}
	if err := document.Validate("properties", in.Properties); err != nil {
		return nil, nil, err
	}
	ts, err := document.Timestamp(in.Timestamp, now)
	if err != nil {
		return nil, nil, err
	}
	ids, warns, err := set.Prepare(in.Identities)
	if err != nil {
		return nil, warns, err
	}
	props := in.Properties
	if props == nil {
		props = map[string]any{}
	}
	return &Event{ID: Key(ws, mid), Workspace: ws, MessageID: mid, Type: typ, Channel: channel,
		Properties: props, Identities: ids, Timestamp: ts, ReceivedAt: now}, warns, nil
}

// setKey identifies a set of identifiers regardless of order.
func setKey(ids []identity.Identifier) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	slices.Sort(parts)
	return strings.Join(parts, "\x00")
}
