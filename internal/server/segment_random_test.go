package server_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestSegmentMembershipEqualsRecomputation runs random writes (identifies,
// orders on random channels and days, merges through shared identifiers,
// unmerges, erasures) with segments of every kind defined, then rebuilds
// each segment from scratch (its tallies counted again from the stored
// events): membership kept at write time must equal the rebuilt one.
func TestSegmentMembershipEqualsRecomputation(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	rules := map[string]map[string]any{
		"omni":    {"computed": field("channelMix", "EQ", "OMNICHANNEL")},
		"rich":    {"computed": field("revenue", "BETWEEN", []any{300, 100000})},
		"recent":  {"event": map[string]any{"type": "order_completed", "withinDays": 20}},
		"twice":   {"event": map[string]any{"type": "order_completed", "channel": "web", "count": map[string]any{"op": "GTE", "value": 2}}},
		"vip":     {"any": []any{map[string]any{"trait": field("tier", "EQ", "gold")}, map[string]any{"trait": field("tier", "STARTS_WITH", "plat")}}},
		"no-line": {"not": map[string]any{"identity": map[string]any{"type": "line_uid", "exists": true}}},
		"optin":   {"consent": map[string]any{"channel": "line", "granted": true}},
		"bigbuy":  {"event": map[string]any{"type": "order_completed", "where": []any{field("revenue", "GT", 150)}}},
	}
	segs := map[string]string{}
	for name, rule := range rules {
		segs[name] = createSegment(t, s, tok, name, rule)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	now := time.Now()
	var merges []string
	for step := range 120 {
		c := rng.IntN(12)
		email := fmt.Sprintf("c%d@example.com", c)
		switch k := rng.IntN(10); {
		case k < 5:
			ch := []string{"web", "app", "pos", "store", "line"}[rng.IntN(5)]
			mustTrack(t, s, tok, order(msgID("r", step), "email", email, ch, float64(rng.IntN(300)),
				now.Add(-time.Duration(rng.IntN(40*24))*time.Hour)))
		case k < 7:
			tier := []string{"gold", "silver", "platinum"}[rng.IntN(3)]
			in := map[string]any{"identities": ids("email", email), "traits": map[string]any{"tier": tier}}
			if rng.IntN(3) == 0 {
				in["identities"] = ids("email", email, "line_uid", fmt.Sprintf("U%d", rng.IntN(12)))
			}
			d := s.MustDo(t, tok, `mutation($in: IdentifyInput!) { identify(input: $in) { profile { id } mergedProfileIds } }`,
				map[string]any{"in": in})
			if len(Get(d, "identify", "mergedProfileIds").([]any)) > 0 {
				h := s.MustDo(t, tok, `query($id: ID!) { mergeHistory(profileId: $id) { id undoneAt } }`,
					map[string]any{"id": Str(d, "identify", "profile", "id")})
				merges = append(merges, Str(h, "mergeHistory", 0, "id"))
			}
		case k < 8:
			d := s.Do(t, tok, `query($v: String!) { profileByIdentity(type: "email", value: $v) { id } }`, map[string]any{"v": email})
			if id := Str(d.Data, "profileByIdentity", "id"); id != "" {
				s.MustDo(t, tok, `mutation($id: ID!) { setConsent(profileId: $id, channel: "line", granted: true) { id } }`,
					map[string]any{"id": id})
			}
		case k < 9 && len(merges) > 0:
			m := merges[len(merges)-1]
			merges = merges[:len(merges)-1]
			s.Do(t, tok, `mutation($m: ID!) { unmergeProfile(mergeId: $m) { id } }`, map[string]any{"m": m})
		default:
			d := s.Do(t, tok, `query($v: String!) { profileByIdentity(type: "email", value: $v) { id } }`, map[string]any{"v": email})
			if id := Str(d.Data, "profileByIdentity", "id"); id != "" && rng.IntN(3) == 0 {
				s.MustDo(t, Token(t, "acme", "profiles:delete"), `mutation($id: ID!) { deleteProfile(id: $id) { profileId } }`,
					map[string]any{"id": id})
			}
		}
	}
	live := map[string][]string{}
	for name, id := range segs {
		waitReady(t, s, tok, id)
		live[name] = members(t, s, tok, id)
	}
	for name, id := range segs {
		s.MustDo(t, tok, updateSegmentQ, map[string]any{"id": id, "in": map[string]any{"name": name, "rule": rules[name]}})
	}
	for name, id := range segs {
		waitReady(t, s, tok, id)
		if got := members(t, s, tok, id); !slices.Equal(got, live[name]) {
			t.Errorf("segment %s: kept at write time %v, recomputed %v", name, live[name], got)
		}
	}
}
