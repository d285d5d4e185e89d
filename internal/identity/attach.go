package identity

import (
	"context"
	"fmt"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
)

// attach claims unclaimed identifiers for the profile within the per-type
// limits, counting what its document holds (held). retry is true when
// another request claimed one of them first. Concurrent attaches that
// together pass a limit are settled when the document is written (Observe).
func (s *Service) attach(ctx context.Context, ws auth.Workspace, rules Rules, pid string, held []profile.Identity, unclaimed []Identifier) ([]Identifier, []Warning, bool, error) {
	count := map[string]int{}
	for _, h := range held {
		count[h.Type]++
	}
	var warns []Warning
	var claimed []Identifier
	for _, id := range unclaimed {
		rule := rules.For(id.Type)
		if rule.MaxPerProfile > 0 && count[id.Type] >= rule.MaxPerProfile {
			warns = append(warns, notAttached(id, rule))
			continue
		}
		owner, err := s.index.Claim(ctx, ws, id, pid)
		if err != nil || owner != pid {
			return claimed, warns, err == nil, err
		}
		claimed = append(claimed, id)
		count[id.Type]++
	}
	return claimed, warns, false, nil
}

func notAttached(id Identifier, rule Rule) Warning {
	return Warning{Code: WarnNotAttached, Identity: &id, Message: fmt.Sprintf(
		"%s was not attached: a profile may hold at most %d %s identifiers", id, rule.MaxPerProfile, id.Type)}
}

func blockedWarning(id Identifier) Warning {
	return Warning{Code: WarnBlocked, Identity: &id, Message: fmt.Sprintf("%s is blocked by the workspace's identity rules and was ignored", id)}
}
