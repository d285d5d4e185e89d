package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/profile"
)

// errAborted means a merge found one of its profiles merged elsewhere first;
// nothing was moved and the caller resolves again.
var errAborted = errs.New(errs.Conflict, "merge aborted: a profile was merged concurrently")

type mergePlan struct {
	survivor    string
	absorbed    []string
	identifiers []Identifier
	rule        string
	actor       string
	reason      string
}

// merge writes the merge record first, then runs the merge's steps.
func (s *Service) merge(ctx context.Context, ws auth.Workspace, rules Rules, plan mergePlan) (*MergeRecord, error) {
	rec := &MergeRecord{ID: s.newID(), Workspace: ws, SurvivorID: plan.survivor, AbsorbedIDs: plan.absorbed,
		Identifiers: plan.identifiers, Rule: plan.rule, Actor: plan.actor, Reason: plan.reason, At: s.Now(), Status: StatusPending}
	if err := s.merges.Create(ctx, rec); err != nil {
		return nil, fmt.Errorf("create merge record: %w", err)
	}
	if err := s.fault("merge:" + StatusPending); err != nil {
		return nil, err
	}
	return rec, s.runMerge(ctx, rules, rec)
}

// runMerge drives a merge record to Done from whatever step it stopped at.
// Every step is idempotent, so running it again after a crash is safe.
func (s *Service) runMerge(ctx context.Context, rules Rules, rec *MergeRecord) error {
	steps := map[string]func(context.Context, *MergeRecord) (string, error){
		StatusPending: func(ctx context.Context, rec *MergeRecord) (string, error) { return s.mergeLock(ctx, rules, rec) },
		StatusLocked:  s.mergeMove,
		StatusMoved:   s.mergeFold,
		StatusFolded:  s.mergeRelease,
	}
	for {
		step, ok := steps[rec.Status]
		if !ok {
			if rec.Status == StatusAborted {
				return errAborted
			}
			return nil
		}
		next, err := step(ctx, rec)
		if err != nil {
			return fmt.Errorf("merge %s (%s): %w", rec.ID, rec.Status, err)
		}
		rec.Status = next
		if err := s.merges.Save(ctx, rec); err != nil {
			return fmt.Errorf("save merge %s: %w", rec.ID, err)
		}
		if err := s.fault("merge:" + next); err != nil {
			return err
		}
	}
}

// mergeLock takes the lease on every profile, in id order, and keeps their
// before-images in the record.
func (s *Service) mergeLock(ctx context.Context, rules Rules, rec *MergeRecord) (string, error) {
	all := append([]string{rec.SurvivorID}, rec.AbsorbedIDs...)
	order := slices.Sorted(slices.Values(all))
	snaps := map[string]*profile.Profile{}
	var locked []string
	for _, id := range order {
		p, err := s.lock(ctx, rec.Workspace, id, rec.ID)
		if errors.Is(err, profile.ErrMerged) || errors.Is(err, profile.ErrNotFound) {
			return StatusAborted, s.unlockAll(ctx, rec.Workspace, locked, rec.ID)
		}
		if err != nil {
			return "", err
		}
		snaps[id], locked = p, append(locked, id)
	}
	if len(rec.Snapshots) == 0 {
		for _, id := range all {
			rec.Snapshots = append(rec.Snapshots, snaps[id])
		}
		if err := s.confirmHeld(ctx, rec.Workspace, rec.Snapshots); err != nil {
			return "", err
		}
	}
	// The limits are checked again under the leases: a concurrent request
	// may have attached identifiers since the merge was planned.
	if overLimits(rules, rec.Snapshots) {
		rec.Snapshots = nil
		return StatusAborted, s.unlockAll(ctx, rec.Workspace, locked, rec.ID)
	}
	return StatusLocked, nil
}

// confirmHeld keeps on each before-image only the identifiers the index
// gives that profile (or a profile merged into it). A document may list an
// identifier for a moment without holding it: attach writes it there before
// claiming it, and takes it off again when another request won it. A merge
// must neither move nor fold such an identifier, or it would take it from
// the profile that holds it.
func (s *Service) confirmHeld(ctx context.Context, ws auth.Workspace, snaps []*profile.Profile) error {
	var all []Identifier
	for _, p := range snaps {
		all = append(all, idsOf(p)...)
	}
	owners, err := s.index.Owners(ctx, ws, all)
	if err != nil {
		return err
	}
	for _, p := range snaps {
		ids := p.IDs()
		p.Identities = slices.DeleteFunc(p.Identities, func(x profile.Identity) bool {
			return !slices.Contains(ids, owners[Identifier{Type: x.Type, Value: x.Value}])
		})
	}
	return nil
}

