package store

import (
	"context"
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
	for queued := 0; queued < n; {
		cb.mu.Lock()
		queued = len(cb.queue)
		cb.mu.Unlock()
	}
	cb.mu.Lock() // that caller is done: it hands over to the first in line
	cb.queue[0].lead = true
	cb.queue[0].done <- nil
	cb.mu.Unlock()
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
		for queued := false; !queued; {
			cb.mu.Lock()
			queued = len(cb.queue) > 0 && cb.queue[len(cb.queue)-1].id == r.id
			cb.mu.Unlock()
		}
	}
	cb.mu.Lock()
	cb.queue[0].lead = true
	cb.queue[0].done <- nil
	cb.mu.Unlock()
	for range 2 {
		if err := <-errs; err == nil {
			t.Fatal("a caller of a failed bulk write was told it succeeded")
		}
	}
}
