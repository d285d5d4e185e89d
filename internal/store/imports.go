package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/imports"
)

// Imports stores bulk import jobs, one document each. Every change is one
// update of that document: on MongoDB its conditions are in the filter; on
// the embedded store, where only {_id} is indexed and an update reads and
// writes the document back, the job's lock is held and the conditions are
// checked on the document read by _id.
type Imports struct{ s *Store }

var _ imports.Store = Imports{}

// Imports returns the import job store.
func (s *Store) Imports() Imports { return Imports{s} }

func (x Imports) c() *mongo.Collection { return x.s.coll(colImports) }

type importDoc struct {
	ID         string           `bson:"_id"`
	Workspace  string           `bson:"workspace"`
	Kind       string           `bson:"kind"`
	Status     string           `bson:"status"`
	Actor      string           `bson:"actor"`
	Node       string           `bson:"node"`
	Offset     int64            `bson:"offset"`
	Line       int64            `bson:"line"`
	Chunks     int              `bson:"chunks"`
	Counts     countsDoc        `bson:"counts"`
	Rejections []rejectionDoc   `bson:"rejections"`
	Pending    map[string]int64 `bson:"pending"` // by pendingKey
	Error      string           `bson:"error,omitempty"`
	CreatedAt  time.Time        `bson:"createdAt"`
	UpdatedAt  time.Time        `bson:"updatedAt"`
	FinishedAt *time.Time       `bson:"finishedAt,omitempty"`
}

type countsDoc struct {
	Read      int64 `bson:"read"`
	Stored    int64 `bson:"stored"`
	Duplicate int64 `bson:"duplicate"`
	Folded    int64 `bson:"folded"`
	Rejected  int64 `bson:"rejected"`
}

type rejectionDoc struct {
	Line   int64  `bson:"line"`
	Reason string `bson:"reason"`
}

// pendingKey names a chunk in the pending document (not a bare number, so
// no path is mistaken for an array index).
func pendingKey(chunk int) string { return "c" + strconv.Itoa(chunk) }

// Create stores a new job.
func (x Imports) Create(ctx context.Context, j *imports.Job) error {
	_, err := x.c().InsertOne(ctx, toImportDoc(j))
	return classify("create import", err)
}

// Get returns the workspace's job with the id, or nil.
func (x Imports) Get(ctx context.Context, ws auth.Workspace, id string) (*imports.Job, error) {
	var d importDoc
	err := getByID(ctx, x.c(), ws, id, &d)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, classify("get import", err)
	}
	return fromImportDoc(d), nil
}

// Running returns the running jobs of a node.
func (x Imports) Running(ctx context.Context, node string) ([]*imports.Job, error) {
	q := bson.D{{Key: "status", Value: string(imports.Running)}, {Key: "node", Value: node}}
	return findAll(ctx, x.c(), q, nil, fromImportDoc)
}

// Checkpoint records a processed chunk if the running job has processed
// exactly the chunks before it.
func (x Imports) Checkpoint(ctx context.Context, id string, cp imports.Checkpoint) (bool, error) {
	set := bson.D{{Key: "offset", Value: cp.Offset}, {Key: "line", Value: cp.Line}, {Key: "chunks", Value: cp.Chunk},
		{Key: "updatedAt", Value: cp.At}}
	if cp.Pending {
		set = append(set, bson.E{Key: "pending." + pendingKey(cp.Chunk), Value: cp.Add.Stored})
	}
	update := bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{
		{Key: "counts.read", Value: cp.Add.Read}, {Key: "counts.stored", Value: cp.Add.Stored},
		{Key: "counts.duplicate", Value: cp.Add.Duplicate}, {Key: "counts.folded", Value: cp.Add.Folded},
		{Key: "counts.rejected", Value: cp.Add.Rejected}}}}
	if len(cp.Rejections) > 0 {
		each := make(bson.A, len(cp.Rejections))
		for i, r := range cp.Rejections {
			each[i] = rejectionDoc(r)
		}
		update = append(update, bson.E{Key: "$push", Value: bson.D{{Key: "rejections", Value: bson.D{{Key: "$each", Value: each}}}}})
	}
	cond := bson.D{{Key: "status", Value: string(imports.Running)}, {Key: "chunks", Value: cp.Chunk - 1}}
	return x.update(ctx, id, cond, func(d importDoc) bool {
		return d.Status == string(imports.Running) && d.Chunks == cp.Chunk-1
	}, update, "checkpoint import")
}

