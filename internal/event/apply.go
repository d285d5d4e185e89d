package event

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/profile"
)

// apply folds freshly stored events into their profiles, one profile write
// per profile. The batch's mark, stored before the events, is removed after
// this by the caller; a crash in between leaves it, and repairBatch then
// folds what the profiles do not record as folded.
func (s *Service) apply(ctx context.Context, ws auth.Workspace, rules identity.Rules, evs []*Event, seen bool, read map[string]*profile.Profile) error {
	groups := map[string][]*Event{}
	var order []string
	for _, e := range evs {
		if _, ok := groups[e.ProfileID]; !ok {
			order = append(order, e.ProfileID)
		}
		groups[e.ProfileID] = append(groups[e.ProfileID], e)
	}
	for _, pid := range order {
		if err := s.applyGroup(ctx, ws, rules, pid, groups[pid], seen, read[pid]); err != nil {
			return err
		}
	}
	return nil
}

// applyGroup folds one profile's events into it, or into the profile it was
// merged into meanwhile (the events stay under their id, which the survivor
// lists as absorbed). With seen, the identifiers resolution attached are
// recorded as seen at the events' times (a repair does not know them);
// from is the profile as resolution read it, if it did.
func (s *Service) applyGroup(ctx context.Context, ws auth.Workspace, rules identity.Rules, pid string, group []*Event, seen bool, from *profile.Profile) error {
	var sg []identity.Sighting
	if seen {
		sg = sightings(group)
	}
	_, err := s.identities.ObserveLive(ctx, ws, rules, pid, identity.Visit{Seen: sg, Reason: "event", From: from,
		Change: func(p *profile.Profile) {
			for _, b := range byBatch(group) {
				foldOnce(p, pid, b)
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

// repairBatch folds a batch's stored events that their profiles do not
// record as folded, then removes the batch's mark. It is idempotent.
func (s *Service) repairBatch(ctx context.Context, ws auth.Workspace, batch string) error {
	evs, err := s.store.ByBatch(ctx, ws, batch)
	if err != nil {
		return err
	}
	if err := s.apply(ctx, ws, nil, evs, false, nil); err != nil {
		return err
	}
	return s.store.CloseBatch(ctx, ws, batch)
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
func foldOnce(p *profile.Profile, pid string, group []*Event) {
	key := group[0].Batch + "/" + pid
	if p.HasBatch(key) {
		return
	}
	p.Computed = Fold(p.Computed, group)
	p.MarkBatch(key)
}

// Recover folds every batch a crash left marked, and events that earlier
// versions stored without a batch mark and left unapplied. Run it at start.
// A batch that cannot be folded does not stop the others: their errors
// are returned together.
func (s *Service) Recover(ctx context.Context) (int, error) {
	refs, err := s.store.OpenBatches(ctx, 10000)
	if err != nil {
		return 0, err
	}
	var failed []error
	for _, r := range refs {
		if err := s.repairBatch(ctx, r.Workspace, r.Batch); err != nil {
			failed = append(failed, fmt.Errorf("batch %s: %w", r.Batch, err))
		}
	}
	n, err := s.recoverUnmarked(ctx)
	return len(refs) + n, errors.Join(append(failed, err)...)
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
			if err := s.apply(ctx, e.Workspace, nil, []*Event{e}, false, nil); err != nil {
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
	out := make([]identity.Sighting, 0, len(evs))
	for _, e := range evs {
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

// Fold adds events to computed values: counts add up, first seen is the
// earliest timestamp, last seen the latest, channels are united (sorted).
func Fold(c profile.Computed, evs []*Event) profile.Computed {
	for _, e := range evs {
		c.EventCount++
		t := e.Timestamp
		if c.FirstSeen == nil || t.Before(*c.FirstSeen) {
			c.FirstSeen = &t
		}
		if c.LastSeen == nil || t.After(*c.LastSeen) {
			c.LastSeen = &t
		}
		if e.Channel != "" && !slices.Contains(c.Channels, e.Channel) {
			c.Channels = append(slices.Clone(c.Channels), e.Channel)
			slices.Sort(c.Channels)
		}
	}
	return c
}
