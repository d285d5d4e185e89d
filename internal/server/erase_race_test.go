package server_test

import (
	"context"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestErasureDuringIngestWinsCleanly erases a customer while batches that
// carry both their events and a bystander's are being ingested. Every
// request succeeds (retrying UNAVAILABLE as told), the bystander's events
// are all counted, nothing of the erased person's is left in any event,
// the server starts again on the same data, and a retry of an erased event
// is a duplicate that does not bring the person back.
func TestErasureDuringIngestWinsCleanly(t *testing.T) {
	const batches = 30
	st := Store(t)
	s := StartWith(t, Options{Store: st})
	tok := Token(t, "acme")
	gone := Str(s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "gone@x.com")}}), "identify", "profile", "id")
	var reqs []concReq
	for b := range batches {
		reqs = append(reqs, concReq{name: fmt.Sprintf("b%d", b), query: trackQ, vars: map[string]any{"ev": []any{
			map[string]any{"messageId": fmt.Sprintf("g%d", b), "type": "page_view", "identities": ids("email", "gone@x.com")},
			map[string]any{"messageId": fmt.Sprintf("y%d", b), "type": "page_view", "identities": ids("email", "bystander@x.com")},
		}}})
		if b == batches/3 {
			reqs = append(reqs, concReq{name: "erase", query: `mutation($id: ID!) { deleteProfile(id: $id) { profileId } }`,
				vars: map[string]any{"id": gone}})
		}
	}
	fireLimited(t, s, tok, reqs, 4)

	bystander := `{ profileByIdentity(type: "email", value: "bystander@x.com") { computed { eventCount } events { totalCount } } }`
	for _, srv := range []*Server{s, StartWith(t, Options{Store: st})} { // and after a restart
		p := srv.MustDo(t, tok, bystander, nil)
		if Str(p, "profileByIdentity", "computed", "eventCount") != fmt.Sprint(batches) || Str(p, "profileByIdentity", "events", "totalCount") != fmt.Sprint(batches) {
			t.Errorf("bystander after the erasure: %v, want %d events counted and stored", p, batches)
		}
		s = srv // the restarted server answers the rest
	}
	n, err := st.Raw().Collection("events").CountDocuments(context.Background(), bson.D{{Key: "profileId", Value: gone}})
	if err != nil || n != 0 {
		t.Errorf("%d events are still stored under the erased profile (%v)", n, err)
	}
	r := s.MustDo(t, tok, trackQ, map[string]any{"ev": []any{map[string]any{"messageId": "g0", "type": "page_view",
		"identities": ids("email", "gone@x.com")}}})
	if Str(r, "trackEvents", "duplicates") != "1" {
		t.Errorf("a retry of an erased event: %v, want a duplicate", r)
	}
}
