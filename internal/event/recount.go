package event

import (
	"context"
	"fmt"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
)

// Recount recomputes, from the events stored under the profile ids (a
// profile and the ones merged into it), the computed values of a profile
// whose folded batches are unknown: events of batches still waiting for
// the fold are left to it.
func (s *Service) Recount(ctx context.Context, ws auth.Workspace, profileIDs []string) (profile.Computed, error) {
	evs, err := s.store.OfProfiles(ctx, ws, profileIDs)
	if err != nil {
		return profile.Computed{}, fmt.Errorf("recount events: %w", err)
	}
	open, err := s.OpenBatches(ctx)
	if err != nil {
		return profile.Computed{}, err
	}
	fr, err := s.foldRules(ctx, ws)
	if err != nil {
		return profile.Computed{}, err
	}
	return Recompute(nil, evs, open, fr), nil
}

// OpenBatches returns the batches stored and not folded yet, by Key.
func (s *Service) OpenBatches(ctx context.Context) (map[string]bool, error) {
	refs, err := s.store.OpenBatches(ctx, 1000000)
	if err != nil {
		return nil, fmt.Errorf("open batches: %w", err)
	}
	open := make(map[string]bool, len(refs))
	for _, r := range refs {
		open[r.Key()] = true
	}
	return open, nil
}

// Key names the batch across workspaces.
func (r BatchRef) Key() string { return string(r.Workspace) + "/" + r.Batch }

// EachEvent hands fn every event stored in the workspace, in one pass.
func (s *Service) EachEvent(ctx context.Context, ws auth.Workspace, fn func(*Event) error) error {
	if err := s.store.Each(ctx, ws, fn); err != nil {
		return fmt.Errorf("events of the workspace: %w", err)
	}
	return nil
}

// EventsOfBatches returns the events the workspace's batches stored, in
// one read.
func (s *Service) EventsOfBatches(ctx context.Context, ws auth.Workspace, batches []string) ([]*Event, error) {
	refs := make([]BatchRef, len(batches))
	for i, b := range batches {
		refs[i] = BatchRef{Workspace: ws, Batch: b}
	}
	evs, err := s.store.ByBatches(ctx, refs)
	if err != nil {
		return nil, fmt.Errorf("events of batches: %w", err)
	}
	return evs, nil
}

// EventsOf returns the events stored under the profile ids, in one read.
func (s *Service) EventsOf(ctx context.Context, ws auth.Workspace, profileIDs []string) ([]*Event, error) {
	evs, err := s.store.OfProfiles(ctx, ws, profileIDs)
	if err != nil {
		return nil, fmt.Errorf("events of profiles: %w", err)
	}
	return evs, nil
}

// Recompute folds the events from scratch into fresh computed values: the
// values a profile would hold had it received them one by one under the
// rules fr. Tombstones are skipped, and so are events of open batches
// unless p (when given) marks their batch folded: the fold counts those.
func Recompute(p *profile.Profile, evs []*Event, open map[string]bool, fr *profile.FoldRules) profile.Computed {
	c := profile.Computed{Channels: []string{}}
	for _, e := range evs {
		if e.Type == "" {
			continue
		}
		if e.Batch != "" && open[BatchRef{Workspace: e.Workspace, Batch: e.Batch}.Key()] &&
			(p == nil || !p.HasBatch(e.Batch+"/"+e.ProfileID)) {
			continue
		}
		c.Add(fr, e.Fact(), 1)
	}
	return c
}
