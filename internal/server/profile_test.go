package server_test

import (
	"testing"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

func TestIdentifyTrackQueryRoundTrip(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	d := s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{
		"identities": ids("email", "  Alice@Example.COM ", "line_uid", "U123", "phone", "+66 81 234 5678"),
		"traits":     map[string]any{"name": "Alice", "address": map[string]any{"city": "Bangkok"}},
		"source":     "line",
	}})
	if Str(d, "identify", "created") != "true" {
		t.Fatalf("first identify did not create: %v", d)
	}
	id := Str(d, "identify", "profile", "id")
	if got := Str(d, "identify", "profile", "identities", 0, "value"); got != "alice@example.com" {
		t.Errorf("email normalized to %q", got)
	}
	if got := Str(d, "identify", "profile", "identities", 2, "value"); got != "+66812345678" {
		t.Errorf("phone normalized to %q", got)
	}

	// Same person again by another identifier: same profile, traits deep-merged, null removes.
	d = s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{
		"identities": ids("line_uid", "U123", "member_id", "M-9"),
		"traits":     map[string]any{"address": map[string]any{"zip": "10110"}, "name": nil, "tier": "gold"},
	}})
	if Str(d, "identify", "created") != "false" || Str(d, "identify", "profile", "id") != id {
		t.Fatalf("second identify went elsewhere: %v", d)
	}
	if got := Str(d, "identify", "profile", "traits"); got != `{"address":{"city":"Bangkok","zip":"10110"},"tier":"gold"}` {
		t.Errorf("traits = %s", got)
	}

	r := s.MustDo(t, tok, trackQ, map[string]any{"ev": []any{
		map[string]any{"messageId": "m1", "type": "order_completed", "channel": "web", "identities": ids("email", "alice@example.com"),
			"properties": map[string]any{"total": 42.5}, "timestamp": "2026-01-02T03:04:05Z"},
		map[string]any{"messageId": "m2", "type": "message_received", "channel": "LINE", "identities": ids("line_uid", "U123"),
			"timestamp": "2026-01-03T00:00:00Z"},
	}})
	if Str(r, "trackEvents", "accepted") != "2" {
		t.Fatalf("track: %v", r)
	}

	q := `query($id: ID!) { profile(id: $id) { id computed { eventCount channels firstSeen lastSeen }
		events { totalCount edges { node { messageId type channel properties } } } } }`
	p := s.MustDo(t, tok, q, map[string]any{"id": id})
	if got := Str(p, "profile", "computed"); got != `{"channels":["line","web"],"eventCount":2,"firstSeen":"2026-01-02T03:04:05Z","lastSeen":"2026-01-03T00:00:00Z"}` {
		t.Errorf("computed = %s", got)
	}
	if Str(p, "profile", "events", "edges", 0, "node", "messageId") != "m2" {
		t.Errorf("events not newest first: %s", Str(p, "profile", "events"))
	}
	if Str(p, "profile", "events", "edges", 1, "node", "properties") != `{"total":42.5}` {
		t.Errorf("properties = %s", Str(p, "profile", "events", "edges", 1, "node", "properties"))
	}

	byID := s.MustDo(t, tok, `{ profileByIdentity(type: "email", value: "ALICE@example.com") { id } }`, nil)
	if Str(byID, "profileByIdentity", "id") != id {
		t.Errorf("profileByIdentity = %v", byID)
	}
	none := s.MustDo(t, tok, `{ profileByIdentity(type: "email", value: "nobody@example.com") { id } profile(id: "nope") { id } }`, nil)
	if Get(none, "profileByIdentity") != nil || Get(none, "profile") != nil {
		t.Errorf("unknown lookups = %v", none)
	}
}

