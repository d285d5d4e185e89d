package event

import (
	"context"
	"slices"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
)

// EraseUnfolded erases the events stored and not folded yet that belong to
// the profile being erased: those resolved to it or to a profile merged
// into it, and those carrying one of its identifiers, which the fold would
// otherwise use to create the person again once the identifiers are gone.
// It waits for the fold cycle in progress, and takes the events out of the
// queue before it replaces them by tombstones. It counts them.
func (s *Service) EraseUnfolded(ctx context.Context, ws auth.Workspace, p *profile.Profile) (int64, error) {
	f := s.fold
	f.cycle.Lock()
	defer f.cycle.Unlock()
	var mine []*pending // queued, or taken by the worker for its next cycle
	f.mu.Lock()
	for ref, qs := range f.byRef {
		if ref.Workspace == ws {
			mine = append(mine, qs...)
		}
	}
	f.mu.Unlock()
	if err := s.load(ctx, mine); err != nil {
		return 0, err
	}
	pids := p.IDs()
	keys := map[[2]string]bool{}
	for _, id := range p.Identities {
		keys[[2]string{id.Type, id.Value}] = true
	}
	theirs := func(e *Event) bool {
		if e.ProfileID != "" && slices.Contains(pids, e.ProfileID) {
			return true
		}
		for _, id := range e.Identities {
			if keys[[2]string{id.Type, id.Value}] {
				return true
			}
		}
		return false
	}
	erased, err := s.eraseStored(ctx, ws, theirs)
	if err != nil {
		return 0, err
	}
	f.mu.Lock()
	for _, q := range mine {
		kept := q.evs[:0]
		for _, e := range q.evs {
			if theirs(e) {
				erased = append(erased, e.ID)
			} else {
				kept = append(kept, e)
			}
		}
		q.evs = kept
		f.recount(q, len(kept))
	}
	f.mu.Unlock()
	if len(erased) == 0 {
		return 0, nil
	}
	return int64(len(erased)), s.store.Erase(ctx, ws, erased)
}

// eraseStored finds, when other processes share the store, the events of
// their open batches that belong to the person, for EraseUnfolded to
// erase; their fold skips events it finds erased (dropErased).
func (s *Service) eraseStored(ctx context.Context, ws auth.Workspace, theirs func(*Event) bool) ([]string, error) {
	if !s.shared {
		return nil, nil
	}
	refs, err := s.store.OpenBatches(ctx, 100000)
	if err != nil {
		return nil, err
	}
	var others []BatchRef
	for _, r := range refs {
		if r.Workspace == ws && !s.fold.has(r) {
			others = append(others, r)
		}
	}
	var out []string
	for chunk := range slices.Chunk(others, 100) {
		evs, err := s.store.ByBatches(ctx, chunk)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if theirs(e) {
				out = append(out, e.ID)
			}
		}
	}
	return out, nil
}
