package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// secretValue marks a value no error may repeat.
const secretValue = "SECRET-VALUE-0xC0FFEE"

// badDocs are free-form documents the one sanitizer refuses, each with
// what the error says.
func badDocs() []struct {
	name string
	doc  map[string]any
	says string
} {
	many := map[string]any{}
	for i := range 1001 {
		many[fmt.Sprint("k", i)] = secretValue
	}
	return []struct {
		name string
		doc  map[string]any
		says string
	}{
		{"dollar key", map[string]any{"a": map[string]any{"$where": secretValue}}, `key "$where" at "a"`},
		{"long key", map[string]any{strings.Repeat("k", 129): secretValue}, "longer than 128 bytes"},
		{"nul key", map[string]any{"a\x00": secretValue}, "NUL"},
		{"too many keys", many, "more than 1000 keys"},
		{"too deep", nested(21), "deeper than the maximum of 20"},
		{"too large", map[string]any{"blob": strings.Repeat(secretValue, 5000)}, "too large"},
	}
}

// Every entry point of free-form JSON refuses what the sanitizer refuses,
// naming the path and never the value.
func TestEveryEntryPointSanitizesFreeFormJSON(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	upsertQ := `mutation($ins: [IdentifyInput!]!) { upsertProfiles(inputs: $ins) { error { code message } } }`
	for _, c := range badDocs() {
		t.Run(c.name, func(t *testing.T) {
			in := map[string]any{"identities": ids("email", "ok@example.com"), "traits": c.doc}
			r := s.Do(t, tok, identifyQ, map[string]any{"in": in})
			wantRefusal(t, "identify", len(r.Errors) == 1 && r.Errors[0].Code() == "BAD_USER_INPUT", firstMessage(r), c.says)
			up := s.MustDo(t, tok, upsertQ, map[string]any{"ins": []any{in}})
			wantRefusal(t, "upsertProfiles", Str(up, "upsertProfiles", 0, "error", "code") == "BAD_USER_INPUT",
				Str(up, "upsertProfiles", 0, "error", "message"), c.says)
			ev := map[string]any{"messageId": "m-" + c.name, "type": "view", "identities": ids("anonymous_id", "a1"), "properties": c.doc}
			tr := s.MustDo(t, tok, trackQ, map[string]any{"ev": []any{ev}})
			wantRefusal(t, "trackEvents", Str(tr, "trackEvents", "errors", 0, "code") == "BAD_USER_INPUT",
				Str(tr, "trackEvents", "errors", 0, "message"), c.says)
			f := s.Do(t, tok, `query($v: JSONValue) { profiles(filter: {traits: [{key: "a", value: $v}]}) { totalCount } }`,
				map[string]any{"v": c.doc})
			wantRefusal(t, "profiles filter", len(f.Errors) == 1 && f.Errors[0].Code() == "BAD_USER_INPUT", firstMessage(f), c.says)
		})
	}
	if n := Str(s.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); n != "0" {
		t.Fatalf("a refused document wrote %s profiles", n)
	}
}

// Import rows pass the same sanitizer; rejections name the line and path.
func TestImportRowsAreSanitized(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	var events, profiles []string
	for i, c := range badDocs() {
		ev, _ := json.Marshal(map[string]any{"messageId": fmt.Sprint("m", i), "type": "view",
			"identities": ids("anonymous_id", "a1"), "properties": c.doc})
		pr, _ := json.Marshal(map[string]any{"identities": ids("crm_id", fmt.Sprint("c", i)), "traits": c.doc})
		events, profiles = append(events, string(ev)), append(profiles, string(pr))
	}
	for kind, rows := range map[string][]string{"events": events, "profiles": profiles} {
		job := s.Import(t, tok, kind, strings.NewReader(strings.Join(rows, "\n")+"\n"), "")
		for i, c := range badDocs() {
			r := Get(job, "rejections", i)
			wantRefusal(t, kind+" import", Str(r, "line") == fmt.Sprint(i+1), Str(r, "reason"), c.says)
		}
	}
}

// setConsent and identify check their free-form source the same way.
func TestSourcesAreSanitized(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	id := Str(s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "c@example.com")}}),
		"identify", "profile", "id")
	for _, src := range []string{strings.Repeat("s", 65), "pos\x00" + secretValue, "pos\n" + secretValue} {
		r := s.Do(t, tok, `mutation($id: ID!, $src: String) { setConsent(profileId: $id, channel: "email", granted: true, source: $src) { id } }`,
			map[string]any{"id": id, "src": src})
		wantRefusal(t, "setConsent", len(r.Errors) == 1 && r.Errors[0].Code() == "BAD_USER_INPUT", firstMessage(r), "source")
		in := map[string]any{"identities": ids("email", "c@example.com"), "source": src}
		r = s.Do(t, tok, identifyQ, map[string]any{"in": in})
		wantRefusal(t, "identify", len(r.Errors) == 1 && r.Errors[0].Code() == "BAD_USER_INPUT", firstMessage(r), "source")
	}
}

func firstMessage(r Response) string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Message
}

func wantRefusal(t *testing.T, where string, refused bool, msg, says string) {
	t.Helper()
	if !refused || !strings.Contains(msg, says) || strings.Contains(msg, secretValue) {
		t.Errorf("%s: refused %v, message %q; want a refusal saying %q without the value", where, refused, msg, says)
	}
}
