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

// updateEach applies update to each id with its own {_id} filter, in one
// bulk write, holding the documents' locks on the embedded store.
func (s *Store) updateEach(ctx context.Context, c *mongo.Collection, ids []string, update bson.D) error {
	if len(ids) == 0 {
		return nil
	}
	defer s.serial.lockAll(ids)()
	models := make([]mongo.WriteModel, len(ids))
	for i, id := range ids {
		models[i] = mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}).SetUpdate(update)
	}
	_, err := c.BulkWrite(ctx, models)
	return err
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
