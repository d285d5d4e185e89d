// Package identity normalizes customer identifiers and resolves them to the
// one profile that holds them.
package identity

import (
	"context"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
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
}

// ErrAmbiguous is returned when identifiers belong to several profiles and no
// merge may join them.
var ErrAmbiguous = errs.New(errs.Conflict, "the identifiers belong to different profiles")

// Resolution is the outcome of resolving a set of identifiers.
type Resolution struct {
	// ProfileID is the profile that now holds every identifier.
	ProfileID string
	// Created is true when no profile held any of the identifiers.
	Created bool
	// Claimed lists the identifiers newly attached to the profile.
	Claimed []Identifier
}

// Resolver turns identifiers into a profile id, claiming the unknown ones.
type Resolver struct {
	store Store
	newID func() string
}

// NewResolver returns a Resolver; newID makes ids for new profiles.
func NewResolver(store Store, newID func() string) *Resolver {
	return &Resolver{store: store, newID: newID}
}

// maxAttempts bounds the retries when concurrent requests claim the same
// identifiers.
const maxAttempts = 5

// Resolve finds the profile holding ids, or allocates a new profile id and
// claims them for it. Identifiers held by different profiles are a Conflict.
// The profile document itself is the caller's to create: a crash after the
// claims leaves identifiers that point at the new id, and the next resolve of
// them returns that id again, so creation completes on the next touch.
func (r *Resolver) Resolve(ctx context.Context, ws auth.Workspace, ids []Identifier) (Resolution, error) {
	if len(ids) == 0 {
		return Resolution{}, errs.New(errs.BadInput, "at least one identity is required")
	}
	for range maxAttempts {
		res, retry, err := r.attempt(ctx, ws, ids)
		if err != nil || !retry {
			return res, err
		}
	}
	return Resolution{}, errs.New(errs.Conflict, "identifiers are being changed concurrently; retry the request")
}

func (r *Resolver) attempt(ctx context.Context, ws auth.Workspace, ids []Identifier) (Resolution, bool, error) {
	owners, err := r.store.Owners(ctx, ws, ids)
	if err != nil {
		return Resolution{}, false, err
	}
	res := Resolution{}
	for _, id := range ids {
		if o, ok := owners[id]; ok {
			if res.ProfileID != "" && res.ProfileID != o {
				return Resolution{}, false, ErrAmbiguous
			}
			res.ProfileID = o
		}
	}
	if res.ProfileID == "" {
		res.ProfileID, res.Created = r.newID(), true
	}
	for _, id := range ids {
		if _, ok := owners[id]; ok {
			continue
		}
		owner, err := r.store.Claim(ctx, ws, id, res.ProfileID)
		if err != nil {
			return Resolution{}, false, err
		}
		if owner != res.ProfileID {
			return Resolution{}, true, nil // lost a race: look again
		}
		res.Claimed = append(res.Claimed, id)
	}
	return res, false, nil
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
