package server_test

import (
	"strings"
	"testing"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// A refused merge must not copy the other profile's identifier onto the
// profile the request resolved to.
func TestRefusedMergeKeepsIdentifiersApart(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	identify(t, s, tok, nil, "crm_id", "C1", "email", "a@example.com")
	b := identify(t, s, tok, nil, "crm_id", "C2", "phone", "+66812345678")
	identify(t, s, tok, nil, "email", "a@example.com", "phone", "+66812345678")
	track(t, s, tok, "e1", "web", "email", "a@example.com", "phone", "+66812345678")
	pa, pb := byIdentity(t, s, tok, "email", "a@example.com"), byIdentity(t, s, tok, "phone", "+66812345678")
	if strings.Contains(Str(pa, "identities"), "+66812345678") || strings.Contains(Str(pb, "identities"), "a@example.com") {
		t.Fatalf("identifiers crossed: A %s, B %s", Str(pa, "identities"), Str(pb, "identities"))
	}
	s.MustDo(t, tok, `mutation($id: ID!) { deleteProfile(id: $id) { profileId } }`, map[string]any{"id": Str(b, "profile", "id")})
	if byIdentity(t, s, tok, "phone", "+66812345678") != nil {
		t.Fatal("the erased profile's phone still resolves")
	}
}

func TestUndoingAnOlderMergeWaitsForLaterOnes(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	a := Str(identify(t, s, tok, nil, "crm_id", "A"), "profile", "id")
	b := Str(identify(t, s, tok, map[string]any{"b": 1}, "email", "b@example.com"), "profile", "id")
	c := Str(identify(t, s, tok, map[string]any{"c": 1}, "email", "c@example.com"), "profile", "id")
	s.MustDo(t, tok, mergeQ, map[string]any{"s": a, "ids": []any{b}})
	s.MustDo(t, tok, mergeQ, map[string]any{"s": a, "ids": []any{c}})
	h := s.MustDo(t, tok, historyQ, map[string]any{"id": a})
	older, newer := Str(h, "mergeHistory", 1, "id"), Str(h, "mergeHistory", 0, "id")
	if r := s.Do(t, tok, unmergeQ, map[string]any{"m": older}); len(r.Errors) != 1 || r.Errors[0].Code() != "CONFLICT" {
		t.Fatalf("undo of the older merge: %+v", r.Errors)
	}
	s.MustDo(t, tok, unmergeQ, map[string]any{"m": newer})
	s.MustDo(t, tok, unmergeQ, map[string]any{"m": older})
	for id, want := range map[string]string{a: "{}", b: `{"b":1}`, c: `{"c":1}`} {
		got := s.MustDo(t, tok, `query($id: ID!) { profile(id: $id) { id traits } }`, map[string]any{"id": id})
		if Str(got, "profile", "id") != id || Str(got, "profile", "traits") != want {
			t.Errorf("profile %s after both undos = %v", id, got)
		}
	}
}

// Events in the batch that merges two profiles go back with an unmerge to
// the profile whose identifiers they came with.
func TestUnmergeAfterABatchThatMerged(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	a := Str(identify(t, s, tok, nil, "member_id", "M1"), "profile", "id")
	b := Str(identify(t, s, tok, nil, "email", "b@example.com"), "profile", "id")
	ev := func(mid string, pairs ...string) map[string]any {
		return map[string]any{"messageId": mid, "type": "x", "identities": ids(pairs...)}
	}
	s.MustDo(t, tok, trackQ, map[string]any{"ev": []any{
		ev("m1", "email", "b@example.com"), ev("m2", "member_id", "M1", "email", "b@example.com"), ev("m3", "email", "b@example.com"),
	}})
	if got := byIdentity(t, s, tok, "email", "b@example.com"); Str(got, "id") != a || Str(got, "events", "totalCount") != "3" {
		t.Fatalf("merged profile = %v", got)
	}
	m := Str(s.MustDo(t, tok, historyQ, map[string]any{"id": a}), "mergeHistory", 0, "id")
	s.MustDo(t, tok, unmergeQ, map[string]any{"m": m})
	pa, pb := byIdentity(t, s, tok, "member_id", "M1"), byIdentity(t, s, tok, "email", "b@example.com")
	if Str(pa, "id") != a || Str(pb, "id") != b {
		t.Fatalf("after undo: %s, %s", Str(pa, "id"), Str(pb, "id"))
	}
	if Str(pa, "events", "totalCount") != "1" || Str(pb, "events", "totalCount") != "2" || Str(pb, "computed", "eventCount") != "2" {
		t.Fatalf("events after undo: A %v, B %v", Str(pa, "events"), Str(pb, "events"))
	}
}

func TestUpsertBatchReturnsSurvivorsOfLaterMerges(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	q := `mutation($ins: [IdentifyInput!]!) { upsertProfiles(inputs: $ins) { created mergedProfileIds profile { id } } }`
	d := s.MustDo(t, tok, q, map[string]any{"ins": []any{
		map[string]any{"identities": ids("email", "x@example.com")},
		map[string]any{"identities": ids("crm_id", "X1")},
		map[string]any{"identities": ids("email", "x@example.com", "crm_id", "X1")},
	}})
	survivor := Str(d, "upsertProfiles", 2, "profile", "id")
	if Str(d, "upsertProfiles", 0, "profile", "id") != survivor || Str(d, "upsertProfiles", 1, "profile", "id") != survivor {
		t.Fatalf("batch = %v", d)
	}
}
