package auth

import (
	"errors"
	"slices"
	"time"
)

// The longest lifetimes (exp minus iat) the verifier accepts. A leaked
// token is useful until it expires, so a lifetime is bounded even when the
// issuer would sign a longer one. End-user tokens live on phones and are
// refreshed by the app; service tokens sit in a partner's configuration.
const (
	// MaxServiceLifetime bounds service tokens: one year.
	MaxServiceLifetime = 365 * 24 * time.Hour
	// MaxEndUserLifetime bounds end-user tokens (scope me): one day.
	MaxEndUserLifetime = 24 * time.Hour
)

var (
	errServiceLifetime = errors.New("service token lifetime exceeds the maximum of 365 days")
	errEndUserLifetime = errors.New("end-user token lifetime exceeds the maximum of 24 hours")
)

// MaxLifetime returns the longest lifetime of a token granting scopes:
// MaxEndUserLifetime when they hold ScopeMe, MaxServiceLifetime otherwise.
func MaxLifetime(scopes []Scope) time.Duration {
	if slices.Contains(scopes, ScopeMe) {
		return MaxEndUserLifetime
	}
	return MaxServiceLifetime
}

// lifetimeError returns the error for a lifetime beyond the maximum for
// scopes.
func lifetimeError(scopes []Scope) error {
	if slices.Contains(scopes, ScopeMe) {
		return errEndUserLifetime
	}
	return errServiceLifetime
}

// checkLifetime refuses a token valid for longer than MaxLifetime: exp
// minus iat, or without iat, exp minus now (with the clock skew leeway, as
// the issuer's clock may run ahead). It runs after exp was checked.
func (c *Claims) checkLifetime(now time.Time) error {
	if c.ExpiresAt == nil {
		return nil
	}
	scopes := ParseScopes(c.Scope)
	limit, from := MaxLifetime(scopes), now.Add(-Leeway)
	if c.IssuedAt != nil {
		from = c.IssuedAt.Time
	}
	if c.ExpiresAt.Sub(from) > limit {
		return lifetimeError(scopes)
	}
	return nil
}
