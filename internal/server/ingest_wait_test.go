package server_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestErasureWhileEventsWaitRemovesThemAndStaysErased erases customer X
// while STORED batches carrying X's e-mail and a bystander Y's wait
// unfolded (fold held). The erasure reports X's waiting events; once the
// fold runs, X stays erased (no profile for X's e-mail, none created
// again), Y counts every one of its events, and no stored event names X's
// profile or e-mail. X's events sent again are duplicates and do not bring
// X back either.
func TestErasureWhileEventsWaitRemovesThemAndStaysErased(t *testing.T) {
	const batches = 6
	fault, held := holdFold()
	s := StartWith(t, Options{Fault: fault})
	tok := Token(t, "acme")
	x := Str(s.MustDo(t, tok, identifyQ, identifyIn(nil, "email", "x@x.com")), "identify", "profile", "id")
	var sent [][]any
	for b := range batches {
		evs := []any{ev(fmt.Sprintf("x%d", b), "email", "x@x.com"), ev(fmt.Sprintf("y%d", b), "email", "y@x.com"),
			ev(fmt.Sprintf("x%d-2", b), "email", "X@x.com")}
		mustStore(t, s, tok, evs)
		sent = append(sent, evs)
	}
	rep := s.MustDo(t, tok, deleteQ, map[string]any{"id": x})
	if got := Str(rep, "deleteProfile", "eventsDeleted"); got != strconv.Itoa(2*batches) {
		t.Errorf("erasure while X's %d events wait: %v", 2*batches, rep)
	}
	if n := backlog(t, s, tok); n != batches {
		t.Errorf("backlog %d after the erasure, want Y's %d events", n, batches)
	}

	held.Store(false)
	waitFolded(t, s, tok)
	wantErased(t, s, tok, x, "x@x.com")
	wantCounts(t, s, tok, "email", "y@x.com", batches)
	for _, evs := range sent {
		r := s.MustDo(t, tok, storedQ, map[string]any{"ev": evs})
		if Str(r, "trackEvents", "duplicates") != "3" {
			t.Errorf("a batch sent again after the erasure: %v, want 3 duplicates", r)
		}
	}
	waitFolded(t, s, tok)
	wantErased(t, s, tok, x, "x@x.com")
	wantCounts(t, s, tok, "email", "y@x.com", batches)
}

// TestErasureCatchesEventsStoredBeforeTheProfileExisted stores events for
// an e-mail nobody has yet (fold held, so they wait unresolved), then
// identifies that e-mail and erases the new profile: the waiting events
// carry the erased identifier, so they are erased too and the fold does
// not create the person again from them.
func TestErasureCatchesEventsStoredBeforeTheProfileExisted(t *testing.T) {
	fault, held := holdFold()
	s := StartWith(t, Options{Fault: fault})
	tok := Token(t, "acme")
	mustStore(t, s, tok, []any{ev("early1", "email", "early@x.com"), ev("early2", "email", "early@x.com", "device_id", "d-1"),
		ev("other", "email", "other@x.com")})
	x := Str(s.MustDo(t, tok, identifyQ, identifyIn(nil, "email", "early@x.com")), "identify", "profile", "id")
	rep := s.MustDo(t, tok, deleteQ, map[string]any{"id": x})
	if got := Str(rep, "deleteProfile", "eventsDeleted"); got != "2" {
		t.Errorf("erasure: %v, want the 2 waiting events deleted", rep)
	}
	held.Store(false)
	waitFolded(t, s, tok)
	wantErased(t, s, tok, x, "early@x.com")
	if c := countsOf(t, s, tok, "device_id", "d-1"); c.id != "" {
		t.Errorf("the erased event's other identifier made a profile: %+v", c)
	}
	wantCounts(t, s, tok, "email", "other@x.com", 1)
}

// wantErased fails the test if anything of the erased profile pid or its
// e-mail is left: a profile for the e-mail, the profile itself, or a
// stored event naming either.
func wantErased(t *testing.T, s *Server, tok, pid, mail string) {
	t.Helper()
	if c := countsOf(t, s, tok, "email", mail); c.id != "" {
		t.Errorf("%s has a profile again after its erasure: %+v", mail, c)
	}
	if p := Get(s.MustDo(t, tok, `query($id: ID!) { profile(id: $id) { id } }`, map[string]any{"id": pid}), "profile"); p != nil {
		t.Errorf("the erased profile %s answers: %v", pid, p)
	}
	n, err := s.Store.Raw().Collection("events").CountDocuments(context.Background(), bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "profileId", Value: pid}}, bson.D{{Key: "identities.value", Value: mail}}}}})
	if err != nil || n != 0 {
		t.Errorf("%d stored events still name the erased profile or %s (%v)", n, mail, err)
	}
}

