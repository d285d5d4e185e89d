package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

func TestMissingOrBadTokenIs401(t *testing.T) {
	s := Start(t)
	expired, err := auth.Mint(Secret, auth.MintOptions{Workspace: "acme", Scopes: auth.AllScopes(), TTL: time.Minute,
		Now: func() time.Time { return time.Now().Add(-time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := auth.Mint([]byte(strings.Repeat("z", 40)), auth.MintOptions{Workspace: "acme", TTL: time.Hour})
	for name, tok := range map[string]string{"none": "", "garbage": "abc.def.ghi", "expired": expired, "other secret": other} {
		t.Run(name, func(t *testing.T) {
			r := s.Do(t, tok, countQ, nil)
			if r.Status != http.StatusUnauthorized || len(r.Errors) != 1 || r.Errors[0].Code() != "UNAUTHENTICATED" {
				t.Fatalf("got %d %+v", r.Status, r.Errors)
			}
		})
	}
}

func TestScopesAreEnforced(t *testing.T) {
	s := Start(t)
	ro := Token(t, "acme", auth.ScopeProfilesRead)
	r := s.Do(t, ro, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "x@example.com")}})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
		t.Fatalf("identify with profiles:read: %+v", r.Errors)
	}
	r = s.Do(t, ro, trackQ, map[string]any{"ev": []any{}})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
		t.Fatalf("trackEvents with profiles:read: %+v", r.Errors)
	}
	if n := Str(s.MustDo(t, Token(t, "acme"), countQ, nil), "profiles", "totalCount"); n != "0" {
		t.Fatalf("forbidden call wrote %s profiles", n)
	}
}

func TestEndUserSeesOnlyOwnProfile(t *testing.T) {
	s := Start(t)
	svc := Token(t, "acme")
	s.MustDo(t, svc, identifyQ, map[string]any{"in": map[string]any{"identities": ids("line_uid", "U1"), "traits": map[string]any{"name": "Ann"}}})
	s.MustDo(t, svc, identifyQ, map[string]any{"in": map[string]any{"identities": ids("line_uid", "U2"), "traits": map[string]any{"name": "Ben"}}})
	user := UserToken(t, "acme", "line_uid", "U1")
	me := s.MustDo(t, user, `{ me { traits } }`, nil)
	if Str(me, "me", "traits", "name") != "Ann" {
		t.Fatalf("me = %v", me)
	}
	r := s.Do(t, user, countQ, nil)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
		t.Fatalf("end user listed profiles: %+v", r)
	}
	if r := s.Do(t, svc, `{ me { id } }`, nil); len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
		t.Fatalf("service token on me: %+v", r)
	}
}
