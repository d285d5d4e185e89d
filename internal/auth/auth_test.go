package auth_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
)

func TestPrincipalHas(t *testing.T) {
	admin := auth.Principal{Scopes: []auth.Scope{auth.ScopeAdmin}}
	reader := auth.Principal{Scopes: []auth.Scope{auth.ScopeProfilesRead}}
	me := auth.Principal{Scopes: []auth.Scope{auth.ScopeMe}}
	tests := []struct {
		name string
		p    auth.Principal
		s    auth.Scope
		want bool
	}{
		{"admin grants profiles:write", admin, auth.ScopeProfilesWrite, true},
		{"admin grants content:write", admin, auth.ScopeContentWrite, true},
		{"admin grants admin", admin, auth.ScopeAdmin, true},
		{"admin does not grant me", admin, auth.ScopeMe, false},
		{"exact scope", reader, auth.ScopeProfilesRead, true},
		{"other scope", reader, auth.ScopeProfilesWrite, false},
		{"reader is not admin", reader, auth.ScopeAdmin, false},
		{"me grants me", me, auth.ScopeMe, true},
		{"me grants nothing else", me, auth.ScopeProfilesRead, false},
		{"no scopes", auth.Principal{}, auth.ScopeProfilesRead, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Has(tc.s); got != tc.want {
				t.Fatalf("Has(%q) = %v, want %v", tc.s, got, tc.want)
			}
			err := tc.p.Require(tc.s)
			if tc.want != (err == nil) {
				t.Fatalf("Require(%q) = %v", tc.s, err)
			}
			if err != nil && errs.KindOf(err) != errs.Forbidden {
				t.Fatalf("Require kind = %v, want FORBIDDEN", errs.KindOf(err))
			}
		})
	}
}

func TestAllScopes(t *testing.T) {
	all := auth.AllScopes()
	if slices.Contains(all, auth.ScopeMe) {
		t.Fatal("AllScopes contains me")
	}
	for _, s := range []auth.Scope{auth.ScopeProfilesRead, auth.ScopeProfilesWrite, auth.ScopeEventsWrite,
		auth.ScopeSegmentsWrite, auth.ScopeJourneysWrite, auth.ScopeContentWrite, auth.ScopeAdmin} {
		if !slices.Contains(all, s) {
			t.Fatalf("AllScopes lacks %q", s)
		}
	}
	all[0] = "mutated"
	if auth.AllScopes()[0] == "mutated" {
		t.Fatal("AllScopes shares its backing array")
	}
}

func TestParseScopes(t *testing.T) {
	tests := []struct {
		in   string
		want []auth.Scope
	}{
		{"", []auth.Scope{}},
		{"   ", []auth.Scope{}},
		{"admin", []auth.Scope{auth.ScopeAdmin}},
		{" profiles:read  events:write ", []auth.Scope{auth.ScopeProfilesRead, auth.ScopeEventsWrite}},
	}
	for _, tc := range tests {
		if got := auth.ParseScopes(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("ParseScopes(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseIdentityRef(t *testing.T) {
	tests := []struct {
		in      string
		want    auth.IdentityRef
		wantErr bool
	}{
		{in: "line_uid:U123", want: auth.IdentityRef{Type: "line_uid", Value: "U123"}},
		{in: "email:a@b.c", want: auth.IdentityRef{Type: "email", Value: "a@b.c"}},
		{in: "ext:a:b:c", want: auth.IdentityRef{Type: "ext", Value: "a:b:c"}},
		{in: "", wantErr: true},
		{in: "line_uid", wantErr: true},
		{in: ":U123", wantErr: true},
		{in: "line_uid:", wantErr: true},
		{in: ":", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := auth.ParseIdentityRef(tc.in)
			if tc.wantErr {
				if err == nil || errs.KindOf(err) != errs.BadInput {
					t.Fatalf("ParseIdentityRef(%q) = %v, %v; want BAD_USER_INPUT", tc.in, got, err)
				}
				return
			}
			if err != nil || *got != tc.want {
				t.Fatalf("ParseIdentityRef(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Fatalf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestContext(t *testing.T) {
	if _, ok := auth.FromContext(context.Background()); ok {
		t.Fatal("principal in empty context")
	}
	p := auth.Principal{Workspace: "w1", Subject: "s"}
	got, ok := auth.FromContext(auth.WithPrincipal(context.Background(), p))
	if !ok || got.Workspace != "w1" || got.Subject != "s" {
		t.Fatalf("FromContext = %+v, %v", got, ok)
	}
}

func TestMintValidation(t *testing.T) {
	good := auth.MintOptions{Workspace: "w1", TTL: time.Hour}
	tests := []struct {
		name   string
		secret []byte
		mod    func(*auth.MintOptions)
	}{
		{"empty secret", nil, func(*auth.MintOptions) {}},
		{"no workspace", secret, func(o *auth.MintOptions) { o.Workspace = "" }},
		{"zero TTL", secret, func(o *auth.MintOptions) { o.TTL = 0 }},
		{"negative TTL", secret, func(o *auth.MintOptions) { o.TTL = -time.Second }},
		{"scope with space", secret, func(o *auth.MintOptions) { o.Scopes = []auth.Scope{"a b"} }},
		{"empty scope", secret, func(o *auth.MintOptions) { o.Scopes = []auth.Scope{""} }},
		{"me without identity", secret, func(o *auth.MintOptions) { o.Scopes = []auth.Scope{auth.ScopeMe} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := good
			tc.mod(&o)
			if tok, err := auth.Mint(tc.secret, o); err == nil {
				t.Fatalf("Mint succeeded: %s", tok)
			}
		})
	}
	if _, err := auth.Mint(secret, good); err != nil {
		t.Fatalf("Mint(good): %v", err)
	}
}
