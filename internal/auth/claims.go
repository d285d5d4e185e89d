package auth

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultAudience is the audience minted and expected when none is configured.
const DefaultAudience = "cdp"

// Claim validation failures, reported by Claims.Validate.
var (
	errMissingWorkspace = errors.New("token is missing ws claim")
	errMeNeedsIdentity  = errors.New(`scope "me" requires an identity claim`)
	errBadIdentity      = errors.New("identity claim needs type and value")
	errUnknownScope     = errors.New("token carries a scope the service does not know")
)

// Claims is the JWT payload: the registered claims plus the workspace, the
// space-separated scopes and, for end-user tokens, the identity.
type Claims struct {
	jwt.RegisteredClaims
	// Workspace is the tenant ("ws"); required.
	Workspace string `json:"ws"`
	// Scope holds space-separated scopes.
	Scope string `json:"scope"`
	// Identity names the end user; required when Scope contains "me".
	Identity *IdentityRef `json:"identity,omitempty"`
}

// Validate checks the application claims; jwt/v5 calls it after the
// registered claims are validated. The workspace is required, every scope
// must be one of KnownScopes, an identity must be complete when present,
// and scope "me" requires an identity.
func (c Claims) Validate() error {
	if c.Workspace == "" {
		return errMissingWorkspace
	}
	if !ValidWorkspace(c.Workspace) {
		return errBadWorkspace
	}
	known := KnownScopes()
	for _, s := range ParseScopes(c.Scope) {
		if !slices.Contains(known, s) {
			return errUnknownScope
		}
	}
	if c.Identity != nil && (c.Identity.Type == "" || c.Identity.Value == "") {
		return errBadIdentity
	}
	if c.Identity == nil && slices.Contains(ParseScopes(c.Scope), ScopeMe) {
		return errMeNeedsIdentity
	}
	return nil
}

// principal converts verified claims to a Principal.
func (c *Claims) principal() Principal {
	p := Principal{
		Workspace: Workspace(c.Workspace),
		Subject:   c.Subject,
		Scopes:    ParseScopes(c.Scope),
	}
	if c.Identity != nil {
		id := *c.Identity
		p.Identity = &id
	}
	if c.ExpiresAt != nil {
		p.ExpiresAt = c.ExpiresAt.Time
	}
	return p
}

// MintOptions describes a token for Mint.
type MintOptions struct {
	// Workspace is the tenant; required.
	Workspace string
	// Scopes are granted to the token; none may be empty or contain spaces.
	Scopes []Scope
	// Subject is the "sub" claim.
	Subject string
	// Identity is the end user, required with ScopeMe.
	Identity *IdentityRef
	// TTL is the lifetime; must be positive and at most MaxLifetime.
	TTL time.Duration
	// Issuer is the "iss" claim, omitted when empty.
	Issuer string
	// Audience is the "aud" claim; defaults to DefaultAudience.
	Audience string
	// Now is the clock; defaults to time.Now.
	Now func() time.Time
}

// Mint signs an HS256 token with secret. It is meant for development and
// tests; production tokens come from the identity provider.
func Mint(secret []byte, o MintOptions) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("auth: mint: empty secret")
	}
	if o.Workspace == "" {
		return "", errors.New("auth: mint: workspace is required")
	}
	if o.TTL <= 0 {
		return "", errors.New("auth: mint: TTL must be positive")
	}
	if o.TTL > MaxLifetime(o.Scopes) {
		return "", fmt.Errorf("auth: mint: %w", lifetimeError(o.Scopes))
	}
	scopes := make([]string, 0, len(o.Scopes))
	for _, s := range o.Scopes {
		if s == "" || strings.ContainsFunc(string(s), unicode.IsSpace) {
			return "", fmt.Errorf("auth: mint: invalid scope %q", string(s))
		}
		scopes = append(scopes, string(s))
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	aud := o.Audience
	if aud == "" {
		aud = DefaultAudience
	}
	t := now()
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    o.Issuer,
			Subject:   o.Subject,
			Audience:  jwt.ClaimStrings{aud},
			IssuedAt:  jwt.NewNumericDate(t),
			ExpiresAt: jwt.NewNumericDate(t.Add(o.TTL)),
		},
		Workspace: o.Workspace,
		Scope:     strings.Join(scopes, " "),
	}
	if o.Identity != nil {
		id := *o.Identity
		c.Identity = &id
	}
	if err := c.Validate(); err != nil {
		return "", fmt.Errorf("auth: mint: %w", err)
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("auth: mint: sign: %w", err)
	}
	return s, nil
}

var workspaceRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

var errBadWorkspace = errors.New("ws claim must match [A-Za-z0-9][A-Za-z0-9_-]{0,63}")

// ValidWorkspace reports whether s is a well-formed workspace id: letters,
// digits, '_' and '-', at most 64, so ids built from it stay unambiguous.
func ValidWorkspace(s string) bool { return workspaceRe.MatchString(s) }
