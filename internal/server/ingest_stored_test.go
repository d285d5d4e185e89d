package server_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestStoredAnswersBeforeTheFoldAndEveryEventCountsOnce proves the STORED
// contract: the call answers with its accepted count while the fold is
// held (it does not wait for folding), ingestStatus shows the events as
// backlog, and once the fold catches up every profile, known before or
// created by the fold, counts exactly its events. The same batch sent
// again with APPLIED is all duplicates and changes no count.
func TestStoredAnswersBeforeTheFoldAndEveryEventCountsOnce(t *testing.T) {
	const customers, known, perCustomer = 6, 3, 7
	fault, held := holdFold()
	s := StartWith(t, Options{Fault: fault})
	tok := Token(t, "acme")
	for i := range known {
		s.MustDo(t, tok, identifyQ, identifyIn(nil, "email", email("s", i)))
	}
	var batch []any
	for k := range customers * perCustomer {
		batch = append(batch, ev(fmt.Sprintf("m%d", k), "email", email("s", k%customers)))
	}
	mustStore(t, s, tok, batch)
	st := s.MustDo(t, tok, statusQ, nil)
	if Str(st, "ingestStatus", "backlog") != strconv.Itoa(len(batch)) || Str(st, "ingestStatus", "lagSeconds") == "0" {
		t.Errorf("while the fold is held: %v, want a backlog of %d and a lag", st, len(batch))
	}
	if c := countsOf(t, s, tok, "email", email("s", known)); c.id != "" {
		t.Errorf("a new customer has a profile before the fold: %+v", c)
	}

	held.Store(false)
	waitFolded(t, s, tok)
	for i := range customers {
		wantCounts(t, s, tok, "email", email("s", i), perCustomer)
	}
	r := s.MustDo(t, tok, appliedQ, map[string]any{"ev": batch})
	if Str(r, "trackEvents", "accepted") != "0" || Str(r, "trackEvents", "duplicates") != strconv.Itoa(len(batch)) {
		t.Errorf("the same batch again with APPLIED: %v, want %d duplicates", r, len(batch))
	}
	for i := range customers {
		wantCounts(t, s, tok, "email", email("s", i), perCustomer)
	}
}

// TestGroupCommitUnderContentionCountsEveryEventOnce has 16 clients send 20
// STORED batches of 50 events each at once, all over the same 10
// customers, half of them unknown until the fold creates them (their
// events carry the e-mail alone or with an anonymous id, so the fold
// may resolve two identifier sets of one new person in one cycle). Every
// call is answered; calls shared writes (fewer batches than calls); once
// folded each customer is one profile that counts and holds exactly the
// events sent for it.
func TestGroupCommitUnderContentionCountsEveryEventOnce(t *testing.T) {
	const clients, batches, size, customers, known = 16, 20, 50, 10, 5
	if testing.Short() {
		t.Skip("16,000 events, and each check scans them all on the embedded store")
	}
	s := Start(t)
	tok := Token(t, "acme")
	for i := range known {
		s.MustDo(t, tok, identifyQ, identifyIn(nil, "email", email("g", i)))
	}
	sent := make([]int, customers)
	var reqs []concReq
	for c := range clients {
		for b := range batches {
			var evs []any
			for k := range size {
				i := (c + b + k) % customers
				pairs := []string{"email", email("g", i)}
				if i >= known && k%2 == 0 {
					pairs = append(pairs, "anonymous_id", fmt.Sprintf("anon-%d", i))
				}
				evs = append(evs, ev(fmt.Sprintf("c%d-b%d-%d", c, b, k), pairs...))
				sent[i]++
			}
			reqs = append(reqs, concReq{name: fmt.Sprintf("c%d/b%d", c, b), query: storedQ, vars: map[string]any{"ev": evs}})
		}
	}
	fireLimited(t, s, tok, reqs, clients)
	waitFolded(t, s, tok)

	live := make([]string, customers)
	for i := range customers {
		c := countsOf(t, s, tok, "email", email("g", i))
		if live[i] = c.id; c.count != sent[i] {
			t.Errorf("customer %d: profile %q counts %d events, want %d", i, c.id, c.count, sent[i])
		}
		if i < known {
			continue
		}
		if anon := Str(s.MustDo(t, tok, whoQ, map[string]any{"t": "anonymous_id", "v": fmt.Sprintf("anon-%d", i)}), "profileByIdentity", "id"); anon != c.id {
			t.Errorf("customer %d: e-mail on %q, anonymous id on %q, want one profile", i, c.id, anon)
		}
	}
	if got := Str(s.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); got != strconv.Itoa(customers) {
		t.Errorf("%s profiles, want %d", got, customers)
	}
	held, commits := storedPerProfile(t, s, tok)
	for i, pid := range live {
		if held[pid] != sent[i] {
			t.Errorf("customer %d: %d events stored under profile %s, want %d", i, held[pid], pid, sent[i])
		}
	}
	wantCounts(t, s, tok, "email", email("g", customers-1), sent[customers-1]) // and the API lists the same
	if commits >= len(reqs) {
		t.Errorf("%d calls stored %d batches: no call shared a group commit", len(reqs), commits)
	}
}

