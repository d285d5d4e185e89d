package identity

import (
	"context"
	"errors"
	"slices"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/profile"
)

// Unmerge undoes a merge: every absorbed profile comes back with its own
// identifiers, traits, consent and events; events that arrived after the
// merge go to the profile whose identifiers they were received with. It
// returns the survivor followed by the restored profiles.
func (s *Service) Unmerge(ctx context.Context, ws auth.Workspace, mergeID string) ([]*profile.Profile, error) {
	rec, err := s.merges.Get(ctx, ws, mergeID)
	switch {
	case err != nil:
		return nil, err
	case rec == nil:
		return nil, errs.New(errs.NotFound, "merge not found")
	case rec.Status == StatusUndone:
		return nil, errs.New(errs.Conflict, "the merge was already undone")
	case rec.Status != StatusDone && rec.Status != StatusUndoing:
		return nil, ErrBusy
	case len(rec.Snapshots) == 0:
		return nil, errs.New(errs.Conflict, "the merge cannot be undone: a profile it joined was erased")
	}
	if err := s.startUnmerge(ctx, rec); err != nil {
		return nil, err
	}
	if err := s.runUnmerge(ctx, rec); err != nil {
		return nil, err
	}
	out := []*profile.Profile{}
	for _, id := range append([]string{rec.SurvivorID}, rec.AbsorbedIDs...) {
		p, err := s.profiles.Stored(ctx, ws, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// startUnmerge takes the survivor's lease, checks that undoing is still
// possible, and marks the record as being undone. The survivor must still be
// live and this must be the last merge folded into it: undoing an older one
// would drop what later merges brought.
func (s *Service) startUnmerge(ctx context.Context, rec *MergeRecord) error {
	cur, err := s.profiles.Write(ctx, rec.Workspace, rec.SurvivorID, profile.Write{Op: rec.ID}, func(p *profile.Profile) error {
		switch {
		case rec.Status == StatusDone && len(p.AppliedMerges) > 0 && p.AppliedMerges[len(p.AppliedMerges)-1] != rec.ID:
			return errs.New(errs.Conflict, "later merges into this profile must be undone first")
		case rec.Status == StatusDone && !slices.Contains(p.AppliedMerges, rec.ID):
			return errs.New(errs.Conflict, "the merge is not folded into its survivor")
		}
		p.Lock = s.profiles.NewLease(rec.ID)
		return nil
	})
	if errors.Is(err, profile.ErrMerged) {
		return errs.New(errs.Conflict, "the survivor was merged again since; undo that merge first")
	}
	if err != nil {
		return err
	}
	rec.Status, rec.UndoFrom = StatusUndoing, cur
	return s.merges.Save(ctx, rec)
}

// runUnmerge performs the undo's idempotent steps and marks the record undone.
func (s *Service) runUnmerge(ctx context.Context, rec *MergeRecord) error {
	s.owners.invalidate() // identifiers move back: before and after
	defer s.owners.invalidate()
	ws, all := rec.Workspace, append([]string{rec.SurvivorID}, rec.AbsorbedIDs...)
	for _, id := range slices.Sorted(slices.Values(all)) {
		if _, err := s.profiles.Write(ctx, ws, id, profile.Write{Op: rec.ID, Merged: true}, func(p *profile.Profile) error {
			p.Lock = s.profiles.NewLease(rec.ID)
			return nil
		}); err != nil {
			return err
		}
	}
	if rec.UndoFrom == nil { // an undo started by an earlier version
		cur, err := s.profiles.Stored(ctx, ws, rec.SurvivorID)
		if err != nil {
			return err
		}
		rec.UndoFrom = cur
	}
	plan := planUnmerge(rec)
	for _, snap := range rec.Snapshots[1:] {
		if err := s.restore(ctx, rec, snap, plan); err != nil {
			return err
		}
	}
	if err := s.fault("unmerge:restored"); err != nil {
		return err
	}
	if err := s.unfold(ctx, rec, plan); err != nil {
		return err
	}
	if err := s.unlockAll(ctx, ws, all, rec.ID); err != nil {
		return err
	}
	now := s.Now()
	rec.Status, rec.UndoneAt = StatusUndone, &now
	return s.merges.Save(ctx, rec)
}

// restore brings one absorbed profile back from its before-image, with the
// identifiers and observations the plan gives it.
func (s *Service) restore(ctx context.Context, rec *MergeRecord, snap *profile.Profile, plan unmergePlan) error {
	ws, mine := rec.Workspace, plan.ids[snap.ID]
	if err := s.index.Assign(ctx, ws, mine, snap.ID); err != nil {
		return err
	}
	if err := s.events.MoveReceivedWith(ctx, ws, rec.SurvivorID, snap.ID, rec.At, mine, plan.ids[rec.SurvivorID]); err != nil {
		return err
	}
	computed, err := s.events.Recount(ctx, ws, snap.IDs())
	if err != nil {
		return err
	}
	_, err = s.profiles.Write(ctx, ws, snap.ID, profile.Write{Op: rec.ID, Merged: true, Reason: "unmerge"}, func(p *profile.Profile) error {
		p.Identities, p.Consent = append(slices.Clone(snap.Identities), plan.moved[snap.ID]...), snap.Consent
		p.CreatedAt, p.MergedInto, p.Computed, p.Absorbed = snap.CreatedAt, "", computed, snap.Absorbed
		plan.replay(p, snap)
		return nil
	})
	if err != nil {
		return err
	}
	return s.pointAt(ctx, rec, snap.Absorbed, snap.ID)
}

// unfold takes the absorbed profiles' identifiers and traits off the
// survivor, keeping what was observed since the merge with its own.
func (s *Service) unfold(ctx context.Context, rec *MergeRecord, plan unmergePlan) error {
	snap, ws := rec.Snapshots[0], rec.Workspace
	keep := plan.ids[rec.SurvivorID]
	var gone []string
	for _, a := range rec.Snapshots[1:] {
		gone = append(gone, a.IDs()...)
	}
	absorbed := without(rec.UndoFrom.Absorbed, gone...)
	computed, err := s.events.Recount(ctx, ws, append([]string{rec.SurvivorID}, absorbed...))
	if err != nil {
		return err
	}
	_, err = s.profiles.Write(ctx, ws, rec.SurvivorID, profile.Write{Op: rec.ID, Reason: "unmerge"}, func(p *profile.Profile) error {
		p.Absorbed = absorbed
		p.Identities = slices.DeleteFunc(slices.Clone(rec.UndoFrom.Identities), func(i profile.Identity) bool {
			return !slices.Contains(keep, Identifier{Type: i.Type, Value: i.Value})
		})
		plan.replay(p, snap)
		p.Consent = profile.ConsentSince(rec.UndoFrom.Consent, snap.Consent, rec.At)
		p.Computed, p.CreatedAt = computed, snap.CreatedAt
		p.AppliedMerges = slices.DeleteFunc(p.AppliedMerges, func(m string) bool { return m == rec.ID })
		p.Observations = plan.left
		if len(p.AppliedMerges) == 0 {
			p.Observations = nil
		}
		return nil
	})
	return err
}