func TestWorkspaceIsolation(t *testing.T) {
	s := Start(t)
	a, b := Token(t, "acme"), Token(t, "globex")
	d := s.MustDo(t, a, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "bob@example.com"), "traits": map[string]any{"vip": true}}})
	id := Str(d, "identify", "profile", "id")
	s.MustDo(t, a, trackQ, map[string]any{"ev": []any{map[string]any{"messageId": "m1", "type": "x", "identities": ids("email", "bob@example.com")}}})

	q := `query($id: ID!) { profile(id: $id) { id } profileByIdentity(type: "email", value: "bob@example.com") { id }
		profiles(filter: {traits: [{key: "vip", value: true}]}) { totalCount edges { node { id } } } }`
	got := s.MustDo(t, b, q, map[string]any{"id": id})
	if Get(got, "profile") != nil || Get(got, "profileByIdentity") != nil || Str(got, "profiles", "totalCount") != "0" {
		t.Fatalf("workspace globex saw acme's data: %v", got)
	}
	r := s.Do(t, b, `mutation($id: ID!) { setConsent(profileId: $id, channel: "email", granted: true) { id } }`, map[string]any{"id": id})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "NOT_FOUND" {
		t.Fatalf("setConsent across workspaces: %+v", r)
	}
	// The same messageId and identifier in globex are globex's own.
	tr := s.MustDo(t, b, trackQ, map[string]any{"ev": []any{map[string]any{"messageId": "m1", "type": "x", "identities": ids("email", "bob@example.com")}}})
	if Str(tr, "trackEvents", "accepted") != "1" {
		t.Fatalf("globex event: %v", tr)
	}
	mine := s.MustDo(t, b, `{ profileByIdentity(type: "email", value: "bob@example.com") { id computed { eventCount } } }`, nil)
	if Str(mine, "profileByIdentity", "id") == id || Str(mine, "profileByIdentity", "computed", "eventCount") != "1" {
		t.Fatalf("globex profile = %v", mine)
	}
	again := s.MustDo(t, a, `query($id: ID!) { profile(id: $id) { computed { eventCount } } }`, map[string]any{"id": id})
	if Str(again, "profile", "computed", "eventCount") != "1" {
		t.Fatalf("acme's count changed: %v", again)
	}
}

func TestProfilesListFilterAndPagination(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	for i, tier := range []string{"gold", "silver", "gold", "gold"} {
		in := map[string]any{"identities": ids("crm_id", string(rune('a'+i))), "traits": map[string]any{"tier": tier, "n": i}}
		if i == 3 {
			in["identities"] = ids("crm_id", "d", "line_uid", "U4")
		}
		s.MustDo(t, tok, identifyQ, map[string]any{"in": in})
	}
	q := `query($after: String, $f: ProfileFilter) { profiles(first: 2, after: $after, filter: $f) {
		totalCount pageInfo { hasNextPage endCursor } edges { node { traits } } } }`
	f := map[string]any{"traits": []any{map[string]any{"key": "tier", "value": "gold"}}}
	p1 := s.MustDo(t, tok, q, map[string]any{"f": f})
	if Str(p1, "profiles", "totalCount") != "3" || Str(p1, "profiles", "pageInfo", "hasNextPage") != "true" {
		t.Fatalf("page 1 = %v", p1)
	}
	p2 := s.MustDo(t, tok, q, map[string]any{"f": f, "after": Str(p1, "profiles", "pageInfo", "endCursor")})
	if len(Get(p2, "profiles", "edges").([]any)) != 1 || Str(p2, "profiles", "pageInfo", "hasNextPage") != "false" {
		t.Fatalf("page 2 = %v", p2)
	}
	if Str(p2, "profiles", "edges", 0, "node", "traits", "n") != "3" {
		t.Fatalf("page 2 order = %v", p2)
	}
	byType := s.MustDo(t, tok, q, map[string]any{"f": map[string]any{"identityType": "line_uid"}})
	if Str(byType, "profiles", "totalCount") != "1" {
		t.Fatalf("identityType filter = %v", byType)
	}
	num := s.MustDo(t, tok, q, map[string]any{"f": map[string]any{"traits": []any{map[string]any{"key": "n", "value": 1}}}})
	if Str(num, "profiles", "totalCount") != "1" {
		t.Fatalf("numeric trait filter = %v", num)
	}
}

func TestConsentHistory(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	id := Str(s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "c@example.com")}}), "identify", "profile", "id")
	q := `mutation($id: ID!, $g: Boolean!, $src: String) { setConsent(profileId: $id, channel: "LINE", granted: $g, source: $src) {
		consent { channel purpose granted source history { granted source } } } }`
	s.MustDo(t, tok, q, map[string]any{"id": id, "g": true, "src": "line_oa"})
	d := s.MustDo(t, tok, q, map[string]any{"id": id, "g": false, "src": "call_centre"})
	want := `[{"channel":"line","granted":false,"history":[{"granted":true,"source":"line_oa"},{"granted":false,"source":"call_centre"}],"purpose":"marketing","source":"call_centre"}]`
	if got := Str(d, "setConsent", "consent"); got != want {
		t.Fatalf("consent = %s\nwant %s", got, want)
	}
}
