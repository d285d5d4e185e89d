package store

import (
	"context"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Replacements of documents by _id on the embedded store are combined:
// callers replacing documents of one collection at the same time share one
// bulk write of up to chunkEmbedded statements. FerretDB still applies each
// statement on its own, but the command's own cost (about a third of a
// lone replacement's) and the wait for the write gate (gate.go) are paid
// once per bulk write instead of once per document; that is most of what
// the fold pays per profile when many profiles are folded at once. A
// caller that finds no write in flight writes at once, so combining never
// adds latency; callers arriving meanwhile are written by the next one.
//
// Callers must hold the documents' locks (so one bulk write never carries a
// document twice). A failed bulk write fails every caller in it, who must
// then treat their documents as unknown: some statements may have been
// applied.

// combiners holds one combiner per database and collection.
type combiners struct{ m sync.Map } // "db.collection" → *combiner

func (cs *combiners) of(c *mongo.Collection) *combiner {
	key := c.Database().Name() + "." + c.Name()
	if v, ok := cs.m.Load(key); ok {
		return v.(*combiner)
	}
	v, _ := cs.m.LoadOrStore(key, &combiner{})
	return v.(*combiner)
}

// combiner queues one collection's replacements.
type combiner struct {
	mu    sync.Mutex
	queue []*replacement
	busy  bool // a caller is writing
}

type replacement struct {
	id   string
	doc  bson.Raw
	done chan error // capacity 1
	lead bool       // told to write the queue's next chunk
}

// replace stores doc as the document id of c, in a bulk write with the
// replacements other callers asked for meanwhile.
func (cb *combiner) replace(ctx context.Context, c *mongo.Collection, id string, doc bson.Raw) error {
	r := &replacement{id: id, doc: doc, done: make(chan error, 1)}
	cb.mu.Lock()
	cb.queue = append(cb.queue, r)
	if cb.busy {
		cb.mu.Unlock()
		if err := <-r.done; err != nil || !r.lead {
			return err
		}
		cb.mu.Lock() // this caller writes the next chunk, its own among it
	}
	cb.busy = true
	chunk := cb.queue[:min(len(cb.queue), chunkEmbedded)]
	cb.queue = cb.queue[len(chunk):]
	cb.mu.Unlock()
	err := writeChunk(context.WithoutCancel(ctx), c, chunk)
	cb.mu.Lock()
	if len(cb.queue) > 0 { // hand over: the next caller in line writes the rest
		next := cb.queue[0]
		next.lead = true
		next.done <- nil
	} else {
		cb.busy = false
	}
	cb.mu.Unlock()
	for _, q := range chunk {
		if q != r {
			q.done <- err
		}
	}
	return err
}

// writeChunk replaces the chunk's documents with one unordered bulk write.
// Any error is every caller's: FerretDB stops at a failing statement and
// reports it with an index of its own (its first statement's, in a test),
// so which statements were applied is not known.
func writeChunk(ctx context.Context, c *mongo.Collection, chunk []*replacement) error {
	models := make([]mongo.WriteModel, len(chunk))
	for i, q := range chunk {
		models[i] = mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: q.id}}).SetReplacement(q.doc)
	}
	_, err := c.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	return err
}
