package profile

import (
	"context"
	"fmt"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
)

// attach claims unclaimed identifiers for pid within the per-type limits.
// retry is true when another request claimed one of them first.
func (s *Service) attach(ctx context.Context, ws auth.Workspace, rules identity.Rules, pid string, unclaimed []identity.Identifier) ([]Warning, bool, error) {
	if len(unclaimed) == 0 {
		return nil, false, nil
	}
	held, err := s.ids.ByProfile(ctx, ws, pid)
	if err != nil {
		return nil, false, err
	}
	count := map[string]int{}
	for _, c := range held {
		count[c.Type]++
	}
	var warns []Warning
	for _, id := range unclaimed {
		rule := rules.For(id.Type)
		if rule.MaxPerProfile > 0 && count[id.Type] >= rule.MaxPerProfile {
			warns = append(warns, notAttached(id, rule))
			continue
		}
		owner, err := s.ids.Claim(ctx, ws, id, pid)
		if err != nil || owner != pid {
			return warns, err == nil, err
		}
		count[id.Type]++
		if rule.MaxPerProfile == 0 {
			continue
		}
		kept, err := s.withinLimit(ctx, ws, pid, id, rule)
		if err != nil {
			return warns, false, err
		}
		if !kept {
			warns = append(warns, notAttached(id, rule))
		}
	}
	return warns, false, nil
}

// withinLimit settles a race of concurrent claims of one type on one
// profile: the earliest claims keep their place and a later one over the
// limit is released again.
func (s *Service) withinLimit(ctx context.Context, ws auth.Workspace, pid string, id identity.Identifier, rule identity.Rule) (bool, error) {
	held, err := s.ids.ByProfile(ctx, ws, pid)
	if err != nil {
		return false, err
	}
	n := 0
	for _, c := range held {
		if c.Type != id.Type {
			continue
		}
		n++
		if c.Identifier == id {
			if n <= rule.MaxPerProfile {
				return true, nil
			}
			return false, s.ids.Release(ctx, ws, id, pid)
		}
	}
	return true, nil
}

func notAttached(id identity.Identifier, rule identity.Rule) Warning {
	return Warning{Code: WarnNotAttached, Identity: &id, Message: fmt.Sprintf(
		"%s was not attached: a profile may hold at most %d %s identifiers", id, rule.MaxPerProfile, id.Type)}
}

func blockedWarning(id identity.Identifier) Warning {
	return Warning{Code: WarnBlocked, Identity: &id, Message: fmt.Sprintf("%s is blocked by the workspace's identity rules and was ignored", id)}
}
