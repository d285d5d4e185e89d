package profile

import (
	"context"
	"errors"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
)

// Sighting is a set of identifiers observed together at one time.
type Sighting struct {
	IDs    []identity.Identifier
	Source string
	At     time.Time
}

// ObserveLive is Observe on the live profile: when id was absorbed by a
// merge in the meantime, the sightings go to the profile it was merged into.
func (s *Service) ObserveLive(ctx context.Context, ws auth.Workspace, id string, seen []Sighting, reason string, change func(*Profile)) (*Profile, error) {
	for hops := 0; ; hops++ {
		p, err := s.Observe(ctx, ws, id, seen, reason, change)
		if !errors.Is(err, ErrMerged) || hops >= maxHops {
			return p, err
		}
		live, err := s.Get(ctx, ws, id)
		if err != nil {
			return nil, err
		}
		id = live.ID
	}
}

// Observe records sightings of identifiers on the profile (creating it when
// its identifiers were just claimed for it) and applies change. Identifiers
// the profile may not hold (a concurrent attach reached the type's limit
// first) are released from the identity index again.
func (s *Service) Observe(ctx context.Context, ws auth.Workspace, id string, seen []Sighting, reason string, change func(*Profile)) (*Profile, error) {
	rules, err := s.workspaces.IdentityRules(ctx, ws)
	if err != nil {
		return nil, err
	}
	var refused []identity.Identifier
	p, err := s.Update(ctx, ws, id, true, reason, func(p *Profile) error {
		refused = nil
		for _, sg := range seen {
			refused = append(refused, touchIdentities(p, rules, sg.IDs, sg.Source, sg.At)...)
		}
		change(p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range refused {
		if err := s.ids.Release(ctx, ws, r, p.ID); err != nil {
			return nil, err
		}
	}
	return p, nil
}
