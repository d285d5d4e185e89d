package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/golang-jwt/jwt/v5"
)

func TestVerifyHS256(t *testing.T) {
	id := &auth.IdentityRef{Type: "line_uid", Value: "U123"}
	exp := t0.Add(time.Hour).Unix()
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
		"ws": "w1", "aud": "cdp", "exp": exp,
	}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	hs384, err := jwt.NewWithClaims(jwt.SigningMethodHS384, jwt.MapClaims{
		"ws": "w1", "aud": "cdp", "exp": exp,
	}).SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"ws": "w1", "aud": "cdp", "exp": exp,
	}).SignedString([]byte("another-secret-another-secret-xx"))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		issuer  string // verifier issuer
		token   string
		at      time.Time
		wantErr string // "" means success
		is      error  // when set, errors.Is(err, is) must hold
		want    auth.Principal
	}{
		{
			name:  "valid round trip",
			token: mint(t, auth.MintOptions{Workspace: "w1", Subject: "svc", Scopes: []auth.Scope{auth.ScopeProfilesRead, auth.ScopeEventsWrite}}),
			at:    t0.Add(time.Minute),
			want:  auth.Principal{Workspace: "w1", Subject: "svc", Scopes: []auth.Scope{auth.ScopeProfilesRead, auth.ScopeEventsWrite}, ExpiresAt: t0.Add(time.Hour)},
		},
		{
			name:  "end-user token with identity",
			token: mint(t, auth.MintOptions{Workspace: "w1", Subject: "u", Scopes: []auth.Scope{auth.ScopeMe}, Identity: id}),
			at:    t0,
			want:  auth.Principal{Workspace: "w1", Subject: "u", Scopes: []auth.Scope{auth.ScopeMe}, Identity: id, ExpiresAt: t0.Add(time.Hour)},
		},
		{
			name:  "expired within leeway accepted",
			token: mint(t, auth.MintOptions{Workspace: "w1", TTL: time.Minute}),
			at:    t0.Add(time.Minute + 30*time.Second),
			want:  auth.Principal{Workspace: "w1", Scopes: []auth.Scope{}, ExpiresAt: t0.Add(time.Minute)},
		},
		{
			name:    "expired beyond leeway",
			token:   mint(t, auth.MintOptions{Workspace: "w1", TTL: time.Minute}),
			at:      t0.Add(time.Minute + 61*time.Second),
			wantErr: "invalid token: token is expired",
			is:      jwt.ErrTokenExpired,
		},
		{
			name:    "not valid yet",
			token:   signed(t, jwt.MapClaims{"ws": "w1", "aud": "cdp", "exp": exp, "nbf": t0.Add(10 * time.Minute).Unix()}),
			at:      t0,
			wantErr: "token is not valid yet",
		},
		{
			name:    "missing exp",
			token:   signed(t, jwt.MapClaims{"ws": "w1", "aud": "cdp"}),
			at:      t0,
			wantErr: "token is missing required claim: exp claim is required",
			is:      jwt.ErrTokenRequiredClaimMissing,
		},
		{
			name:    "wrong audience",
			token:   mint(t, auth.MintOptions{Workspace: "w1", Audience: "other"}),
			at:      t0,
			wantErr: "token has invalid audience",
		},
		{
			name:    "missing audience",
			token:   signed(t, jwt.MapClaims{"ws": "w1", "exp": exp}),
			at:      t0,
			wantErr: "aud claim is required",
		},
		{
			name:   "issuer matches",
			issuer: "https://idp.example",
			token:  mint(t, auth.MintOptions{Workspace: "w1", Issuer: "https://idp.example"}),
			at:     t0,
			want:   auth.Principal{Workspace: "w1", Scopes: []auth.Scope{}, ExpiresAt: t0.Add(time.Hour)},
		},
		{
			name:    "issuer mismatch",
			issuer:  "https://idp.example",
			token:   mint(t, auth.MintOptions{Workspace: "w1", Issuer: "https://evil.example"}),
			at:      t0,
			wantErr: "token has invalid issuer",
		},
		{
			name:    "issuer missing when configured",
			issuer:  "https://idp.example",
			token:   mint(t, auth.MintOptions{Workspace: "w1"}),
			at:      t0,
			wantErr: "iss claim is required",
		},
		{
			name:    "alg none",
			token:   none,
			at:      t0,
			wantErr: "invalid token:",
		},
		{
			name:    "HS384 not accepted",
			token:   hs384,
			at:      t0,
			wantErr: "token signature is invalid",
		},
		{
			name:    "wrong secret",
			token:   otherKey,
			at:      t0,
			wantErr: "token signature is invalid",
		},
		{
			name:    "missing ws",
			token:   signed(t, jwt.MapClaims{"aud": "cdp", "exp": exp, "scope": "admin"}),
			at:      t0,
			wantErr: "token is missing ws claim",
		},
		{
			name:    "me without identity",
			token:   signed(t, jwt.MapClaims{"ws": "w1", "aud": "cdp", "exp": exp, "scope": "me"}),
			at:      t0,
			wantErr: `scope "me" requires an identity claim`,
		},
		{
			name:    "incomplete identity",
			token:   signed(t, jwt.MapClaims{"ws": "w1", "aud": "cdp", "exp": exp, "scope": "me", "identity": map[string]string{"type": "email"}}),
			at:      t0,
			wantErr: "identity claim needs type and value",
		},
		{
			name:    "malformed",
			token:   "not.a.jwt",
			at:      t0,
			wantErr: "token is malformed",
		},
		{
			name:    "empty",
			token:   "",
			at:      t0,
			wantErr: "missing bearer token",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := auth.NewVerifier(t.Context(), auth.Options{Secret: secret, Issuer: tc.issuer, Now: fixed(tc.at)})
			if err != nil {
				t.Fatal(err)
			}
			p, err := v.Verify(context.Background(), tc.token)
			if tc.wantErr != "" {
				wantUnauthenticated(t, err, tc.wantErr)
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Fatalf("errors.Is(%v, %v) = false", err, tc.is)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			assertPrincipal(t, p, tc.want)
		})
	}
}
