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

// apply folds freshly stored events into their profiles, one profile update
// per profile, then marks them applied. A crash between the two steps leaves
// unapplied events; repair folds them unless the profile recorded their
// batch, so no count is ever doubled or skipped.
func (s *Service) apply(ctx context.Context, ws auth.Workspace, rules identity.Rules, evs []*Event) error {
	byProfile := map[string][]*Event{}
	var order []string
	for _, e := range evs {
		if _, ok := byProfile[e.ProfileID]; !ok {
			order = append(order, e.ProfileID)
		}
		byProfile[e.ProfileID] = append(byProfile[e.ProfileID], e)
	}
	for _, pid := range order {
		if err := s.applyGroup(ctx, ws, rules, pid, byProfile[pid]); err != nil {
			return err
		}
	}
	return nil
}

// applyGroup folds one profile's new events into it, or into the profile it
// was merged into meanwhile (the events stay under their id, which the
// survivor lists as absorbed).
func (s *Service) applyGroup(ctx context.Context, ws auth.Workspace, rules identity.Rules, pid string, group []*Event) error {
	_, err := s.identities.ObserveLive(ctx, ws, rules, pid, sightings(group), "event", func(p *profile.Profile) {
		foldOnce(p, pid, group)
	})
	if errors.Is(err, profile.ErrNotFound) {
		return s.store.Erase(ctx, ws, ids(group)) // erased meanwhile: erasure wins
	}
	if err != nil {
		return fmt.Errorf("apply events to %s: %w", pid, err)
	}
	return s.store.MarkApplied(ctx, ws, ids(group))
}

// repair folds events that were stored but not applied (a crash or a failed
// request) into their profiles, then marks them applied. It is idempotent.
func (s *Service) repair(ctx context.Context, evs []*Event) error {
	type key struct {
		ws  auth.Workspace
		pid string
	}
	done := map[key]bool{}
	for _, e := range evs {
		k := key{e.Workspace, e.ProfileID}
		if done[k] {
			continue
		}
		done[k] = true
		if err := s.repairProfile(ctx, k.ws, k.pid); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) repairProfile(ctx context.Context, ws auth.Workspace, pid string) error {
	pending, err := s.store.ListUnapplied(ctx, ws, pid)
	if err != nil || len(pending) == 0 {
		return err
	}
	byBatch := map[string][]*Event{}
	for _, e := range pending {
		byBatch[e.Batch] = append(byBatch[e.Batch], e)
	}
	// No sightings: which identifiers resolution attached is not stored.
	_, err = s.identities.ObserveLive(ctx, ws, nil, pid, nil, "event", func(p *profile.Profile) {
		for _, group := range byBatch {
			foldOnce(p, pid, group)
		}
	})
	if errors.Is(err, profile.ErrNotFound) {
		return s.store.Erase(ctx, ws, ids(pending)) // the person was erased: so are these
	}
	if err != nil {
		return err
	}
	return s.store.MarkApplied(ctx, ws, ids(pending))
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

// Recover applies every event left unapplied by a crash. Run it at start.
func (s *Service) Recover(ctx context.Context) (int, error) {
	total := 0
	for {
		evs, err := s.store.Unapplied(ctx, 500)
		if err != nil || len(evs) == 0 {
			return total, err
		}
		if err := s.repair(ctx, evs); err != nil {
			return total, err
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
