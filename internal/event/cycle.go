package event

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/profile"
)

// run folds cycle after cycle until the service closes.
func (f *folder) run() {
	ctx := f.s.ctx
	for {
		ps := f.take()
		if ps == nil || ctx.Err() != nil {
			f.abandon()
			return
		}
		f.cycle.Lock() // finished before an erasure looks at what waits
		start := time.Now()
		failed := f.s.foldCycle(ctx, ps)
		f.finish(ps, failed, time.Since(start))
		f.cycle.Unlock()
		for _, p := range ps {
			if !failed[p] && f.s.opts.OnFolded != nil {
				f.s.opts.OnFolded(p.ref, len(p.evs), p.at)
			}
		}
		if len(failed) == len(ps) { // nothing went through: give the cause time to pass
			select {
			case <-time.After(time.Duration(min(ps[0].tries, 20)) * 50 * time.Millisecond):
			case <-f.s.quit:
			}
		}
	}
}

// foldCycle folds the batches' events: it resolves the profiles of events
// not resolved yet, records them on the events, writes each profile once,
// then removes the batches' marks. It returns the batches to try again.
func (s *Service) foldCycle(ctx context.Context, ps []*pending) map[*pending]bool {
	failed := map[*pending]bool{}
	var mu sync.Mutex // fail is called from parallel work
	fail := func(p *pending, err error) {
		mu.Lock()
		defer mu.Unlock()
		if !failed[p] && s.opts.OnError != nil {
			s.opts.OnError(fmt.Errorf("fold batch %s: %w", p.ref.Batch, err))
		}
		failed[p] = true
	}
	if s.opts.Fault != nil {
		if err := s.opts.Fault("fold:cycle"); err != nil {
			for _, p := range ps {
				fail(p, err)
			}
			return failed
		}
	}
	if err := s.load(ctx, ps); err != nil {
		for _, p := range ps {
			if p.load {
				fail(p, err)
			}
		}
	}
	byWS := map[auth.Workspace][]*pending{}
	var order []auth.Workspace
	for _, p := range ps {
		if failed[p] {
			continue
		}
		if _, ok := byWS[p.ref.Workspace]; !ok {
			order = append(order, p.ref.Workspace)
		}
		byWS[p.ref.Workspace] = append(byWS[p.ref.Workspace], p)
	}
	for _, ws := range order {
		s.foldWorkspace(ctx, ws, byWS[ws], fail)
	}
	var done []BatchRef
	for _, p := range ps {
		if !failed[p] && s.fold.last(p) {
			done = append(done, p.ref)
		}
	}
	if len(done) > 0 {
		if err := s.store.Unmark(ctx, done); err != nil {
			for _, p := range ps {
				fail(p, err) // folded: the retry finds them folded and unmarks
			}
		}
	}
	return failed
}

// load reads the events of the batches recovered from the store.
func (s *Service) load(ctx context.Context, ps []*pending) error {
	var refs []BatchRef
	at := map[BatchRef]*pending{}
	for _, p := range ps {
		if p.load {
			refs = append(refs, p.ref)
			at[refKey(p.ref)] = p
		}
	}
	if len(refs) == 0 {
		return nil
	}
	evs, err := s.store.ByBatches(ctx, refs)
	if err != nil {
		return err
	}
	s.fold.mu.Lock()
	defer s.fold.mu.Unlock()
	for _, e := range evs {
		p := at[BatchRef{Workspace: e.Workspace, Batch: e.Batch}]
		p.evs = append(p.evs, e)
	}
	for _, p := range at {
		p.load = false
		s.fold.recount(p, len(p.evs))
	}
	return nil
}

// item is an event in a cycle, with the fold it belongs to.
type item struct {
	e *Event
	p *pending
}

