package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
)

// attach gives unclaimed identifiers to the profile, document first: they
// are written onto the profile's document within the per-type limits, and
// only then claimed in the identity index. Every identifier the index gives
// a profile is therefore on its document already, so limit checks that read
// documents (touchIdentities, join, a merge's re-check under leases) see
// every claim, including claims of requests still under way. retry is true
// when another request claimed one of them first or the profile was merged
// away; what could not be claimed is taken off the document again.
func (s *Service) attach(ctx context.Context, ws auth.Workspace, rules Rules, pid string, created bool, seen Sighting, from *profile.Profile) (*profile.Profile, []Identifier, []Warning, bool, error) {
	var refused []Identifier
	written, err := s.profiles.Write(ctx, ws, pid, profile.Write{Create: true, From: from}, func(p *profile.Profile) error {
		refused = touchIdentities(p, rules, seen.IDs, seen.Source, seen.At)
		return nil
	})
	if errors.Is(err, profile.ErrMerged) {
		return nil, nil, nil, true, nil
	}
	if err != nil {
		return nil, nil, nil, false, err
	}
	var warns []Warning
	for _, id := range refused {
		warns = append(warns, notAttached(id, rules.For(id.Type)))
	}
	// Highest priority first: when a racing request has claimed the anchor
	// (an e-mail, a member id), this one stops there and resolves again onto
	// the anchor's profile instead of creating a profile to merge later.
	order := slices.Clone(seen.IDs)
	slices.SortStableFunc(order, func(a, b Identifier) int { return rules.For(b.Type).Priority - rules.For(a.Type).Priority })
	var claimed, lost []Identifier
	for i, id := range order {
		if slices.Contains(refused, id) {
			continue
		}
		owner, err := s.index.Claim(ctx, ws, id, pid)
		if err != nil {
			return nil, claimed, warns, false, err
		}
		if owner != pid {
			lost = append(lost, order[i:]...) // this one and everything not yet claimed
			break
		}
		claimed = append(claimed, id)
	}
	if len(lost) == 0 {
		return written, claimed, warns, false, nil
	}
	return nil, claimed, nil, true, s.drop(ctx, ws, pid, lost, created && len(claimed) == 0)
}

// drop takes identifiers another profile won off the profile's document. A
// profile this attempt created that won none of its identifiers was never
// born: it is left as a tombstone, which no list or lookup shows.
func (s *Service) drop(ctx context.Context, ws auth.Workspace, pid string, lost []Identifier, unborn bool) error {
	_, err := s.profiles.Write(ctx, ws, pid, profile.Write{Merged: true}, func(p *profile.Profile) error {
		if unborn {
			*p = profile.Profile{ID: p.ID, Workspace: p.Workspace, Version: p.Version, CreatedAt: p.CreatedAt, Erased: true}
			return nil
		}
		p.Identities = slices.DeleteFunc(p.Identities, func(x profile.Identity) bool {
			return slices.Contains(lost, Identifier{Type: x.Type, Value: x.Value})
		})
		return nil
	})
	if errors.Is(err, profile.ErrNotFound) {
		return nil
	}
	return err
}

func notAttached(id Identifier, rule Rule) Warning {
	return Warning{Code: WarnNotAttached, Identity: &id, Message: fmt.Sprintf(
		"%s was not attached: a profile may hold at most %d %s identifiers", id, rule.MaxPerProfile, id.Type)}
}

func blockedWarning(id Identifier) Warning {
	return Warning{Code: WarnBlocked, Identity: &id, Message: fmt.Sprintf("%s is blocked by the workspace's identity rules and was ignored", id)}
}
