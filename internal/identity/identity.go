// Package identity normalizes customer identifiers, holds the workspace rules
// that govern them, and declares the identity index that maps each identifier
// to the one profile holding it.
package identity

import (
	"context"

	"github.com/cdp-dev/cdp/internal/auth"
)

// Store is the identity index: one document per (workspace, identifier),
// keyed so that claiming an identifier is an insert that cannot succeed twice.
type Store interface {
	// Owners returns, for each identifier that is claimed, the id of the
	// profile that holds it. Unclaimed identifiers are absent from the map.
	Owners(ctx context.Context, ws auth.Workspace, ids []Identifier) (map[Identifier]string, error)
	// Claim attaches id to profileID if nobody holds it yet. It returns the
	// holder after the call: profileID when the claim succeeded (or was
	// already ours), another profile's id when someone else holds it.
	Claim(ctx context.Context, ws auth.Workspace, id Identifier, profileID string) (owner string, err error)
	// Assign moves the listed identifiers, wherever they are, to profileID.
	Assign(ctx context.Context, ws auth.Workspace, ids []Identifier, profileID string) error
	// Release removes id from the index if profileID holds it.
	Release(ctx context.Context, ws auth.Workspace, id Identifier, profileID string) error
	// ClaimMany claims identifiers for new profiles in one write and returns
	// the positions of the claims another profile held already.
	ClaimMany(ctx context.Context, ws auth.Workspace, claims []Claim) (lost []int, err error)
}

// Claim is an identifier claimed for a profile.
type Claim struct {
	ID        Identifier
	ProfileID string
}

// Dedupe returns ids without repeats, keeping the first occurrence's order.
func Dedupe(ids []Identifier) []Identifier {
	seen := make(map[Identifier]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