func overLimits(rules Rules, ps []*profile.Profile) bool {
	var all []Identifier
	for _, p := range ps {
		all = append(all, idsOf(p)...)
	}
	return len(rules.Over(all)) > 0
}

// lock sets the operation's lease on a profile (creating a profile whose
// identifiers were claimed but whose document is missing).
func (s *Service) lock(ctx context.Context, ws auth.Workspace, id, op string) (*profile.Profile, error) {
	return s.profiles.Lease(ctx, ws, id, op, false)
}

func (s *Service) unlockAll(ctx context.Context, ws auth.Workspace, ids []string, op string) error {
	return s.profiles.Release(ctx, ws, ids, op, nil)
}

// mergeMove points the absorbed profiles' identifiers at the survivor, by
// their before-images (lookups by _id are indexed on every store; a claim
// not yet on a document still resolves through mergedInto). Events stay
// stored under the id that received them: the survivor's Absorbed list
// makes them its own, so a merge costs the same however many events there are.
func (s *Service) mergeMove(ctx context.Context, rec *MergeRecord) (string, error) {
	for _, snap := range rec.Snapshots[1:] {
		if err := s.index.Assign(ctx, rec.Workspace, idsOf(snap), rec.SurvivorID); err != nil {
			return "", err
		}
	}
	return StatusMoved, nil
}

// mergeFold folds the absorbed before-images into the survivor, once, and
// marks the absorbed profiles.
func (s *Service) mergeFold(ctx context.Context, rec *MergeRecord) (string, error) {
	_, err := s.profiles.Write(ctx, rec.Workspace, rec.SurvivorID, profile.Write{Op: rec.ID, Reason: "merge"}, func(p *profile.Profile) error {
		if slices.Contains(p.AppliedMerges, rec.ID) {
			return nil
		}
		for _, snap := range rec.Snapshots[1:] {
			profile.Fold(p, snap)
			p.Absorbed = union(p.Absorbed, snap.IDs()...)
		}
		p.AppliedMerges = append(p.AppliedMerges, rec.ID)
		return nil
	})
	if err != nil {
		return "", err
	}
	for _, snap := range rec.Snapshots[1:] {
		// The absorbed profile and everything merged into it earlier point
		// at the survivor directly: mergedInto stays one hop deep.
		if err := s.pointAt(ctx, rec, snap.IDs(), rec.SurvivorID); err != nil {
			return "", err
		}
	}
	return StatusFolded, nil
}

// pointAt sets mergedInto on the profiles (to "" to make them live again)
// and lifts the operation's lease on them.
func (s *Service) pointAt(ctx context.Context, rec *MergeRecord, ids []string, to string) error {
	return s.profiles.Release(ctx, rec.Workspace, ids, rec.ID, func(p *profile.Profile) { p.MergedInto = to })
}

// mergeRelease lifts the survivor's lease.
func (s *Service) mergeRelease(ctx context.Context, rec *MergeRecord) (string, error) {
	return StatusDone, s.unlockAll(ctx, rec.Workspace, []string{rec.SurvivorID}, rec.ID)
}

// resume finishes the merge or unmerge behind a lease that outlived its
// holder; the profile service calls it.
func (s *Service) resume(ctx context.Context, ws auth.Workspace, op string) error {
	rec, err := s.merges.Get(ctx, ws, op)
	if err != nil {
		return err
	}
	if rec == nil {
		return nil
	}
	return s.finish(ctx, rec)
}

// finish drives an unfinished record to its end.
func (s *Service) finish(ctx context.Context, rec *MergeRecord) error {
	if rec.Status == StatusUndoing {
		return s.runUnmerge(ctx, rec)
	}
	set, err := s.Settings(ctx, rec.Workspace)
	if err != nil {
		return err
	}
	if err := s.runMerge(ctx, set.Rules, rec); err != nil && !errors.Is(err, errAborted) {
		return err
	}
	return nil
}

// Recover finishes every merge and unmerge a crash left behind. Run it at
// start; it is idempotent. A record that cannot be finished does not stop
// the others: their errors are returned together.
func (s *Service) Recover(ctx context.Context) (int, error) {
	recs, err := s.merges.Unfinished(ctx, 1000)
	if err != nil {
		return 0, err
	}
	n, failed := 0, []error{}
	for _, rec := range recs {
		if err := s.finish(ctx, rec); err != nil {
			failed = append(failed, fmt.Errorf("merge %s: %w", rec.ID, err))
			continue
		}
		n++
	}
	return n, errors.Join(failed...)
}
