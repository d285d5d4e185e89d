package store

import (
	"context"
	"runtime"
	"testing"

	"go.mongodb.org/mongo-driver/v2/event"
)

func startWrite(g *writeGate, ctx context.Context, db string, id int64) {
	g.started(ctx, &event.CommandStartedEvent{CommandName: "update", DatabaseName: db, RequestID: id})
}

// Writes to one database go one at a time, in the order they came; other
// databases and reads are not held up.
func TestWriteGateQueuesWritesInOrder(t *testing.T) {
	g := &writeGate{}
	ctx := context.Background()
	startWrite(g, ctx, "a", 1)
	order := make(chan int64, 3)
	for id := int64(2); id <= 3; id++ {
		queued := make(chan struct{})
		go func() {
			close(queued)
			startWrite(g, ctx, "a", id)
			order <- id
		}()
		<-queued
		waitQueued(t, g, "a", int(id-1)) // write 1 holds its turn without waiting
	}
	startWrite(g, ctx, "b", 4) // another database: not held up
	g.started(ctx, &event.CommandStartedEvent{CommandName: "find", DatabaseName: "a", RequestID: 5})
	select {
	case id := <-order:
		t.Fatalf("write %d went ahead while write 1 ran", id)
	default:
	}
	g.release(1)
	if id := <-order; id != 2 {
		t.Fatalf("write %d went first, want 2", id)
	}
	g.release(2)
	if id := <-order; id != 3 {
		t.Fatalf("write %d went next, want 3", id)
	}
	g.release(3)
	g.release(4)
	g.release(5) // never held: nothing to give back
	startWrite(g, ctx, "a", 6)
	g.release(6)
}

// A write whose context ends while it waits goes on without the gate and
// gives back nothing.
func TestWriteGateGivesUpWhenTheCallerDoes(t *testing.T) {
	g := &writeGate{}
	startWrite(g, context.Background(), "a", 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	startWrite(g, ctx, "a", 2)
	g.release(2)
	g.release(1)
	startWrite(g, context.Background(), "a", 3) // the gate is free again
	g.release(3)
}

// waitQueued waits until n writers wait for database db's turn.
func waitQueued(t *testing.T, g *writeGate, db string, n int) {
	t.Helper()
	for g.waiting(db) < n {
		runtime.Gosched()
	}
}
