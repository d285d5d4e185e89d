package server_test

import (
	"testing"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestUnmergeGivesEveryProfileWhatWasObservedWithItsIdentifiers merges two
// customers, keeps observing them (one with a new phone, one with a
// timestamp older than the merge), then undoes the merge: each profile has
// the traits observed with its identifiers, the merging request's traits
// are on both, and the phone attached with the absorbed customer's e-mail
// goes back with it.
func TestUnmergeGivesEveryProfileWhatWasObservedWithItsIdentifiers(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	id := func(traits map[string]any, ts string, pairs ...string) {
		in := map[string]any{"identities": ids(pairs...), "traits": traits}
		if ts != "" {
			in["timestamp"] = ts
		}
		s.MustDo(t, tok, identifyQ, map[string]any{"in": in})
	}
	id(map[string]any{"name": "Lin"}, "", "line_uid", "U1")
	id(map[string]any{"name": "Bee"}, "", "email", "bee@x.com")
	id(map[string]any{"vip": true}, "", "line_uid", "U1", "email", "bee@x.com") // the merge
	id(map[string]any{"city": "CNX"}, "", "email", "bee@x.com", "phone", "+66812345678")
	id(map[string]any{"tier": "gold"}, "2020-01-01T00:00:00Z", "email", "bee@x.com") // late, with an old timestamp
	id(map[string]any{"city": "BKK"}, "", "line_uid", "U1")

	lin := Str(s.MustDo(t, tok, whoQ, map[string]any{"t": "line_uid", "v": "U1"}), "profileByIdentity", "id")
	h := s.MustDo(t, tok, `query($id: ID!) { mergeHistory(profileId: $id) { id } }`, map[string]any{"id": lin})
	s.MustDo(t, tok, unmergeQ, map[string]any{"m": Str(h, "mergeHistory", 0, "id")})

	l := Get(s.MustDo(t, tok, whoQ, map[string]any{"t": "line_uid", "v": "U1"}), "profileByIdentity")
	b := Get(s.MustDo(t, tok, whoQ, map[string]any{"t": "email", "v": "bee@x.com"}), "profileByIdentity")
	if got := Str(l, "traits"); got != `{"city":"BKK","name":"Lin","vip":true}` {
		t.Errorf("line profile traits = %s", got)
	}
	if got := Str(b, "traits"); got != `{"city":"CNX","name":"Bee","tier":"gold","vip":true}` {
		t.Errorf("e-mail profile traits = %s", got)
	}
	phone := Str(s.MustDo(t, tok, whoQ, map[string]any{"t": "phone", "v": "+66812345678"}), "profileByIdentity", "id")
	if phone != Str(b, "id") || Str(l, "id") == Str(b, "id") {
		t.Errorf("phone on %s, line profile %s, e-mail profile %s", phone, Str(l, "id"), Str(b, "id"))
	}
	if got := Str(l, "identities"); got != `[{"type":"line_uid","value":"U1"}]` {
		t.Errorf("line profile identities = %s", got)
	}
}
