package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/identity"
)

// One embedded store per test binary, one fresh database per test.
var (
	testShared *Store
	testDBSeq  atomic.Int64
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cdp-store-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	testShared, err = Open(context.Background(), Options{DataDir: dir, Database: "unused", Logger: quiet})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = testShared.Close(context.Background())
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// testStore returns the shared embedded store on a fresh database with the
// server's indexes, and a context whose deadline only turns a hang into a
// failure.
func testStore(t *testing.T) (*Store, context.Context) {
	t.Helper()
	st := testShared.WithDatabase(fmt.Sprintf("t%d_bulk", testDBSeq.Add(1)))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(func() {
		cancel()
		_ = st.Drop(context.Background())
	})
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	return st, ctx
}

const testWS = auth.Workspace("ws1")

// seq returns n ids "prefix-0000" and on.
func seq(prefix string, from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%04d", prefix, from+i)
	}
	return out
}

// insertDocs stores one {_id, workspace, profileId} document per id.
func insertDocs(t *testing.T, ctx context.Context, st *Store, coll string, ids []string, profileID string) {
	t.Helper()
	docs := make([]any, len(ids))
	for i, id := range ids {
		docs[i] = bson.D{{Key: "_id", Value: id}, {Key: "workspace", Value: string(testWS)}, {Key: "profileId", Value: profileID}}
	}
	if _, err := st.coll(coll).InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
}

// count counts the documents of coll matching filter.
func count(t *testing.T, ctx context.Context, st *Store, coll string, filter bson.D) int64 {
	t.Helper()
	n, err := st.coll(coll).CountDocuments(ctx, filter)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// assertAnswers checks that the store still serves a ping, a read and a write.
func assertAnswers(t *testing.T, ctx context.Context, st *Store) {
	t.Helper()
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("ping after bulk write: %v", err)
	}
	if _, err := st.Events().Get(ctx, testWS, "none"); err != nil {
		t.Fatalf("read after bulk write: %v", err)
	}
	if err := st.Merges().Create(ctx, &identity.MergeRecord{ID: "probe", Workspace: testWS, SurvivorID: "p"}); err != nil {
		t.Fatalf("write after bulk write: %v", err)
	}
}

func TestMarkAppliedThousand(t *testing.T) {
	st, ctx := testStore(t)
	ids := seq(string(testWS)+"/ev", 0, 1000)
	evs := make([]*event.Event, len(ids))
	for i, id := range ids {
		evs[i] = &event.Event{ID: id, Workspace: testWS, MessageID: id, ProfileID: "p1", Type: "view", Timestamp: time.Now()}
	}
	if _, err := st.Events().Insert(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := st.Events().MarkApplied(ctx, testWS, ids); err != nil {
		t.Fatal(err)
	}
	if n := count(t, ctx, st, colEvents, bson.D{{Key: "applied", Value: true}}); n != 1000 {
		t.Fatalf("applied = %d, want 1000", n)
	}
	assertAnswers(t, ctx, st)
}

func TestAssignThousand(t *testing.T) {
	st, ctx := testStore(t)
	ids := make([]identity.Identifier, 1000)
	keys := make([]string, len(ids))
	for i := range ids {
		ids[i] = identity.Identifier{Type: "device_id", Value: fmt.Sprintf("d%04d", i)}
		keys[i] = identityKey(testWS, ids[i])
	}
	insertDocs(t, ctx, st, colIdentities, keys, "p1")
	if err := st.Identities().Assign(ctx, testWS, ids, "p2"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, ctx, st, colIdentities, bson.D{{Key: "profileId", Value: "p2"}}); n != 1000 {
		t.Fatalf("assigned = %d, want 1000", n)
	}
	owners, err := st.Identities().Owners(ctx, testWS, ids[:3])
	if err != nil || owners[ids[0]] != "p2" {
		t.Fatalf("owners = %v, %v", owners, err)
	}
	assertAnswers(t, ctx, st)
}

// TestConcurrentUpdateEach runs 32 updateEach calls of 200 ids at once.
// Neighbours overlap by 100 ids, so a lost $inc shows as a wrong count.
func TestConcurrentUpdateEach(t *testing.T) {
	st, ctx := testStore(t)
	const workers, per, step = 32, 200, 100
	all := seq("doc", 0, (workers-1)*step+per)
	insertDocs(t, ctx, st, colEvents, all, "p1")
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inc := bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}
			errs <- st.updateEach(ctx, st.coll(colEvents), seq("doc", w*step, per), inc)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, id := range all {
		want := 1 // covered by worker i/step, and by the one before unless at an edge
		if i >= step && i/step < workers {
			want = 2
		}
		var d struct{ N int }
		if err := st.coll(colEvents).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil || d.N != want {
			t.Fatalf("%s: n = %d, want %d (%v)", id, d.N, want, err)
		}
	}
	assertAnswers(t, ctx, st)
}

// TestScrubAndDeleteThousand covers the write helpers that match by a
// filter: UpdateMany-style scrubs and DeleteMany-style erasures.
func TestScrubAndDeleteThousand(t *testing.T) {
	st, ctx := testStore(t)
	docs := make([]any, 1000)
	for i := range docs {
		docs[i] = toMergeDoc(&identity.MergeRecord{ID: fmt.Sprintf("m%04d", i), Workspace: testWS, SurvivorID: "p1",
			AbsorbedIDs: []string{"p2"}, Identifiers: []identity.Identifier{{Type: "email", Value: "a@b.c"}}})
	}
	if _, err := st.coll(colMerges).InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	n, err := st.Merges().Scrub(ctx, testWS, "p2")
	if err != nil || n != 1000 {
		t.Fatalf("scrubbed %d, %v; want 1000", n, err)
	}
	if left := count(t, ctx, st, colMerges, bson.D{{Key: "identifiers.value", Value: "a@b.c"}}); left != 0 {
		t.Fatalf("%d merges keep identifiers", left)
	}
	insertDocs(t, ctx, st, colIdentities, seq("k", 0, 1000), "p1")
	if n, err := st.Identities().DeleteByProfile(ctx, testWS, "p1"); err != nil || n != 1000 {
		t.Fatalf("deleted %d, %v; want 1000", n, err)
	}
	assertAnswers(t, ctx, st)
}

// TestDeleteBeyondSQLiteVariables erases more documents than one SQLite
// statement takes variables (32,766): one DeleteMany statement fails there.
func TestDeleteBeyondSQLiteVariables(t *testing.T) {
	if testing.Short() {
		t.Skip("inserts 33,000 documents")
	}
	st, ctx := testStore(t)
	insertDocs(t, ctx, st, colEvents, seq(string(testWS)+"/ev", 0, 33000), "p1")
	if n, err := st.Events().EraseByProfile(ctx, testWS, "p1"); err != nil || n != 33000 {
		t.Fatalf("deleted %d, %v; want 33000", n, err)
	}
	assertAnswers(t, ctx, st)
}
