package event

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/profile"
)

// applyGroup folds one profile's events into it, or into the profile it was
// merged into meanwhile (the events stay under their id, which the survivor
// lists as absorbed). The identifiers resolution attached are recorded as
// seen at the events' times (events folded again after a crash do not know
// them); from is the profile as resolution read it, if it did.
func (s *Service) applyGroup(ctx context.Context, ws auth.Workspace, rules identity.Rules, pid string, group []*Event, from *profile.Profile) error {
	fr, err := s.foldRules(ctx, ws)
	if err != nil {
		return err
	}
	_, err = s.identities.ObserveLive(ctx, ws, rules, pid, identity.Visit{Seen: sightings(group), Reason: "event", From: from,
		Change: func(p *profile.Profile) {
			// A retry folds under the rules of now: a segment created
			// meanwhile is built from the events whose batch p marks.
			if now, err := s.foldRules(ctx, ws); err == nil {
				fr = now
			}
			for _, b := range byBatch(group) {
				foldOnce(p, pid, b, fr)
			}
		}})
	if errors.Is(err, profile.ErrNotFound) {
		return s.store.Erase(ctx, ws, ids(group)) // erased meanwhile: erasure wins
	}
	if err != nil {
		return fmt.Errorf("apply events to %s: %w", pid, err)
	}
	return nil
}

// byBatch splits events by the batch that stored them.
func byBatch(evs []*Event) [][]*Event {
	var out [][]*Event
	at := map[string]int{}
	for _, e := range evs {
		i, ok := at[e.Batch]
		if !ok {
			i, at[e.Batch] = len(out), len(out)
			out = append(out, nil)
		}
		out[i] = append(out[i], e)
	}
	return out
}

// foldOnce folds a batch's events stored under pid into p unless p records
// that it already did. A request applying its events and a repair of the
// same events after a crash or a retry can thus never both count them.
func foldOnce(p *profile.Profile, pid string, group []*Event, fr *profile.FoldRules) {
	key := group[0].Batch + "/" + pid
	if p.HasBatch(key) {
		return
	}
	p.Computed = Fold(p.Computed, group, fr)
	p.MarkBatch(key)
}

// Recover queues the fold of every batch a crash left marked and waits
// until they are folded or ctx ends (they are folded in the background
// then), and folds the events that earlier versions stored without a batch
// mark and left unapplied. Run it at start.
func (s *Service) Recover(ctx context.Context) (int, error) {
	refs, err := s.store.OpenBatches(ctx, 1000000)
	if err != nil {
		return 0, err
	}
	ps := make([]*pending, len(refs))
	for i, r := range refs {
		ps[i] = s.fold.enqueue(&pending{ref: r, load: true, at: r.At})
	}
	n, err := s.recoverUnmarked(ctx)
	if werr := s.fold.await(ctx, ps); werr != nil {
		return len(refs) + n, errors.Join(err, fmt.Errorf("folding %d recovered batches: %w", len(refs), werr))
	}
	return len(refs) + n, err
}

// recoverUnmarked folds the unapplied events of earlier versions, which
// marked each event instead of its batch.
func (s *Service) recoverUnmarked(ctx context.Context) (int, error) {
	total := 0
	for {
		evs, err := s.store.Unapplied(ctx, 500)
		if err != nil || len(evs) == 0 {
			return total, err
		}
		for _, e := range evs {
			if err := s.applyGroup(ctx, e.Workspace, nil, e.ProfileID, []*Event{e}, nil); err != nil {
				return total, err
			}
			if err := s.store.MarkApplied(ctx, e.Workspace, []string{e.ID}); err != nil {
				return total, err
			}
		}
		total += len(evs)
	}
}

func sightings(evs []*Event) []identity.Sighting {
	var out []identity.Sighting
	for _, e := range evs {
		if len(e.Attached) == 0 {
			continue
		}
		out = append(out, identity.Sighting{IDs: e.Attached, Source: e.Channel, At: e.Timestamp})
	}
	return out
}

func ids(evs []*Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

// Fold adds events to computed values (see profile.Computed.Add).
func Fold(c profile.Computed, evs []*Event, fr *profile.FoldRules) profile.Computed {
	for _, e := range evs {
		c.Add(fr, e.Fact(), 1)
	}
	return c
}

// Fact is the event as computed values see it.
func (e *Event) Fact() profile.Fact {
	return profile.Fact{Type: e.Type, Channel: e.Channel, At: e.Timestamp, Properties: e.Properties}
}

// Batches left open longer than sweepAge by a process that died (another
// replica on a shared MongoDB) are folded here; folding is idempotent, so a
// live owner folding the same batch does no harm.
const (
	sweepEvery = time.Minute
	sweepAge   = 2 * time.Minute
)

// sweep queues, every sweepEvery until the service closes, the open
// batches older than sweepAge that this process is not folding.
func (s *Service) sweep() {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
		}
		refs, err := s.store.OpenBatches(s.ctx, 1000)
		if err != nil {
			if s.opts.OnError != nil {
				s.opts.OnError(fmt.Errorf("sweep open batches: %w", err))
			}
			continue
		}
		for _, r := range refs {
			if !r.At.IsZero() && time.Since(r.At) > sweepAge && !s.fold.has(r) && !s.fold.storing(r) {
				s.fold.enqueue(&pending{ref: r, load: true, at: r.At})
			}
		}
	}
}
