package store

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/semaphore"
)

// Limits of multi-document writes on the embedded store; byid.go explains
// the FerretDB behaviour behind them.
const (
	// chunkEmbedded is the most statements one update command carries.
	chunkEmbedded = 16
	// writeBudget is the most SQLite connections the process's in-flight
	// update commands may need together: half of FerretDB's pool of 100.
	// The other half serves reads, inserts and deletes, which hold at most
	// one connection each and never wait while holding it. The pool is per
	// database and the budget is per process, which errs on the safe side.
	writeBudget = 50
	// chunkDelete is the most documents one delete statement removes; SQLite
	// takes at most 32,766 variables, one per document, and the margin
	// absorbs documents that start to match while the ids are collected.
	chunkDelete = 10000
)

// newWriteBudget returns the semaphore that enter draws on.
func newWriteBudget() *semaphore.Weighted { return semaphore.NewWeighted(writeBudget) }

// enter takes the write budget of one update command of n statements (n+1
// connections at most) on the embedded store and returns the func that
// gives it back. Take it before any stripe lock. On MongoDB it does nothing.
func (s *Store) enter(ctx context.Context, n int) (func(), error) {
	if s.writes == nil {
		return func() {}, nil
	}
	w := int64(n + 1)
	if err := s.writes.Acquire(ctx, w); err != nil {
		return nil, err
	}
	return func() { s.writes.Release(w) }, nil
}

// writeLock takes the write budget of one update statement, then the lock of
// the document id; the returned func releases both.
func (s *Store) writeLock(ctx context.Context, id string) (func(), error) {
	release, err := s.enter(ctx, 1)
	if err != nil {
		return nil, err
	}
	unlock := s.serial.lock(id)
	return func() { unlock(); release() }, nil
}

// updateMatching applies update to every document matching filter and
// returns how many matched. On the embedded store it finds the ids and goes
// through updateEach (chunks, budget, locks), so filter must use fields the
// update and concurrent writers leave alone. On MongoDB it is one UpdateMany.
func (s *Store) updateMatching(ctx context.Context, c *mongo.Collection, filter, update bson.D) (int64, error) {
	if s.serial == nil {
		r, err := c.UpdateMany(ctx, filter, update)
		if err != nil {
			return 0, err
		}
		return r.MatchedCount, nil
	}
	ids, err := findIDs(ctx, c, filter)
	if err != nil {
		return 0, err
	}
	return int64(len(ids)), s.updateEach(ctx, c, ids, update)
}

// deleteMatching deletes every document matching filter and returns how
// many it deleted. One DeleteMany statement fails past SQLite's 32,766
// variables on the embedded store, so there it finds the ids and deletes
// them in _id ranges of at most chunkDelete. On MongoDB it is one DeleteMany.
func (s *Store) deleteMatching(ctx context.Context, c *mongo.Collection, filter bson.D) (int64, error) {
	if s.serial == nil {
		r, err := c.DeleteMany(ctx, filter)
		if err != nil {
			return 0, err
		}
		return r.DeletedCount, nil
	}
	ids, err := findIDs(ctx, c, filter)
	if err != nil {
		return 0, err
	}
	slices.Sort(ids) // FerretDB, like MongoDB, orders strings bytewise
	var n int64
	for chunk := range slices.Chunk(ids, chunkDelete) {
		span := bson.D{{Key: "_id", Value: bson.D{{Key: "$gte", Value: chunk[0]}, {Key: "$lte", Value: chunk[len(chunk)-1]}}}}
		r, err := c.DeleteMany(ctx, bson.D{{Key: "$and", Value: bson.A{filter, span}}})
		if err != nil {
			return n, err
		}
		n += r.DeletedCount
	}
	return n, nil
}

// deleteIDs deletes the documents with the ids, with one {_id} statement
// each in one command: FerretDB finds each through the _id index, where a
// statement matching them all reads the whole collection. It returns how
// many it deleted.
func deleteIDs(ctx context.Context, c *mongo.Collection, ids []string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	models := make([]mongo.WriteModel, len(ids))
	for i, id := range ids {
		models[i] = mongo.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: id}})
	}
	r, err := c.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	if err != nil {
		return 0, err
	}
	return r.DeletedCount, nil
}

// idDoc decodes only a document's _id.
type idDoc struct {
	ID string `bson:"_id"`
}

// findIDs returns the _id of every document matching filter.
func findIDs(ctx context.Context, c *mongo.Collection, filter bson.D) ([]string, error) {
	opts := options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}})
	return findAll(ctx, c, filter, opts, func(d idDoc) string { return d.ID })
}
