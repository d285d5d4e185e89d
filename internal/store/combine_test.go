package store

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// countingCollection is collection name of st's database through a client
// of its own that counts the update commands it sends.
func countingCollection(t *testing.T, st *Store, name string) (*mongo.Collection, *atomic.Int64) {
	t.Helper()
	var updates atomic.Int64
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if e.CommandName == "update" {
			updates.Add(1)
		}
	}}
	c, err := mongo.Connect(options.Client().ApplyURI(testShared.embedded.URI()).SetMonitor(mon))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c.Database(st.db.Name()).Collection(name), &updates
}

func numbered(id string, n int) bson.Raw {
	raw, err := bson.Marshal(bson.D{{Key: "_id", Value: id}, {Key: "n", Value: n}})
	if err != nil {
		panic(err)
	}
	return raw
}

// Replacements that arrive while a bulk write is in flight are written
// together, chunkEmbedded at a time, and each caller's document is stored.
func TestCombinerSharesBulkWrites(t *testing.T) {
	st, ctx := testStore(t)
	c, updates := countingCollection(t, st, "combined")
	const n = 40
	ids := seq("d", 0, n)
	docs := make([]any, n)
	for i, id := range ids {
		docs[i] = numbered(id, 0)
	}
	if _, err := c.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	cb := &combiner{busy: true} // as if another caller were writing
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = cb.replace(ctx, c, id, numbered(id, 1))
		}()
	}
	waitQueue(cb, func(q []*replacement) bool { return len(q) == n })
	handOver(cb)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replace %s: %v", ids[i], err)
		}
	}
	if got, want := updates.Load(), int64((n+chunkEmbedded-1)/chunkEmbedded); got != want {
		t.Fatalf("%d replacements took %d update commands, want %d", n, got, want)
	}
	var stored []struct{ N int }
	cur, err := c.Find(ctx, bson.D{{Key: "n", Value: 1}})
	if err == nil {
		err = cur.All(ctx, &stored)
	}
	if err != nil || len(stored) != n {
		t.Fatalf("%d of %d documents replaced, %v", len(stored), n, err)
	}
	if cb.busy || len(cb.queue) != 0 {
		t.Fatalf("combiner left busy %v with %d queued", cb.busy, len(cb.queue))
	}
}

// When the bulk write fails as a whole, every caller in it is told.
func TestCombinerFailsEveryCallerOfAFailedWrite(t *testing.T) {
	st, ctx := testStore(t)
	c, _ := countingCollection(t, st, "outcomes")
	if _, err := c.InsertMany(ctx, []any{numbered("a", 0), numbered("b", 0)}); err != nil {
		t.Fatal(err)
	}
	bad, err := bson.Marshal(bson.D{{Key: "_id", Value: "b"}, {Key: "$n", Value: 1}})
	if err != nil {
		t.Fatal(err)
	}
	cb := &combiner{busy: true} // as if another caller were writing
	errs := make(chan error, 2)
	for _, r := range []struct {
		id  string
		doc bson.Raw
	}{{"a", numbered("a", 1)}, {"b", bad}} {
		go func() { errs <- cb.replace(ctx, c, r.id, r.doc) }()
		waitQueue(cb, func(q []*replacement) bool { return len(q) > 0 && q[len(q)-1].id == r.id })
	}
	handOver(cb)
	for range 2 {
		if err := <-errs; err == nil {
			t.Fatal("a caller of a failed bulk write was told it succeeded")
		}
	}
}

// waitQueue waits until the combiner's queue satisfies ok.
func waitQueue(cb *combiner, ok func([]*replacement) bool) {
	for {
		cb.mu.Lock()
		done := ok(cb.queue)
		cb.mu.Unlock()
		if done {
			return
		}
		runtime.Gosched()
	}
}

// handOver does what the caller writing ends with: the first in line
// writes next.
func handOver(cb *combiner) {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	cb.queue[0].lead = true
	cb.queue[0].done <- nil
}
