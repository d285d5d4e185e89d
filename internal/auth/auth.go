// Package auth verifies JWTs and carries the caller's principal.
package auth

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/cdp-dev/cdp/internal/errs"
)

// Scope is a permission carried in a token's space-separated "scope" claim.
type Scope string

// The scopes understood by the service.
const (
	// ScopeProfilesRead allows reading profiles.
	ScopeProfilesRead Scope = "profiles:read"
	// ScopeProfilesWrite allows creating, updating and merging profiles.
	ScopeProfilesWrite Scope = "profiles:write"
	// ScopeProfilesDelete allows erasing profiles (deleteProfile).
	ScopeProfilesDelete Scope = "profiles:delete"
	// ScopeEventsWrite allows ingesting events.
	ScopeEventsWrite Scope = "events:write"
	// ScopeSegmentsWrite allows managing segments.
	ScopeSegmentsWrite Scope = "segments:write"
	// ScopeJourneysWrite allows managing journeys.
	ScopeJourneysWrite Scope = "journeys:write"
	// ScopeContentWrite allows managing content.
	ScopeContentWrite Scope = "content:write"
	// ScopeMe is held by end-user tokens: access to the caller's own profile
	// only, identified by the token's identity claim. ScopeAdmin does not
	// imply it.
	ScopeMe Scope = "me"
	// ScopeAdmin grants every scope except ScopeMe.
	ScopeAdmin Scope = "admin"
)

// AllScopes returns every service scope (including ScopeAdmin) except
// ScopeMe, e.g. for minting a development token. The slice is a fresh copy.
func AllScopes() []Scope {
	return []Scope{
		ScopeProfilesRead,
		ScopeProfilesWrite,
		ScopeEventsWrite,
		ScopeSegmentsWrite,
		ScopeJourneysWrite,
		ScopeContentWrite,
		ScopeAdmin,
	}
}

// KnownScopes returns every scope the service understands: the service
// scopes, ScopeProfilesDelete and ScopeMe. The slice is a fresh copy.
func KnownScopes() []Scope {
	return append(AllScopes(), ScopeProfilesDelete, ScopeMe)
}

// ParseScopes splits a space-separated scope claim, dropping empty entries.
func ParseScopes(s string) []Scope {
	fields := strings.Fields(s)
	out := make([]Scope, 0, len(fields))
	for _, f := range fields {
		out = append(out, Scope(f))
	}
	return out
}

// Workspace identifies the tenant a principal acts in.
type Workspace string

// IdentityRef names an end user by one of their identifiers, e.g.
// {Type: "line_uid", Value: "U123"}.
type IdentityRef struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// String returns the "type:value" form accepted by ParseIdentityRef.
func (r IdentityRef) String() string { return r.Type + ":" + r.Value }

// ParseIdentityRef parses "type:value", splitting on the first colon, so the
// value may itself contain colons. Both parts must be non-empty.
func ParseIdentityRef(s string) (*IdentityRef, error) {
	typ, val, ok := strings.Cut(s, ":")
	if !ok || typ == "" || val == "" {
		return nil, errs.Newf(errs.BadInput, "invalid identity %q: want type:value", s)
	}
	return &IdentityRef{Type: typ, Value: val}, nil
}

// Principal is the verified caller of a request.
type Principal struct {
	// Workspace is the tenant from the token's "ws" claim.
	Workspace Workspace
	// Subject is the token's "sub" claim.
	Subject string
	// Scopes are the token's granted scopes.
	Scopes []Scope
	// Identity is set for end-user tokens (claim "identity").
	Identity *IdentityRef
	// ExpiresAt is the token's expiry.
	ExpiresAt time.Time
}

// Has reports whether p holds scope s. ScopeAdmin grants every scope except
// ScopeMe, which must be held explicitly.
func (p Principal) Has(s Scope) bool {
	if slices.Contains(p.Scopes, s) {
		return true
	}
	return s != ScopeMe && slices.Contains(p.Scopes, ScopeAdmin)
}

// Require returns nil when p holds scope s, and a Forbidden error otherwise.
func (p Principal) Require(s Scope) error {
	if p.Has(s) {
		return nil
	}
	return errs.Newf(errs.Forbidden, "missing scope %q", string(s))
}

type principalKey struct{}

// WithPrincipal returns a copy of ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal stored by WithPrincipal, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
