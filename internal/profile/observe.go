package profile

import (
	"context"
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

// Observe records sightings of identifiers on the profile (creating it when
// its identifiers were just claimed for it) and applies change.
func (s *Service) Observe(ctx context.Context, ws auth.Workspace, id string, seen []Sighting, reason string, change func(*Profile)) (*Profile, error) {
	return s.Update(ctx, ws, id, true, reason, func(p *Profile) error {
		for _, sg := range seen {
			touchIdentities(p, sg.IDs, sg.Source, sg.At)
		}
		change(p)
		return nil
	})
}
