package store

import (
	"context"
	"sync"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/event"
)

// writeGate queues the process's write commands to the embedded store, per
// database, first come first served, and lets one at a time through.
//
// SQLite applies one write transaction at a time per database anyway. A
// transaction that finds the database locked sleeps in SQLite's busy
// handler for 1, 2, 5, 10, 15, 20, 25 … 100 ms before trying again, so the
// writer sits idle between transactions while the waiters sleep, and the
// longer one has waited, the longer it sleeps: under the fold and
// concurrent acknowledgements that was a quarter of the store's throughput
// and the tail of the fold's lag. Queued here, the next write starts the
// moment the last one answers, in the order they came.
//
// The gate is a command monitor of the product's client: the driver calls
// Started on the calling goroutine right before sending a command, and
// Succeeded or Failed right after its answer, for every command it sends.
// Reads are not queued (SQLite's write-ahead log lets them run alongside
// the writer), nor is the bench's raw client (Store.Raw).
type writeGate struct {
	dbs  sync.Map // database name → *lane
	held sync.Map // request id → its database's lane, while the command runs
}

// lane is one database's queue: turn holds a token while a write runs.
type lane struct {
	turn    chan struct{} // capacity 1
	waiting atomic.Int32
}

// gated are the commands that write documents.
var gated = map[string]bool{"insert": true, "update": true, "delete": true, "findAndModify": true}

func (g *writeGate) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{
		Started:   g.started,
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { g.release(e.RequestID) },
		Failed:    func(_ context.Context, e *event.CommandFailedEvent) { g.release(e.RequestID) },
	}
}

// started waits for the database's turn. A command whose context ends
// while it waits goes on unqueued: the driver fails it before sending.
func (g *writeGate) started(ctx context.Context, e *event.CommandStartedEvent) {
	if !gated[e.CommandName] {
		return
	}
	v, ok := g.dbs.Load(e.DatabaseName)
	if !ok {
		v, _ = g.dbs.LoadOrStore(e.DatabaseName, &lane{turn: make(chan struct{}, 1)})
	}
	l := v.(*lane)
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	select {
	case l.turn <- struct{}{}: // blocked senders are woken in the order they came
		g.held.Store(e.RequestID, l)
	case <-ctx.Done():
	}
}

func (g *writeGate) release(id int64) {
	if l, ok := g.held.LoadAndDelete(id); ok {
		<-l.(*lane).turn
	}
}

// waiting is how many writes to database db wait for their turn.
func (g *writeGate) waiting(db string) int {
	if v, ok := g.dbs.Load(db); ok {
		return int(v.(*lane).waiting.Load())
	}
	return 0
}