// Folded counts a pending chunk's rows as folded, once.
func (x Imports) Folded(ctx context.Context, id string, chunk int, rows int64, at time.Time) error {
	key := "pending." + pendingKey(chunk)
	update := bson.D{{Key: "$unset", Value: bson.D{{Key: key, Value: ""}}},
		{Key: "$inc", Value: bson.D{{Key: "counts.folded", Value: rows}}},
		{Key: "$set", Value: bson.D{{Key: "updatedAt", Value: at}}}}
	cond := bson.D{{Key: key, Value: bson.D{{Key: "$exists", Value: true}}}}
	_, err := x.update(ctx, id, cond, func(d importDoc) bool {
		_, ok := d.Pending[pendingKey(chunk)]
		return ok
	}, update, "fold import chunk")
	return err
}

// Finish ends a running job.
func (x Imports) Finish(ctx context.Context, id string, st imports.Status, reason string, at time.Time) error {
	set := bson.D{{Key: "status", Value: string(st)}, {Key: "updatedAt", Value: at}, {Key: "finishedAt", Value: at}}
	if reason != "" {
		set = append(set, bson.E{Key: "error", Value: reason})
	}
	cond := bson.D{{Key: "status", Value: string(imports.Running)}}
	_, err := x.update(ctx, id, cond, func(d importDoc) bool { return d.Status == string(imports.Running) },
		bson.D{{Key: "$set", Value: set}}, "finish import")
	return err
}

// update applies update to the job if it meets the conditions (cond in
// the filter on MongoDB, ok on the document on the embedded store) and
// reports whether it did.
func (x Imports) update(ctx context.Context, id string, cond bson.D, ok func(importDoc) bool, update bson.D, op string) (bool, error) {
	filter := bson.D{{Key: "_id", Value: id}}
	if x.s.serial == nil {
		r, err := x.c().UpdateOne(ctx, append(filter, cond...), update)
		if err != nil {
			return false, classify(op, err)
		}
		return r.MatchedCount > 0, nil
	}
	unlock, err := x.s.writeLock(ctx, id)
	if err != nil {
		return false, classify(op, err)
	}
	defer unlock()
	var d importDoc
	if err := x.c().FindOne(ctx, filter).Decode(&d); notFound(err) {
		return false, nil
	} else if err != nil {
		return false, classify(op, err)
	}
	if !ok(d) {
		return false, nil
	}
	_, err = x.c().UpdateOne(ctx, filter, update)
	return err == nil, classify(op, err)
}

func toImportDoc(j *imports.Job) importDoc {
	d := importDoc{ID: j.ID, Workspace: string(j.Workspace), Kind: string(j.Kind), Status: string(j.Status), Actor: j.Actor,
		Node: j.Node, Offset: j.Offset, Line: j.Line, Chunks: j.Chunks, Counts: countsDoc(j.Counts),
		Rejections: make([]rejectionDoc, len(j.Rejections)), Pending: map[string]int64{}, Error: j.Error,
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, FinishedAt: j.FinishedAt}
	for i, r := range j.Rejections {
		d.Rejections[i] = rejectionDoc(r)
	}
	for c, n := range j.Pending {
		d.Pending[pendingKey(c)] = n
	}
	return d
}

func fromImportDoc(d importDoc) *imports.Job {
	j := &imports.Job{ID: d.ID, Workspace: auth.Workspace(d.Workspace), Kind: imports.Kind(d.Kind), Status: imports.Status(d.Status),
		Actor: d.Actor, Node: d.Node, Offset: d.Offset, Line: d.Line, Chunks: d.Chunks, Counts: imports.Counts(d.Counts),
		Rejections: make([]imports.Rejection, len(d.Rejections)), Pending: map[int]int64{}, Error: d.Error,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
	for i, r := range d.Rejections {
		j.Rejections[i] = imports.Rejection(r)
	}
	for k, n := range d.Pending {
		if c, err := strconv.Atoi(strings.TrimPrefix(k, "c")); err == nil {
			j.Pending[c] = n
		}
	}
	if d.FinishedAt != nil {
		t := d.FinishedAt.UTC()
		j.FinishedAt = &t
	}
	return j
}
