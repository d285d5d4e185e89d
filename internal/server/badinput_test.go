package server_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

func nested(depth int) map[string]any {
	m := map[string]any{"leaf": 1}
	for i := 1; i < depth; i++ {
		m = map[string]any{"n": m}
	}
	return m
}

// TestBadInputIsRejectedAndNothingWritten sends every kind of bad input and
// checks its code and that no profile or event was stored.
func TestBadInputIsRejectedAndNothingWritten(t *testing.T) {
	future := time.Now().Add(25 * time.Hour).UTC().Format(time.RFC3339)
	good := ids("email", "ok@example.com")
	cases := []struct {
		name string
		in   map[string]any
	}{
		{"dollar key", map[string]any{"identities": good, "traits": map[string]any{"$where": 1}}},
		{"nested dollar key", map[string]any{"identities": good, "traits": map[string]any{"a": []any{map[string]any{"$set": 1}}}}},
		{"dotted key", map[string]any{"identities": good, "traits": map[string]any{"a.b": 1}}},
		{"too deep", map[string]any{"identities": good, "traits": nested(21)}},
		{"too large", map[string]any{"identities": good, "traits": map[string]any{"blob": strings.Repeat("x", 65<<10)}}},
		{"empty value", map[string]any{"identities": ids("email", "  ")}},
		{"overlong value", map[string]any{"identities": ids("crm_id", strings.Repeat("9", 300))}},
		{"bad type format", map[string]any{"identities": ids("Email-Address", "x@example.com")}},
		{"bad email", map[string]any{"identities": ids("email", "not-an-email")}},
		{"bad phone", map[string]any{"identities": ids("phone", "12")}},
		{"no identities", map[string]any{"identities": []any{}}},
		{"future timestamp", map[string]any{"identities": good, "timestamp": future}},
	}
	s := Start(t)
	tok := Token(t, "acme")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.Do(t, tok, identifyQ, map[string]any{"in": c.in})
			if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" {
				t.Fatalf("errors = %+v", r.Errors)
			}
			if strings.Contains(r.Errors[0].Message, "mongo") || r.Errors[0].Message == "" {
				t.Errorf("message = %q", r.Errors[0].Message)
			}
		})
	}
	t.Run("traits not an object", func(t *testing.T) {
		r := s.Do(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": good, "traits": []any{1, 2}}})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" {
			t.Fatalf("errors = %+v", r.Errors)
		}
	})
	if n := Str(s.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); n != "0" {
		t.Fatalf("a rejected request wrote %s profiles", n)
	}
}

func TestDepthAndSizeLimitsAreInclusive(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "deep@example.com"), "traits": nested(20)}})
}

func TestUpsertProfilesReportsBadItemsAndAppliesTheRest(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	q := `mutation($ins: [IdentifyInput!]!) { upsertProfiles(inputs: $ins) {
		created profile { id } warnings { code } error { index code field } } }`
	r := s.MustDo(t, tok, q, map[string]any{"ins": []any{
		map[string]any{"identities": ids("crm_id", "C1")},
		map[string]any{"identities": ids("crm_id", "C2"), "traits": map[string]any{"bad.key": 1}},
		map[string]any{"identities": ids("crm_id", "C3", "email", "N/A", "phone", "0000000000")},
	}})
	if Str(r, "upsertProfiles", 0, "profile", "id") == "" || Str(r, "upsertProfiles", 0, "error") != "" {
		t.Errorf("good item 0: %v", Get(r, "upsertProfiles", 0))
	}
	if Str(r, "upsertProfiles", 1, "profile") != "" || Str(r, "upsertProfiles", 1, "error", "code") != "BAD_USER_INPUT" ||
		Str(r, "upsertProfiles", 1, "error", "index") != "1" {
		t.Errorf("bad item 1: %v", Get(r, "upsertProfiles", 1))
	}
	if Str(r, "upsertProfiles", 2, "profile", "id") == "" || Str(r, "upsertProfiles", 2, "warnings") != `[{"code":"IDENTIFIER_BLOCKED"},{"code":"IDENTIFIER_BLOCKED"}]` {
		t.Errorf("item 2 with placeholder identifiers: %v", Get(r, "upsertProfiles", 2))
	}
	if n := Str(s.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); n != "2" {
		t.Fatalf("%s profiles after the batch, want the 2 good items", n)
	}
	big := make([]any, 1001)
	for i := range big {
		big[i] = map[string]any{"identities": ids("crm_id", "X")}
	}
	if r := s.Do(t, tok, q, map[string]any{"ins": big}); len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" {
		t.Fatalf("1001 items: %+v", r.Errors)
	}
}

func TestTrackEventsReportsBadItemsAndStoresGoodOnes(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	ev := func(mid string, extra map[string]any) map[string]any {
		e := map[string]any{"messageId": mid, "type": "page_view", "identities": ids("anonymous_id", "a1")}
		for k, v := range extra {
			e[k] = v
		}
		return e
	}
	r := s.MustDo(t, tok, trackQ, map[string]any{"ev": []any{
		ev("m1", nil),
		ev("m2", map[string]any{"properties": map[string]any{"$x": 1}}),
		ev("m3", map[string]any{"timestamp": future}),
		ev("", nil),
		ev("m4", map[string]any{"identities": ids("email", "nope")}),
		ev("m5", map[string]any{"channel": "Web Shop!"}),
		ev("m6", nil),
	}})
	want := `{"accepted":2,"duplicates":0,"errors":[` +
		`{"code":"BAD_USER_INPUT","index":1,"message":"properties: key \"$x\" is not allowed: keys may not start with \"$\" or contain \".\""},` +
		`{"code":"BAD_USER_INPUT","index":2,"message":"timestamp is more than a day in the future"},` +
		`{"code":"BAD_USER_INPUT","index":3,"message":"messageId must be 1 to 256 characters"},` +
		`{"code":"BAD_USER_INPUT","index":4,"message":"invalid email \"nope\": expected local@domain.tld"},` +
		`{"code":"BAD_USER_INPUT","index":5,"message":"channel must match [a-z][a-z0-9_]{0,31}"}]}`
	if got := Str(r, "trackEvents"); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	again := s.MustDo(t, tok, trackQ, map[string]any{"ev": []any{ev("m1", nil), ev("m6", nil), ev("m7", nil)}})
	if Str(again, "trackEvents", "accepted") != "1" || Str(again, "trackEvents", "duplicates") != "2" {
		t.Fatalf("retry = %v", again)
	}
	p := s.MustDo(t, tok, `{ profileByIdentity(type: "anonymous_id", value: "a1") { computed { eventCount } events { totalCount } } }`, nil)
	if Str(p, "profileByIdentity", "computed", "eventCount") != "3" || Str(p, "profileByIdentity", "events", "totalCount") != "3" {
		t.Fatalf("profile = %v", p)
	}
}