// storedPerProfile counts the stored events by the live profile they
// belong to (an absorbed profile's events count for its survivor), as
// events { totalCount } would but in one pass (on the embedded store each
// totalCount scans every event of the database: seconds at 16,000), and
// the batches (group commits) that stored them.
func storedPerProfile(t *testing.T, s *Server, tok string) (map[string]int, int) {
	t.Helper()
	key := bson.D{{Key: "p", Value: "$profileId"}, {Key: "b", Value: "$batch"}}
	cur, err := s.Store.Raw().Collection("events").Aggregate(context.Background(), bson.A{
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: key}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var groups []struct {
		ID struct{ P, B string } `bson:"_id"`
		N  int                   `bson:"n"`
	}
	if err := cur.All(context.Background(), &groups); err != nil {
		t.Fatal(err)
	}
	out, live, batches := map[string]int{}, map[string]string{}, map[string]bool{}
	for _, g := range groups {
		batches[g.ID.B] = true
		pid, ok := live[g.ID.P]
		if !ok {
			pid = Str(s.MustDo(t, tok, `query($id: ID!) { profile(id: $id) { id } }`, map[string]any{"id": g.ID.P}), "profile", "id")
			live[g.ID.P] = pid
		}
		if pid == "" {
			t.Errorf("%d events stored under %q, which is no profile", g.N, g.ID.P)
		}
		out[pid] += g.N
	}
	return out, len(batches)
}

// TestNoLagReportedWhenNothingWaits sends, with the fold held, a STORED
// batch whose events are all duplicates of folded ones: nothing waits, so
// ingestStatus must report a backlog of 0 and a lag of 0 ("0 when none").
func TestNoLagReportedWhenNothingWaits(t *testing.T) {
	fault, held := holdFold()
	s := StartWith(t, Options{Fault: fault})
	tok := Token(t, "acme")
	batch := []any{ev("d1", "email", "dup@x.com"), ev("d2", "email", "dup@x.com")}
	held.Store(false)
	s.MustDo(t, tok, appliedQ, map[string]any{"ev": batch})
	held.Store(true)
	r := s.MustDo(t, tok, storedQ, map[string]any{"ev": batch})
	if Str(r, "trackEvents", "duplicates") != "2" {
		t.Fatalf("the batch again: %v, want 2 duplicates", r)
	}
	if st := Get(s.MustDo(t, tok, statusQ, nil), "ingestStatus"); Str(st, "backlog") != "0" || Str(st, "lagSeconds") != "0" {
		t.Errorf("ingestStatus %v with nothing to fold, want backlog 0 and lagSeconds 0", st)
	}
}
