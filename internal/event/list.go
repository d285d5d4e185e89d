package event

import (
	"context"
	"fmt"
	"sync"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/page"
	"github.com/cdp-dev/cdp/internal/profile"
)

// ListInput selects a page of a profile's events.
type ListInput struct {
	ProfileID string
	First     *int
	After     string
	Types     []string
	// Total asks for the number of matching events too (a second query).
	Total bool
}

// List returns a profile's events, newest first.
func (s *Service) List(ctx context.Context, ws auth.Workspace, in ListInput) (page.Page[*Event], error) {
	var out page.Page[*Event]
	n, err := page.Size(in.First)
	if err != nil {
		return out, err
	}
	at, id, ok, err := page.DecodeAt(in.After)
	if err != nil {
		return out, err
	}
	var after *Cursor
	if ok {
		after = &Cursor{Timestamp: at, ID: id}
	}
	p, err := s.profiles.Get(ctx, ws, in.ProfileID)
	if err != nil {
		return out, err
	}
	evs, err := s.store.List(ctx, ws, p.IDs(), in.Types, after, n+1)
	if err != nil {
		return out, err
	}
	out = page.Of(evs, n, ok, func(e *Event) string { return page.At(e.Timestamp, e.ID) })
	if in.Total {
		out.Total, err = s.store.Count(ctx, ws, p.IDs(), in.Types)
	}
	return out, err
}

// ListMany returns the pages of several profiles' events, as List would
// one by one, sharing store reads: the profiles are read in parallel and,
// for first pages, the events of all of them come from one query (one
// lookup and one sort for a dashboard listing profiles with their events,
// instead of one per profile).
// A profile whose page the shared query may have cut short is read alone.
// failed[i] is the error of input i (a profile erased meanwhile); err is
// one that failed them all.
func (s *Service) ListMany(ctx context.Context, ws auth.Workspace, ins []ListInput) (pages []page.Page[*Event], failed []error, err error) {
	out := make([]page.Page[*Event], len(ins))
	failed = make([]error, len(ins))
	groups := map[string][]int{}
	for i, in := range ins {
		if in.After != "" {
			out[i], failed[i] = s.List(ctx, ws, in)
			continue
		}
		k := fmt.Sprint(sizeOf(in.First), in.Types, in.Total)
		groups[k] = append(groups[k], i)
	}
	for _, idx := range groups {
		if err := s.listFirstPages(ctx, ws, ins, idx, out, failed); err != nil {
			return nil, nil, err
		}
	}
	return out, failed, nil
}

// listFirstPages fills out[i] for the inputs idx, which ask for the same
// page size, types and total, and no cursor.
func (s *Service) listFirstPages(ctx context.Context, ws auth.Workspace, ins []ListInput, idx []int, out []page.Page[*Event], failed []error) error {
	first := ins[idx[0]]
	n, err := page.Size(first.First)
	if err != nil {
		return err
	}
	ps := make([]*profile.Profile, len(idx))
	errs := make([]error, len(idx))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for j, i := range idx {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ps[j], errs[j] = s.profiles.Get(ctx, ws, ins[i].ProfileID)
		}()
	}
	wg.Wait()
	owner, alone := map[string]int{}, make([]bool, len(idx))
	var ids []string
	for j, p := range ps {
		if failed[idx[j]] = errs[j]; errs[j] != nil {
			continue
		}
		for _, id := range p.IDs() {
			if _, dup := owner[id]; dup { // the same profile asked twice: read alone
				alone[j] = true
				continue
			}
			owner[id] = j
			ids = append(ids, id)
		}
	}
	limit := (n + 1) * len(idx)
	evs, err := s.store.List(ctx, ws, ids, first.Types, nil, limit)
	if err != nil {
		return err
	}
	mine := make([][]*Event, len(idx))
	for _, e := range evs {
		if j, ok := owner[e.ProfileID]; ok {
			mine[j] = append(mine[j], e)
		}
	}
	for j, i := range idx {
		if failed[i] != nil {
			continue
		}
		if alone[j] || (len(evs) == limit && len(mine[j]) <= n) { // maybe cut short by the others
			out[i], failed[i] = s.List(ctx, ws, ins[i])
			continue
		}
		out[i] = page.Of(mine[j], n, false, func(e *Event) string { return page.At(e.Timestamp, e.ID) })
		if ins[i].Total {
			if out[i].Total, err = s.store.Count(ctx, ws, ps[j].IDs(), ins[i].Types); err != nil {
				return err
			}
		}
	}
	return nil
}

func sizeOf(first *int) int {
	if first == nil {
		return page.Default
	}
	return *first
}
