package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	"github.com/cdp-dev/cdp/internal/auth"
)

// The embedded FerretDB (SQLite handler) uses an index only for a filter
// that is exactly {_id: <string>}; any other filter reads and parses the
// whole collection. Point reads and writes on the hot paths therefore filter
// by _id alone and check the workspace here. FerretDB also applies an update
// by reading the document, changing it and writing it back, so two
// concurrent updates of one document can lose one: on the embedded store
// every update and replace holds the document's in-process lock (an embedded
// store belongs to one process). On MongoDB updates are atomic and the
// workspace and version stay in the filter.

// getByID decodes the document with the id into out if it belongs to ws;
// otherwise it returns mongo.ErrNoDocuments.
func getByID(ctx context.Context, c *mongo.Collection, ws auth.Workspace, id string, out any) error {
	raw, err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	if err != nil {
		return err
	}
	if w, ok := raw.Lookup("workspace").StringValueOK(); !ok || w != string(ws) {
		return mongo.ErrNoDocuments
	}
	return bson.Unmarshal(raw, out)
}

func notFound(err error) bool { return errors.Is(err, mongo.ErrNoDocuments) }

// stripes serializes writes to the same document id within the process.
type stripes [256]sync.Mutex

func (s *stripes) lock(id string) func() { return s.lockAll([]string{id}) }

// lockAll takes the locks of the ids in a fixed order, so two callers never
// wait on each other in a cycle. A nil *stripes (MongoDB) locks nothing.
func (s *stripes) lockAll(ids []string) func() {
	if s == nil {
		return func() {}
	}
	idx := make([]int, 0, len(ids))
	for _, id := range ids {
		h := fnv.New32a()
		_, _ = h.Write([]byte(id))
		idx = append(idx, int(h.Sum32()%uint32(len(s))))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, i := range idx {
		s[i].Lock()
	}
	return func() {
		for _, i := range idx {
			s[i].Unlock()
		}
	}
}

// FerretDB v1.24 and its SQLite connections. Each database is one SQLite
// file with a pool of 100 connections (backends/sqlite/metadata/pool/
// opendb.go), and an open query result holds its connection until it is read
// to the end or closed (backends/sqlite/query_iterator.go). Per command:
//   - update (handler/msg_update.go, updateDocument): every statement opens
//     a query whose close is deferred to the end of the whole command. A
//     single-document statement (UpdateOne, ReplaceOne, each UpdateOne model
//     of a BulkWrite) that matches stops reading after one document
//     (common/limit_iterator.go), so it keeps its connection until the
//     command ends, and writing the change (UpdateAll) takes one more. A
//     command whose k single-document statements match needs k+1 connections
//     at once: near 100 it waits forever for connections it holds itself.
//     Concurrent commands add up: 8 concurrent bulk writes of 30 UpdateOnes
//     hang too. Statements that match nothing and multi statements
//     (UpdateMany) read to the end and let go: such a command peaks at 2.
//   - findAndModify (msg_findandmodify.go): one statement, peaks at 2 like
//     UpdateOne (the store does not use it).
//   - delete (msg_delete.go, execDelete): each statement collects the
//     matching ids and closes its query before deleting, so it holds at most
//     one connection and never waits while holding it, for any count. But it
//     deletes them with one DELETE ... IN (one SQL variable per id;
//     backends/sqlite/collection.go, DeleteAll), so a statement matching more
//     than 32,766 documents (SQLite's limit) fails.
//   - insert (msg_insert.go): documents go in batches of 100, each batch one
//     transaction on one connection, so InsertMany is safe for any count.
//   - The driver sends a BulkWrite's run of same-kind models, or an
//     InsertMany, as one command, split only at 100,000 statements;
//     FerretDB ignores ordered for updates.
// So on the embedded store an update command carries at most chunkEmbedded
// statements and first takes k+1 units of the process-wide write budget
// (enter, bulk.go), and a delete statement matches at most chunkDelete
// (deleteMatching). The budget is taken before any stripe lock, never while
// holding one.

// updateEach applies update to each id with its own {_id} filter, holding
// the documents' locks on the embedded store. There it sends chunks of
// chunkEmbedded statements, one command each; on MongoDB one bulk write.
func (s *Store) updateEach(ctx context.Context, c *mongo.Collection, ids []string, update bson.D) error {
	if len(ids) == 0 {
		return nil
	}
	size := len(ids)
	if s.serial != nil {
		size = chunkEmbedded
	}
	for chunk := range slices.Chunk(ids, size) {
		if err := s.updateChunk(ctx, c, chunk, update); err != nil {
			return err
		}
	}
	return nil
}

// updateChunk is one bulk write of updateEach: it takes the write budget,
// then the locks of the chunk's ids only.
func (s *Store) updateChunk(ctx context.Context, c *mongo.Collection, ids []string, update bson.D) error {
	release, err := s.enter(ctx, len(ids))
	if err != nil {
		return err
	}
	defer release()
	defer s.serial.lockAll(ids)()
	models := make([]mongo.WriteModel, len(ids))
	for i, id := range ids {
		models[i] = mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}).SetUpdate(update)
	}
	_, err = c.BulkWrite(ctx, models)
	return err
}

// eachDoc hands fn the documents q finds, converted, one at a time as the
// cursor reads them: constant memory however many match.
func eachDoc[D, T any](ctx context.Context, c *mongo.Collection, q bson.D, opts *options.FindOptionsBuilder, conv func(D) T, fn func(T) error) error {
	cur, err := c.Find(ctx, q, opts)
	if err != nil {
		return fmt.Errorf("find in %s: %w", c.Name(), err)
	}
	defer func() { _ = cur.Close(context.WithoutCancel(ctx)) }()
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("decode from %s: %w", c.Name(), err)
		}
		if err := fn(conv(d)); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("find in %s: %w", c.Name(), err)
	}
	return nil
}

// findAll runs a find and converts every decoded document D with conv.
func findAll[D, T any](ctx context.Context, c *mongo.Collection, q bson.D, opts *options.FindOptionsBuilder, conv func(D) T) ([]T, error) {
	if opts == nil {
		opts = options.Find()
	}
	cur, err := c.Find(ctx, q, opts)
	if err != nil {
		return nil, fmt.Errorf("find in %s: %w", c.Name(), err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("find in %s: %w", c.Name(), err)
	}
	out := make([]T, len(docs))
	for i, d := range docs {
		out[i] = conv(d)
	}
	return out, nil
}

// fetchParallel is how many point reads readByIDs has in flight.
const fetchParallel = 8

// readByIDs reads the documents with the ids, one {_id} read each (the
// only reads FerretDB's SQLite handler answers from an index), several at
// a time, and converts them with conv, in the ids' order. Ids no longer
// there are left out. opts may be nil.
func readByIDs[D, T any](ctx context.Context, c *mongo.Collection, ids []string, opts *options.FindOneOptionsBuilder, conv func(D) T) ([]T, error) {
	docs := make([]*D, len(ids))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(fetchParallel)
	for i, id := range ids {
		g.Go(func() error {
			var d D
			err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, opts).Decode(&d)
			if notFound(err) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read from %s: %w", c.Name(), err)
			}
			docs[i] = &d
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := make([]T, 0, len(ids))
	for _, d := range docs {
		if d != nil {
			out = append(out, conv(*d))
		}
	}
	return out, nil
}
