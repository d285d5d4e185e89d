package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// blockingWAL is a walFile whose flushes wait for the test: each flush
// reports its start on started and returns what the test sends on finish.
func blockingWAL() (w *walFile, started chan int, finish chan error) {
	started, finish = make(chan int, 100), make(chan error)
	var n atomic.Int64
	w = &walFile{flush: func() error {
		started <- int(n.Add(1))
		return <-finish
	}}
	w.cond = sync.NewCond(&w.mu)
	return w, started, finish
}

// TestSyncWaitsForAFlushThatStartedAfterIt: a caller whose sync arrives
// while a flush runs is not answered by that flush (it may have started
// before the caller's commit), but by the next one, which it shares with
// every caller that arrived meanwhile.
func TestSyncWaitsForAFlushThatStartedAfterIt(t *testing.T) {
	w, started, finish := blockingWAL()
	first := make(chan error)
	go func() { first <- w.sync() }()
	if n := <-started; n != 1 {
		t.Fatalf("first flush is #%d", n)
	}
	const late = 20
	answered := make(chan error, late)
	for range late {
		go func() { answered <- w.sync() }()
	}
	for { // every late caller waits on the flush under way
		w.mu.Lock()
		waiting := w.waiting
		w.mu.Unlock()
		if waiting == late {
			break
		}
		runtime.Gosched()
	}
	finish <- nil
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	select {
	case <-answered:
		t.Fatal("a caller that arrived during flush #1 was answered by it")
	default:
	}
	// They all share flush #2.
	for got := 0; got < late; {
		select {
		case <-started:
			finish <- nil
		case err := <-answered:
			if err != nil {
				t.Fatal(err)
			}
			got++
		}
	}
	if w.started != 2 {
		t.Fatalf("%d callers took %d flushes, want them shared", late+1, w.started)
	}
}

// TestSyncFailureIsSticky: once a flush fails, every later sync fails too:
// the pages it could not write may be gone from memory, so a later flush
// that succeeds would not mean they are on disk.
func TestSyncFailureIsSticky(t *testing.T) {
	w, started, finish := blockingWAL()
	done := make(chan error)
	go func() { done <- w.sync() }()
	<-started
	finish <- errors.New("EIO")
	if err := <-done; err == nil || !strings.Contains(err.Error(), "durable") {
		t.Fatalf("sync = %v, want the flush's failure", err)
	}
	if err := w.sync(); err == nil {
		t.Fatal("a sync after a failed flush succeeded")
	}
	select {
	case <-started:
		t.Fatal("flushed again after a failure")
	default:
	}
}

// TestSyncOfTheEmbeddedStore: Sync flushes the database's log (also when
// it has none yet), and a store on MongoDB has nothing to do.
func TestSyncOfTheEmbeddedStore(t *testing.T) {
	st, ctx := testStore(t)
	if _, err := st.coll(colEvents).InsertOne(ctx, bson.D{{Key: "_id", Value: "e1"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.SyncAlone(ctx); err != nil {
		t.Fatal(err)
	}
	none := testShared.WithDatabase(fmt.Sprintf("t%d_never_written", testDBSeq.Add(1)))
	if err := none.Sync(ctx); err != nil {
		t.Fatalf("sync of a database with no log: %v", err)
	}
	if err := (&Store{}).Sync(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpointBoundsTheLog: under a stream of profile replaces the log
// is checkpointed and, past its bound, truncated, so the data directory
// does not grow with every write (FerretDB's own commits never checkpoint:
// wal_autocheckpoint is off).
func TestCheckpointRestartsAndTruncatesTheLog(t *testing.T) {
	st, ctx := testStore(t)
	// The store's own checkpointer may run meanwhile; it restarts past
	// 128 MiB only, which this test does not reach, and truncates a log
	// idle for a second, which this test does not leave it.
	c := &checkpointer{dir: st.wals.dir, truncate: 64, log: slog.Default(), last: map[string]walState{}}
	path := filepath.Join(st.wals.dir, st.db.Name()+".sqlite-wal")
	big, writes := strings.Repeat("x", 8000), 0
	write := func(n int) {
		t.Helper()
		for range n {
			doc := bson.D{{Key: "_id", Value: "p1"}, {Key: "n", Value: writes}, {Key: "pad", Value: big}}
			if _, err := st.coll(colProfiles).ReplaceOne(ctx, bson.D{{Key: "_id", Value: "p1"}}, doc, options.Replace().SetUpsert(true)); err != nil {
				t.Fatal(err)
			}
			writes++
		}
	}
	write(200)
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if before.Size() < int64(c.truncate)*4096 {
		t.Fatalf("the log holds %d bytes after 200 writes of 8 KB", before.Size())
	}
	// A reader in the log: the restart gives up at once, and comes back
	// on the next round though the log did not change.
	reader, err := openSide(strings.TrimSuffix(path, "-wal"), "mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	tx, err := reader.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM _ferretdb_collections`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := c.checkpoint(path); err != nil {
		t.Fatal(err)
	}
	if held, err := os.Stat(path); err != nil || held.Size() != before.Size() {
		t.Fatalf("log truncated under a reader: %v, %v", held, err)
	}
	if _, ok := c.last[path]; ok {
		t.Fatal("a log still too long is not tried again")
	}
	_ = tx.Rollback()
	// Once nobody reads it, writers start over at its beginning: more
	// writes reuse the file instead of growing it. The store's own
	// checkpointer, running on every log once a second, can make one
	// attempt fail: the next one succeeds.
	restarted := false
	for range 100 {
		if err := c.checkpoint(path); err != nil {
			t.Fatal(err)
		}
		if _, ok := c.last[path]; ok {
			restarted = true
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !restarted {
		t.Fatal("the log was never restarted")
	}
	write(20)
	if again, err := os.Stat(path); err != nil || again.Size() != before.Size() {
		t.Fatalf("log after a restart and 20 writes: %v, %v; want %d bytes, reused", again, err, before.Size())
	}
	// Idle for a round: truncated.
	var after os.FileInfo
	for range 100 {
		if err := c.checkpoint(path); err != nil {
			t.Fatal(err)
		}
		if after, err = os.Stat(path); err != nil {
			t.Fatal(err)
		}
		if after.Size() < before.Size() {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if after.Size() >= before.Size() || after.Size() > int64(c.truncate)*4096 {
		t.Fatalf("log: %d bytes before, %d once idle; want it truncated", before.Size(), after.Size())
	}
	var got struct{ N int }
	if err := st.coll(colProfiles).FindOne(ctx, bson.D{{Key: "_id", Value: "p1"}}).Decode(&got); err != nil || got.N != writes-1 {
		t.Fatalf("after the checkpoint: %+v, %v", got, err)
	}
	if err := st.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	c.all()
	if _, err := os.Stat(strings.TrimSuffix(path, "-wal")); err == nil {
		t.Fatal("a checkpoint recreated a dropped database")
	}
}
