package identity

import (
	"context"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
)

// ByIdentity returns the live profile holding the identifier, or nil when
// nobody holds it. A blocked value holds nobody.
func (s *Service) ByIdentity(ctx context.Context, ws auth.Workspace, raw RawIdentity) (*profile.Profile, error) {
	set, err := s.Settings(ctx, ws)
	if err != nil {
		return nil, err
	}
	ids, blocked, err := set.Prepare([]RawIdentity{raw})
	if err != nil && len(blocked) > 0 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	found, err := s.index.Owners(ctx, ws, ids)
	if err != nil {
		return nil, err
	}
	id, ok := found[ids[0]]
	if !ok {
		return nil, nil
	}
	return s.profiles.Find(ctx, ws, id)
}
