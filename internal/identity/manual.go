package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/profile"
)

// MaxManualMerge bounds the profiles one manual merge may absorb.
const MaxManualMerge = 20

// MergeProfiles merges profiles into the survivor by hand. The identity
// limits still apply: a merge that would break one is refused.
func (s *Service) MergeProfiles(ctx context.Context, ws auth.Workspace, actor, survivorID string, ids []string, reason string) (*profile.Profile, error) {
	if len(ids) == 0 || len(ids) > MaxManualMerge {
		return nil, errs.Newf(errs.BadInput, "profileIds must list 1 to %d profiles", MaxManualMerge).WithField("profileIds")
	}
	if len(reason) > 500 {
		return nil, errs.New(errs.BadInput, "reason is longer than 500 characters").WithField("reason")
	}
	surv, err := s.profiles.Get(ctx, ws, survivorID)
	if err != nil {
		return nil, err
	}
	plan := mergePlan{survivor: surv.ID, rule: RuleManual, actor: actor, reason: reason}
	for _, id := range ids {
		p, err := s.profiles.Get(ctx, ws, id)
		if err != nil {
			return nil, err
		}
		if p.ID != surv.ID && !slices.Contains(plan.absorbed, p.ID) {
			plan.absorbed = append(plan.absorbed, p.ID)
		}
	}
	if len(plan.absorbed) == 0 {
		return surv, nil
	}
	set, err := s.Settings(ctx, ws)
	if err != nil {
		return nil, err
	}
	if err := s.checkLimits(ctx, ws, set.Rules, append([]string{surv.ID}, plan.absorbed...)); err != nil {
		return nil, err
	}
	if _, err := s.merge(ctx, ws, set.Rules, plan); err != nil {
		if errors.Is(err, errAborted) {
			return nil, ErrBusy
		}
		return nil, err
	}
	return s.profiles.Get(ctx, ws, surv.ID)
}

func (s *Service) checkLimits(ctx context.Context, ws auth.Workspace, rules Rules, pids []string) error {
	var all []Identifier
	for _, pid := range pids {
		p, err := s.profiles.Get(ctx, ws, pid)
		if err != nil {
			return err
		}
		all = append(all, idsOf(p)...)
	}
	if over := rules.Over(all); len(over) > 0 {
		return errs.New(errs.Conflict, fmt.Sprintf("the merged profile would hold more %s identifiers than the rules allow", strings.Join(over, ", ")))
	}
	return nil
}

// History returns the finished merges that involved the profile, newest first.
func (s *Service) History(ctx context.Context, ws auth.Workspace, profileID string) ([]*MergeRecord, error) {
	recs, err := s.merges.ByProfile(ctx, ws, profileID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(recs, func(r *MergeRecord) bool {
		return r.Status != StatusDone && r.Status != StatusUndone && r.Status != StatusUndoing
	}), nil
}
