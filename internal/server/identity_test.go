package server_test

import (
	"testing"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

const (
	payloadQ = `mutation($in: IdentifyInput!) { identify(input: $in) { created mergedProfileIds warnings { code identity { type value } conflictId }
		profile { id traits identities { type value } computed { eventCount channels } events { totalCount } } } }`
	byIdentityQ = `query($t: String!, $v: String!) { profileByIdentity(type: $t, value: $v) { id traits
		identities { type value } computed { eventCount channels } events { totalCount } } }`
)

func identify(t *testing.T, s *Server, tok string, traits map[string]any, pairs ...string) map[string]any {
	t.Helper()
	in := map[string]any{"identities": ids(pairs...)}
	if traits != nil {
		in["traits"] = traits
	}
	return Get(s.MustDo(t, tok, payloadQ, map[string]any{"in": in}), "identify").(map[string]any)
}

func track(t *testing.T, s *Server, tok, mid, channel string, pairs ...string) map[string]any {
	t.Helper()
	ev := map[string]any{"messageId": mid, "type": "x", "channel": channel, "identities": ids(pairs...)}
	return Get(s.MustDo(t, tok, `mutation($ev: [EventInput!]!) { trackEvents(events: $ev) { accepted duplicates
		errors { index code message } warnings { index code conflictId } } }`, map[string]any{"ev": []any{ev}}), "trackEvents").(map[string]any)
}

func byIdentity(t *testing.T, s *Server, tok, typ, value string) map[string]any {
	t.Helper()
	p, _ := Get(s.MustDo(t, tok, byIdentityQ, map[string]any{"t": typ, "v": value}), "profileByIdentity").(map[string]any)
	return p
}

// TestChannelsJoinIntoOneProfile is the design card's example: a customer
// chats on LINE, logs in on the web shop with LINE Login, then buys in a
// store with their phone and member id.
func TestChannelsJoinIntoOneProfile(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	line := identify(t, s, tok, map[string]any{"lineName": "Noi"}, "line_uid", "U1")
	track(t, s, tok, "chat-1", "line", "line_uid", "U1")
	web := identify(t, s, tok, map[string]any{"email_opt_in": true}, "email", "noi@example.com", "member_id", "M7")
	track(t, s, tok, "view-1", "web", "email", "noi@example.com")
	if Str(web, "profile", "id") == Str(line, "profile", "id") {
		t.Fatal("unrelated identifiers joined early")
	}
	login := identify(t, s, tok, nil, "line_uid", "U1", "email", "noi@example.com", "member_id", "M7")
	if len(Get(login, "mergedProfileIds").([]any)) != 1 {
		t.Fatalf("login merged %v", Get(login, "mergedProfileIds"))
	}
	r := track(t, s, tok, "pos-1", "pos", "phone", "+66812345678", "member_id", "M7")
	if Str(r, "accepted") != "1" {
		t.Fatalf("pos event: %v", r)
	}
	p := byIdentity(t, s, tok, "phone", "+66812345678")
	for _, id := range [][2]string{{"line_uid", "U1"}, {"email", "noi@example.com"}, {"member_id", "M7"}} {
		if q := byIdentity(t, s, tok, id[0], id[1]); Str(q, "id") != Str(p, "id") {
			t.Fatalf("%s resolves to %s, phone to %s", id[0], Str(q, "id"), Str(p, "id"))
		}
	}
	if got := Str(p, "computed"); got != `{"channels":["line","pos","web"],"eventCount":3}` || Str(p, "events", "totalCount") != "3" {
		t.Fatalf("computed = %s, events %s", got, Str(p, "events"))
	}
	if Str(p, "traits") != `{"email_opt_in":true,"lineName":"Noi"}` || len(Get(p, "identities").([]any)) != 4 {
		t.Fatalf("profile = %v", p)
	}
	absorbed := Str(login, "mergedProfileIds", 0)
	if got := Str(s.MustDo(t, tok, `query($id: ID!) { profile(id: $id) { id } }`, map[string]any{"id": absorbed}), "profile", "id"); got != Str(p, "id") {
		t.Fatalf("absorbed id reads %s", got)
	}
	if n := Str(s.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); n != "1" {
		t.Fatalf("%s live profiles", n)
	}
}

func TestMergeThatBreaksALimitIsRefusedAndRecorded(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	a := identify(t, s, tok, nil, "crm_id", "C1", "email", "a@example.com")
	b := identify(t, s, tok, nil, "crm_id", "C2", "phone", "+66812345678")
	r := identify(t, s, tok, map[string]any{"note": "kept"}, "email", "a@example.com", "phone", "+66812345678")
	if Str(r, "warnings", 0, "code") != "MERGE_REFUSED" || len(Get(r, "mergedProfileIds").([]any)) != 0 {
		t.Fatalf("payload = %v", r)
	}
	if id := Str(r, "profile", "id"); id != Str(a, "profile", "id") && id != Str(b, "profile", "id") {
		t.Fatalf("traits went to %s", id)
	}
	if Str(r, "profile", "traits", "note") != "kept" {
		t.Fatalf("traits lost: %v", r)
	}
	ev := track(t, s, tok, "e1", "web", "email", "a@example.com", "phone", "+66812345678")
	if Str(ev, "accepted") != "1" || Str(ev, "warnings", 0, "code") != "MERGE_REFUSED" {
		t.Fatalf("event = %v", ev)
	}
	c := s.MustDo(t, tok, `{ identityConflicts { totalCount edges { node { id type profileIds identities { type value } resolvedProfileId } } } }`, nil)
	if Str(c, "identityConflicts", "totalCount") != "1" || Str(c, "identityConflicts", "edges", 0, "node", "type") != "crm_id" {
		t.Fatalf("conflicts = %v", c)
	}
	if Str(c, "identityConflicts", "edges", 0, "node", "id") != Str(r, "warnings", 0, "conflictId") {
		t.Fatal("the warning does not name the recorded conflict")
	}
	if n := Str(s.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); n != "2" {
		t.Fatalf("%s live profiles, want 2", n)
	}
}

func TestBlockedValuesAreIgnoredAndReported(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	r := identify(t, s, tok, nil, "email", "Test@Test.com", "line_uid", "U9", "crm_id", "null")
	if len(Get(r, "warnings").([]any)) != 2 || Str(r, "warnings", 0, "code") != "IDENTIFIER_BLOCKED" {
		t.Fatalf("warnings = %v", Get(r, "warnings"))
	}
	if Str(r, "profile", "identities") != `[{"type":"line_uid","value":"U9"}]` {
		t.Fatalf("identities = %v", Str(r, "profile", "identities"))
	}
	// A second customer sending the same junk email is not merged on it.
	other := identify(t, s, tok, nil, "email", "test@test.com", "line_uid", "U10")
	if Str(other, "profile", "id") == Str(r, "profile", "id") {
		t.Fatal("merged on a blocked value")
	}
	ev := s.Do(t, tok, trackQ, map[string]any{"ev": []any{map[string]any{"messageId": "m", "type": "x", "identities": ids("anonymous_id", "undefined")}}})
	if Str(ev.Data, "trackEvents", "errors", 0, "code") != "BAD_USER_INPUT" {
		t.Fatalf("only-blocked event = %+v", ev)
	}
	set := s.MustDo(t, tok, `mutation { setIdentityRules(rules: [{type: "loyalty_card", priority: 5, maxPerProfile: 1, blockedValues: ["LC-000"]}]) { type maxPerProfile } }`, nil)
	if Str(set, "setIdentityRules") == "" {
		t.Fatal("no rules returned")
	}
	if r := identify(t, s, tok, nil, "loyalty_card", "lc-000", "line_uid", "U9"); Str(r, "warnings", 0, "code") != "IDENTIFIER_BLOCKED" {
		t.Fatalf("custom blocked value: %v", r)
	}
	rules := s.MustDo(t, tok, `{ identityRules { type priority maxPerProfile } }`, nil)
	for _, want := range []string{`{"maxPerProfile":1,"priority":100,"type":"crm_id"}`, `{"maxPerProfile":0,"priority":0,"type":"anonymous_id"}`, `{"maxPerProfile":1,"priority":5,"type":"loyalty_card"}`} {
		found := false
		for i := range Get(rules, "identityRules").([]any) {
			found = found || Str(rules, "identityRules", i) == want
		}
		if !found {
			t.Errorf("rules lack %s", want)
		}
	}
}

// TestChainedMergesKeepEveryIdReadable merges six profiles one pair at a
// time, each time into a higher-priority one: every old id still reads the
// one survivor, which holds every event.
func TestChainedMergesKeepEveryIdReadable(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	chain := [][2]string{{"anonymous_id", "a1"}, {"device_id", "d1"}, {"email", "c@example.com"}, {"line_uid", "U1"}, {"member_id", "M1"}, {"crm_id", "C1"}}
	var pids []string
	for i, id := range chain {
		pids = append(pids, Str(identify(t, s, tok, nil, id[0], id[1]), "profile", "id"))
		track(t, s, tok, "e"+id[1], "web", id[0], id[1])
		if i > 0 {
			prev := chain[i-1]
			identify(t, s, tok, nil, prev[0], prev[1], id[0], id[1])
		}
	}
	for _, pid := range pids {
		got := s.MustDo(t, tok, `query($id: ID!) { profile(id: $id) { id computed { eventCount } events { totalCount } } }`, map[string]any{"id": pid})
		if Str(got, "profile", "id") != pids[5] || Str(got, "profile", "computed", "eventCount") != "6" || Str(got, "profile", "events", "totalCount") != "6" {
			t.Fatalf("profile(%s) = %v", pid, got)
		}
	}
	if n := Str(s.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); n != "1" {
		t.Fatalf("%s live profiles", n)
	}
}
