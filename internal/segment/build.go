package segment

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/profile"
)

// pageSize is how many profiles a build reads (and reads the events of) at once.
const pageSize = 200

// builder builds queued segments one at a time: every live profile of the
// workspace is evaluated again (and its tallies counted from its events
// when the rule has event conditions), then the segment is READY.
func (s *Service) builder() {
	for {
		select {
		case <-s.ctx.Done():
			return
		case j := <-s.builds:
			for {
				err := s.build(s.ctx, j)
				if err == nil || s.ctx.Err() != nil {
					break
				}
				s.logError("segment build failed; retrying", err)
				select {
				case <-s.ctx.Done():
					return
				case <-time.After(5 * time.Second):
				}
			}
		}
	}
}

func (s *Service) build(ctx context.Context, j job) error {
	seg := j.seg
	if err := s.Rewrite(ctx, seg.Workspace, j.recount); err != nil {
		return err
	}
	if seg.Rule == nil { // deleted, or the whole workspace
		return nil
	}
	err := s.d.Store.SetReady(ctx, seg.Workspace, seg.ID, seg.Version)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// Rewrite evaluates every live profile of the workspace again and stores
// those whose computed values or membership change. With recount, the
// computed values are first counted again from the stored events, from
// scratch: what the fold kept at write time must equal that.
func (s *Service) Rewrite(ctx context.Context, ws auth.Workspace, recount bool) error {
	st, err := s.reload(ctx, ws)
	if err != nil {
		return err
	}
	var counted *counts
	if recount {
		if counted, err = s.countAll(ctx, ws, st.rules); err != nil {
			return err
		}
	}
	return s.eachPage(ctx, ws, func(ps []*profile.Profile) error {
		var fresh []profile.Computed
		if recount {
			if fresh, err = counted.of(ctx, s, ws, ps, st.rules); err != nil {
				return err
			}
		}
		var changed []*profile.Profile
		var cs []profile.Computed
		for i, p := range ps {
			c := p.Computed
			if fresh != nil {
				c = fresh[i]
			}
			if s.differs(st, p, c) {
				changed, cs = append(changed, p), append(cs, c)
			}
		}
		retry, err := s.d.Profiles.WriteMany(ctx, ws, changed, func(i int, q *profile.Profile) { q.Computed = cs[i].Clone() })
		if err != nil {
			return err
		}
		for _, i := range retry { // written meanwhile, or held by a merge: one by one
			if err := s.rewrite(ctx, ws, changed[i], cs[i], recount); err != nil {
				return err
			}
		}
		return nil
	})
}

// differs reports whether storing the profile with the computed values c
// would change its computed values, membership or next re-evaluation.
func (s *Service) differs(st *state, p *profile.Profile, c profile.Computed) bool {
	want := *p
	want.Computed = c.Clone()
	s.derive(st, &want, s.d.Now())
	return !reflect.DeepEqual(want.Computed, p.Computed) || !slices.Equal(want.Segments, p.Segments) ||
		!reflect.DeepEqual(want.Reevaluate, p.Reevaluate)
}

// errMoved stops a rewrite whose profile changed since it was read.
var errMoved = errs.New(errs.Conflict, "profile changed during a segment build")

// rewrite stores the profile with the computed values c when that changes
// its computed values or membership. A profile written meanwhile is read
// (and recounted) again.
func (s *Service) rewrite(ctx context.Context, ws auth.Workspace, p *profile.Profile, c profile.Computed, recount bool) error {
	for attempt := 0; attempt < 50; attempt++ {
		st, err := s.state(ctx, ws)
		if err != nil {
			return err
		}
		if !s.differs(st, p, c) {
			return nil
		}
		version := p.Version
		_, err = s.d.Profiles.Write(ctx, ws, p.ID, profile.Write{From: p}, func(q *profile.Profile) error {
			if q.Version != version {
				return errMoved
			}
			q.Computed = c
			return nil
		})
		switch {
		case err == nil, errors.Is(err, profile.ErrMerged), errors.Is(err, profile.ErrNotFound):
			return nil
		case !errors.Is(err, errMoved) && !errors.Is(err, profile.ErrBusy):
			return err
		}
		if p, err = s.d.Profiles.Stored(ctx, ws, p.ID); err != nil || p.MergedInto != "" || p.Erased {
			if errors.Is(err, profile.ErrNotFound) {
				return nil
			}
			return err
		}
		c = p.Computed
		if recount {
			fresh, err := s.recompute(ctx, ws, []*profile.Profile{p}, st.rules)
			if err != nil {
				return err
			}
			c = fresh[0]
		}
	}
	return errs.New(errs.Unavailable, "a profile kept changing during a segment build; it is retried")
}

// eachPage hands the workspace's live profiles to fn a page at a time, in
// one pass over them.
func (s *Service) eachPage(ctx context.Context, ws auth.Workspace, fn func([]*profile.Profile) error) error {
	return s.d.ProfileList.Each(ctx, ws, pageSize, fn)
}

// recompute counts the profiles' computed values from their stored
// events, from scratch, in one read of events.
func (s *Service) recompute(ctx context.Context, ws auth.Workspace, ps []*profile.Profile, rules *profile.FoldRules) ([]profile.Computed, error) {
	owner := map[string]int{}
	var ids []string
	for i, p := range ps {
		for _, id := range p.IDs() {
			owner[id] = i
			ids = append(ids, id)
		}
	}
	// Events first: a batch opened after this read of the open batches would
	// have its events counted here and again by the fold.
	evs, err := s.d.Events.EventsOf(ctx, ws, ids)
	if err != nil {
		return nil, err
	}
	open, err := s.d.Events.OpenBatches(ctx)
	if err != nil {
		return nil, err
	}
	byProfile := make([][]*event.Event, len(ps))
	for _, e := range evs {
		if i, ok := owner[e.ProfileID]; ok {
			byProfile[i] = append(byProfile[i], e)
		}
	}
	out := make([]profile.Computed, len(ps))
	for i, p := range ps {
		out[i] = event.Recompute(p, byProfile[i], open, rules)
	}
	return out, nil
}

// every runs fn every d until the service closes.
func (s *Service) every(d time.Duration, fn func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			fn(s.ctx)
		}
	}
}

// sweep re-evaluates the profiles whose time windows lapsed: they leave
// "ordered in the last 30 days" when the 30 days pass.
func (s *Service) sweep(ctx context.Context) {
	if _, err := s.Sweep(ctx); err != nil {
		s.logError("segment sweep failed; retrying", err)
	}
}

// Sweep re-evaluates every profile whose Reevaluate time has come and
// returns how many it looked at.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	total := 0
	for range 50 { // bounded: the next tick goes on
		ps, err := s.d.ProfileList.Due(ctx, s.d.Now(), pageSize)
		if err != nil || len(ps) == 0 {
			return total, err
		}
		for _, p := range ps {
			if err := s.rewrite(ctx, p.Workspace, p, p.Computed, false); err != nil {
				return total, err
			}
		}
		total += len(ps)
		if len(ps) < pageSize {
			return total, nil
		}
	}
	return total, nil
}
