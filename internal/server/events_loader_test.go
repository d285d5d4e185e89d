package server_test

import (
	"fmt"
	"testing"
	"time"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestProfilesWithEvents: a list of profiles with their events, read
// together by the loader, gives each profile the page a query of that
// profile alone gives, including when the shared read is cut short.
func TestProfilesWithEvents(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	base := time.Now().Add(-time.Hour)
	var evs []map[string]any
	for c := range 15 {
		for k := range 2 * c {
			evs = append(evs, map[string]any{"messageId": fmt.Sprintf("m%d-%d", c, k), "type": []string{"view", "click"}[k%2],
				"identities": ids("crm_id", fmt.Sprintf("c%d", c)), "timestamp": base.Add(time.Duration(k) * time.Second).Format(time.RFC3339)})
		}
	}
	mustTrack(t, s, tok, evs...)
	list := s.MustDo(t, tok, `{ profiles(first: 50) { edges { node { id
		events(first: 10) { totalCount pageInfo { hasNextPage } edges { node { messageId } } }
		clicks: events(first: 3, types: ["click"]) { edges { node { messageId } } } } } } }`, nil)
	edges := Get(list, "profiles", "edges").([]any)
	if len(edges) != 14 { // the customer with no event was never created
		t.Fatalf("profiles = %d; want 14", len(edges))
	}
	for _, e := range edges {
		id := Str(e, "node", "id")
		one := s.MustDo(t, tok, `query($id: ID!) { profile(id: $id) {
			events(first: 10) { totalCount pageInfo { hasNextPage } edges { node { messageId } } }
			clicks: events(first: 3, types: ["click"]) { edges { node { messageId } } } } }`, map[string]any{"id": id})
		for _, f := range []string{"events", "clicks"} {
			if got, want := Str(e, "node", f), Str(one, "profile", f); got != want {
				t.Errorf("profile %s %s: listed %s, alone %s", id, f, got, want)
			}
		}
	}
}
