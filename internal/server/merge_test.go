package server_test

import (
	"testing"

	"github.com/cdp-dev/cdp/internal/auth"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

const (
	mergeQ   = `mutation($s: ID!, $ids: [ID!]!) { mergeProfiles(survivorId: $s, profileIds: $ids, reason: "same person, confirmed by phone") { id } }`
	historyQ = `query($id: ID!) { mergeHistory(profileId: $id) { id survivorId absorbedIds identifiers { type value } rule actor reason undoneAt } }`
	unmergeQ = `mutation($m: ID!) { unmergeProfile(mergeId: $m) { id traits identities { type value } computed { eventCount } events { totalCount } } }`
)

func TestManualMergeAndUndoAfterFurtherEvents(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	a := identify(t, s, tok, map[string]any{"name": "Ann", "city": "BKK"}, "email", "ann@example.com")
	b := identify(t, s, tok, map[string]any{"tier": "gold"}, "line_uid", "Uann")
	aID, bID := Str(a, "profile", "id"), Str(b, "profile", "id")
	track(t, s, tok, "a1", "web", "email", "ann@example.com")
	track(t, s, tok, "b1", "line", "line_uid", "Uann")
	track(t, s, tok, "b2", "line", "line_uid", "Uann")

	m := s.MustDo(t, tok, mergeQ, map[string]any{"s": aID, "ids": []any{bID}})
	if Str(m, "mergeProfiles", "id") != aID {
		t.Fatalf("merge = %v", m)
	}
	h := s.MustDo(t, tok, historyQ, map[string]any{"id": bID})
	if Str(h, "mergeHistory", 0, "rule") != "manual" || Str(h, "mergeHistory", 0, "actor") != "test" || Str(h, "mergeHistory", 0, "absorbedIds", 0) != bID {
		t.Fatalf("history = %v", h)
	}
	mergeID := Str(h, "mergeHistory", 0, "id")

	// After the merge: one event through B's identifier, one through A's, a new trait.
	track(t, s, tok, "b3", "line", "line_uid", "Uann")
	track(t, s, tok, "a2", "web", "email", "ann@example.com")
	identify(t, s, tok, map[string]any{"city": "Chiang Mai"}, "email", "ann@example.com")
	if p := byIdentity(t, s, tok, "line_uid", "Uann"); Str(p, "id") != aID || Str(p, "computed", "eventCount") != "5" {
		t.Fatalf("merged profile = %v", p)
	}

	u := s.MustDo(t, tok, unmergeQ, map[string]any{"m": mergeID})
	if len(Get(u, "unmergeProfile").([]any)) != 2 {
		t.Fatalf("unmerge = %v", u)
	}
	pa, pb := byIdentity(t, s, tok, "email", "ann@example.com"), byIdentity(t, s, tok, "line_uid", "Uann")
	if Str(pa, "id") != aID || Str(pb, "id") != bID {
		t.Fatalf("after undo: email -> %s, line -> %s", Str(pa, "id"), Str(pb, "id"))
	}
	if Str(pa, "traits") != `{"city":"Chiang Mai","name":"Ann"}` || Str(pa, "identities") != `[{"type":"email","value":"ann@example.com"}]` {
		t.Errorf("A after undo = %v", pa)
	}
	if Str(pb, "traits") != `{"tier":"gold"}` || Str(pb, "identities") != `[{"type":"line_uid","value":"Uann"}]` {
		t.Errorf("B after undo = %v", pb)
	}
	if Str(pa, "computed", "eventCount") != "2" || Str(pb, "computed", "eventCount") != "3" || Str(pb, "events", "totalCount") != "3" {
		t.Errorf("events after undo: A %v, B %v", Str(pa, "computed"), Str(pb, "computed"))
	}
	h = s.MustDo(t, tok, historyQ, map[string]any{"id": aID})
	if Str(h, "mergeHistory", 0, "undoneAt") == "" {
		t.Errorf("history after undo = %v", h)
	}
	if r := s.Do(t, tok, unmergeQ, map[string]any{"m": mergeID}); len(r.Errors) != 1 || r.Errors[0].Code() != "CONFLICT" {
		t.Errorf("second undo: %+v", r.Errors)
	}
}

func TestManualMergeRespectsLimits(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	a := identify(t, s, tok, nil, "crm_id", "C1")
	b := identify(t, s, tok, nil, "crm_id", "C2")
	r := s.Do(t, tok, mergeQ, map[string]any{"s": Str(a, "profile", "id"), "ids": []any{Str(b, "profile", "id")}})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "CONFLICT" {
		t.Fatalf("errors = %+v", r.Errors)
	}
	if r := s.Do(t, tok, mergeQ, map[string]any{"s": Str(a, "profile", "id"), "ids": []any{"nope"}}); len(r.Errors) != 1 || r.Errors[0].Code() != "NOT_FOUND" {
		t.Fatalf("unknown profile: %+v", r.Errors)
	}
	// A second crm_id on one profile is not attached.
	c := identify(t, s, tok, nil, "crm_id", "C1", "crm_id", "C3")
	if Str(c, "warnings", 0, "code") != "IDENTIFIER_NOT_ATTACHED" || Str(byIdentity(t, s, tok, "crm_id", "C3"), "id") != "" {
		t.Fatalf("second crm_id: %v", c)
	}
}

func TestDeleteProfileErasesEverything(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	a := identify(t, s, tok, map[string]any{"name": "Eve"}, "email", "eve@example.com")
	identify(t, s, tok, nil, "line_uid", "Ueve")
	track(t, s, tok, "e1", "web", "email", "eve@example.com")
	track(t, s, tok, "e2", "line", "line_uid", "Ueve")
	merged := identify(t, s, tok, nil, "email", "eve@example.com", "line_uid", "Ueve")
	id := Str(merged, "profile", "id")

	if r := s.Do(t, Token(t, "acme", auth.ScopeProfilesWrite), `mutation($id: ID!) { deleteProfile(id: $id) { profileId } }`, map[string]any{"id": id}); len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
		t.Fatalf("delete without profiles:delete: %+v", r.Errors)
	}
	d := s.MustDo(t, tok, `mutation($id: ID!) { deleteProfile(id: $id) { profileId profilesDeleted identitiesDeleted eventsDeleted auditRecordsScrubbed } }`, map[string]any{"id": Str(a, "profile", "id")})
	want := `{"auditRecordsScrubbed":1,"eventsDeleted":2,"identitiesDeleted":2,"profileId":"` + id + `","profilesDeleted":2}`
	if got := Str(d, "deleteProfile"); got != want {
		t.Fatalf("report = %s\nwant     %s", got, want)
	}
	if byIdentity(t, s, tok, "email", "eve@example.com") != nil || Str(s.MustDo(t, tok, countQ, nil), "profiles", "totalCount") != "0" {
		t.Fatal("profile still readable")
	}
	h := s.MustDo(t, tok, historyQ, map[string]any{"id": id})
	if Str(h, "mergeHistory", 0, "identifiers") != "[]" {
		t.Fatalf("merge record keeps personal data: %v", h)
	}
	again := identify(t, s, tok, nil, "email", "eve@example.com")
	if Str(again, "created") != "true" || Str(again, "profile", "id") == id || Str(again, "profile", "traits") != "{}" {
		t.Fatalf("identify after erasure = %v", again)
	}
}