// foldWorkspace folds one workspace's part of a cycle.
func (s *Service) foldWorkspace(ctx context.Context, ws auth.Workspace, ps []*pending, fail func(*pending, error)) {
	set, err := s.identities.Settings(ctx, ws)
	if err != nil {
		for _, p := range ps {
			fail(p, err)
		}
		return
	}
	if err := s.dropErased(ctx, ws, ps); err != nil {
		for _, p := range ps {
			fail(p, err)
		}
		return
	}
	// Two folds of one batch can meet in a cycle (a duplicate delivery
	// queued a read of the batch before its writer queued it): each event
	// counts once.
	var items []item
	seen := map[string]bool{}
	for _, p := range ps {
		for _, e := range p.evs {
			if !seen[e.ID] {
				seen[e.ID] = true
				items = append(items, item{e, p})
			}
		}
	}
	read := s.resolveAll(ctx, ws, set, items, fail)
	groups, order := map[string][]item{}, []string{}
	for _, it := range items {
		pid := it.e.ProfileID
		if pid == "" {
			continue // its resolution failed: its batch is tried again
		}
		if _, ok := groups[pid]; !ok {
			order = append(order, pid)
		}
		groups[pid] = append(groups[pid], it)
	}
	s.parallel(ctx, order, func(ctx context.Context, pid string) {
		group := groups[pid]
		if err := s.applyGroup(ctx, ws, set.Rules, pid, eventsOf(group), read[pid]); err != nil {
			for _, it := range group {
				fail(it.p, err)
			}
		}
	})
}

// resolveAll resolves the profile of each event that has none yet, once per
// set of identifiers, and records it on the events before any profile is
// written (a crash in between folds them under the same profile later). It
// returns the profiles resolution read.
func (s *Service) resolveAll(ctx context.Context, ws auth.Workspace, set identity.Settings, items []item, fail func(*pending, error)) map[string]*profile.Profile {
	sets, keys := map[string][]item{}, []string{}
	for _, it := range items {
		if it.e.ProfileID != "" {
			continue
		}
		k := setKey(it.e.Identities)
		if _, ok := sets[k]; !ok {
			keys = append(keys, k)
		}
		sets[k] = append(sets[k], it)
	}
	var mu sync.Mutex
	read := map[string]*profile.Profile{}
	s.parallel(ctx, keys, func(ctx context.Context, k string) {
		group := sets[k]
		first := group[0].e
		actor := first.actor
		if actor == "" {
			actor = "fold"
		}
		r, err := s.identities.Resolve(ctx, ws, set, actor, first.Identities, identity.Sighting{Source: first.Channel, At: first.Timestamp})
		if err == nil {
			err = s.store.Assign(ctx, ws, r.ProfileID, ids(eventsOf(group)))
		}
		if err != nil {
			for _, it := range group {
				fail(it.p, err)
			}
			return
		}
		for _, it := range group {
			it.e.ProfileID, it.e.Attached = r.ProfileID, r.Attached
			it.p.warn(it.e.ID, r.Warnings)
		}
		mu.Lock()
		if _, ok := read[r.ProfileID]; !ok && r.Profile != nil {
			read[r.ProfileID] = r.Profile
		}
		mu.Unlock()
	})
	return read
}

func eventsOf(its []item) []*Event {
	out := make([]*Event, len(its))
	for i, it := range its {
		out[i] = it.e
	}
	return out
}

// parallel runs f for each key, Parallel at a time.
func (s *Service) parallel(ctx context.Context, keys []string, f func(context.Context, string)) {
	var g errgroup.Group
	g.SetLimit(s.opts.Parallel)
	for _, k := range keys {
		g.Go(func() error { f(ctx, k); return nil })
	}
	_ = g.Wait()
}

// dropErased takes out of the batches the events not resolved yet that an
// erasure in another process replaced by tombstones: resolving them would
// create the erased person again. In one process the erasure takes them out
// of the queue itself.
func (s *Service) dropErased(ctx context.Context, ws auth.Workspace, ps []*pending) error {
	if !s.shared {
		return nil
	}
	var ids []string
	for _, p := range ps {
		for _, e := range p.evs {
			if e.ProfileID == "" {
				ids = append(ids, e.ID)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	gone, err := s.store.Erased(ctx, ws, ids)
	if err != nil || len(gone) == 0 {
		return err
	}
	erased := map[string]bool{}
	for _, id := range gone {
		erased[id] = true
	}
	s.fold.mu.Lock()
	defer s.fold.mu.Unlock()
	for _, p := range ps {
		kept := p.evs[:0]
		for _, e := range p.evs {
			if !erased[e.ID] {
				kept = append(kept, e)
			}
		}
		p.evs = kept
		s.fold.recount(p, len(kept))
	}
	return nil
}
