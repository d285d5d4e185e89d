package server_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// known is a customer of the known dataset: orders days ago on channels,
// and the scores, label and channel mix they must get.
type known struct {
	crm      string
	daysAgo  []int
	amount   float64
	channels []string
	r, f, m  int
	label    string
	mix      string
}

// knownDataset has distinct recency, frequency and monetary values, so the
// quintile boundaries (nearest rank over 5 buyers) are each buyer's own
// values and every score is known in advance.
var knownDataset = []known{
	{"c1", []int{1, 2, 3, 4, 5}, 200, []string{"web", "pos"}, 5, 5, 5, "Champions", "OMNICHANNEL"},
	{"c2", []int{10, 11, 12, 13}, 150, []string{"store"}, 4, 4, 4, "Loyal Customers", "OFFLINE_ONLY"},
	{"c3", []int{30, 31, 32}, 100, []string{"app"}, 3, 3, 3, "Need Attention", "ONLINE_ONLY"},
	{"c4", []int{100, 101}, 50, []string{"line", "web"}, 2, 2, 2, "About To Sleep", "ONLINE_ONLY"},
	{"c5", []int{300}, 10, []string{"pos"}, 1, 1, 1, "Lost", "OFFLINE_ONLY"},
}

// TestRFMKnownDataset loads buyers whose RFM scores and channel mixes are
// known in advance over the API, plus a LINE friend who never bought and
// events that are not orders, and checks every score, label and mix, the
// summary, and segments on each.
func TestRFMKnownDataset(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	now := time.Now()
	var evs []map[string]any
	for _, k := range knownDataset {
		for i, d := range k.daysAgo {
			e := order(fmt.Sprintf("%s-%d", k.crm, i), "crm_id", k.crm, k.channels[i%len(k.channels)], k.amount,
				now.Add(-time.Duration(d)*24*time.Hour-time.Hour))
			if i == 0 && k.crm == "c3" { // an order carrying total instead of revenue counts the same
				e["properties"] = map[string]any{"total": k.amount}
			}
			evs = append(evs, e)
		}
		evs = append(evs, map[string]any{"messageId": k.crm + "-view", "type": "page_view", "channel": "web",
			"identities": ids("crm_id", k.crm), "properties": map[string]any{"revenue": 1e6}})
	}
	evs = append(evs, map[string]any{"messageId": "friend", "type": "follow", "channel": "line", "identities": ids("line_uid", "Ufriend")})
	mustTrack(t, s, tok, evs...)

	champions := createSegment(t, s, tok, "Champions", map[string]any{"computed": field("rfm.label", "EQ", "Champions")})
	offline := createSegment(t, s, tok, "Offline only", map[string]any{"computed": field("channelMix", "EQ", "OFFLINE_ONLY")})
	noRFM := createSegment(t, s, tok, "Never scored", map[string]any{"not": map[string]any{"computed": field("rfm.r", "EXISTS", nil)}})

	sum := s.MustDo(t, tok, `mutation { recomputeRfm { scored boundaries { recency frequency monetary } labels { label count revenue } } }`, nil)
	if got := Str(sum, "recomputeRfm", "scored"); got != "5" {
		t.Fatalf("scored = %s; want the 5 buyers", got)
	}
	if got := Str(sum, "recomputeRfm", "boundaries"); got != `{"frequency":[1,2,3,4],"monetary":[10,100,300,600],"recency":[1,10,30,100]}` {
		t.Errorf("boundaries = %s", got)
	}
	labels := map[string]string{}
	for _, l := range Get(sum, "recomputeRfm", "labels").([]any) {
		labels[Str(l, "label")] = Str(l, "count") + "/" + Str(l, "revenue")
	}
	if labels["Champions"] != "1/1000" || labels["Lost"] != "1/10" || labels["At Risk"] != "0/0" || len(labels) != 11 {
		t.Errorf("labels = %v", labels)
	}

	for _, k := range knownDataset {
		d := s.MustDo(t, tok, `query($v: String!) { profileByIdentity(type: "crm_id", value: $v) {
			computed { orderCount revenue channelMix rfm { recencyDays frequency monetary r f m label } } } }`, map[string]any{"v": k.crm})
		c := Get(d, "profileByIdentity", "computed")
		want := fmt.Sprintf("%d %d %d %s %s %d %d %v", k.r, k.f, k.m, k.label, k.mix, len(k.daysAgo), k.daysAgo[0], k.amount*float64(len(k.daysAgo)))
		got := fmt.Sprintf("%s %s %s %s %s %s %s %s", Str(c, "rfm", "r"), Str(c, "rfm", "f"), Str(c, "rfm", "m"), Str(c, "rfm", "label"),
			Str(c, "channelMix"), Str(c, "rfm", "frequency"), Str(c, "rfm", "recencyDays"), Str(c, "rfm", "monetary"))
		if got != want {
			t.Errorf("%s: r f m label mix frequency recency monetary = %s; want %s", k.crm, got, want)
		}
	}
	d := s.MustDo(t, tok, `{ profileByIdentity(type: "line_uid", value: "Ufriend") { id computed { orderCount channelMix rfm { label } } } }`, nil)
	friend := Str(d, "profileByIdentity", "id")
	if got := Str(d, "profileByIdentity", "computed"); got != `{"channelMix":"NONE","orderCount":0,"rfm":null}` {
		t.Errorf("the friend who never bought: %s", got)
	}

	for _, id := range []string{champions, offline, noRFM} {
		waitReady(t, s, tok, id)
	}
	if got := crmIDs(t, s, tok, members(t, s, tok, champions)); !slices.Equal(got, []string{"c1"}) {
		t.Errorf("Champions = %v", got)
	}
	if got := crmIDs(t, s, tok, members(t, s, tok, offline)); !slices.Equal(got, []string{"c2", "c5"}) {
		t.Errorf("offline only = %v", got)
	}
	if got := members(t, s, tok, noRFM); !slices.Equal(got, []string{friend}) {
		t.Errorf("never scored = %v; want only the friend %s", got, friend)
	}
}

// crmIDs maps profile ids to their crm_id values, sorted.
func crmIDs(t *testing.T, s *Server, tok string, ids []string) []string {
	t.Helper()
	var out []string
	for _, id := range ids {
		d := s.MustDo(t, tok, `query($id: ID!) { profile(id: $id) { identities { type value } } }`, map[string]any{"id": id})
		for _, i := range Get(d, "profile", "identities").([]any) {
			if Str(i, "type") == "crm_id" {
				out = append(out, Str(i, "value"))
			}
		}
	}
	slices.Sort(out)
	return out
}