// TestMergeWhileEventsWaitFoldsIntoTheSurvivor holds the fold while STORED
// events wait for a known e-mail A (profile PA) and a known phone B
// (profile PB), each with events already folded; an identify with both
// merges PA and PB, and more events arrive for both after the merge. Once
// the fold runs, A and B resolve to one survivor that counts and lists
// every event, and the absorbed profile's id answers with the survivor.
func TestMergeWhileEventsWaitFoldsIntoTheSurvivor(t *testing.T) {
	const phone = "+66812345678"
	fault, held := holdFold()
	s := StartWith(t, Options{Fault: fault})
	tok := Token(t, "acme")
	pa := Str(s.MustDo(t, tok, identifyQ, identifyIn(nil, "email", "a@x.com")), "identify", "profile", "id")
	pb := Str(s.MustDo(t, tok, identifyQ, identifyIn(nil, "phone", phone)), "identify", "profile", "id")
	held.Store(false) // one event each folded before the merge
	s.MustDo(t, tok, appliedQ, map[string]any{"ev": []any{ev("a0", "email", "a@x.com"), ev("b0", "phone", phone)}})
	held.Store(true)
	total := 2
	for b := range 4 {
		mustStore(t, s, tok, []any{ev(fmt.Sprintf("a%d", b+1), "email", "a@x.com"), ev(fmt.Sprintf("b%d", b+1), "phone", phone),
			ev(fmt.Sprintf("b%d-2", b+1), "phone", phone)})
		total += 3
	}
	r := s.MustDo(t, tok, identifyQ, identifyIn(nil, "email", "a@x.com", "phone", phone))
	survivor := Str(r, "identify", "profile", "id")
	absorbed := pa
	if survivor == pa {
		absorbed = pb
	}
	if (survivor != pa && survivor != pb) || Str(r, "identify", "mergedProfileIds") != fmt.Sprintf(`[%q]`, absorbed) {
		t.Fatalf("identify with A and B: %v, want %s and %s merged", r, pa, pb)
	}
	mustStore(t, s, tok, []any{ev("a-after", "email", "a@x.com"), ev("b-after", "phone", phone)})
	total += 2

	held.Store(false)
	waitFolded(t, s, tok)
	if c := wantCounts(t, s, tok, "email", "a@x.com", total); c.id != survivor {
		t.Errorf("A is on %s, want the survivor %s", c.id, survivor)
	}
	if c := countsOf(t, s, tok, "phone", phone); c.id != survivor {
		t.Errorf("B is on %s, want the survivor %s", c.id, survivor)
	}
	if got := Str(s.MustDo(t, tok, `query($id: ID!) { profile(id: $id) { id } }`, map[string]any{"id": absorbed}), "profile", "id"); got != survivor {
		t.Errorf("the absorbed profile answers %q, want the survivor %s", got, survivor)
	}
}

// TestErasureOnAnotherReplicaWhileEventsWait runs two servers on one store,
// as replicas would. Replica A, its fold held, stores events for a known
// customer X and for an e-mail W nobody has yet; replica B then identifies
// W and erases both X and W. Once A's fold runs, neither comes back: no
// profile for either e-mail and no stored event naming them.
func TestErasureOnAnotherReplicaWhileEventsWait(t *testing.T) {
	st := Store(t)
	fault, held := holdFold()
	a := StartWith(t, Options{Store: st, Fault: fault, Shared: true})
	b := StartWith(t, Options{Store: st, Shared: true}) // started first: its recovery does not take A's batches
	tok := Token(t, "acme")
	x := Str(b.MustDo(t, tok, identifyQ, identifyIn(nil, "email", "x@x.com")), "identify", "profile", "id")
	mustStore(t, a, tok, []any{ev("x1", "email", "x@x.com"), ev("w1", "email", "w@x.com"), ev("w2", "email", "w@x.com"),
		ev("y1", "email", "y@x.com")})
	w := Str(b.MustDo(t, tok, identifyQ, identifyIn(nil, "email", "w@x.com")), "identify", "profile", "id")
	b.MustDo(t, tok, deleteQ, map[string]any{"id": x})
	b.MustDo(t, tok, deleteQ, map[string]any{"id": w})

	held.Store(false)
	waitFolded(t, a, tok)
	wantErased(t, a, tok, x, "x@x.com")
	wantErased(t, a, tok, w, "w@x.com")
	wantCounts(t, a, tok, "email", "y@x.com", 1)
}
