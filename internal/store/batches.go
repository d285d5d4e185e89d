package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/event"
)

// Event batches are marked, not events: a marker is stored before a group
// commit or an import chunk stores its events, and removed once they are
// folded into their profiles, so a batch costs two small writes however
// many events it holds, and a crash leaves the marker for recovery to find.

type batchDoc struct {
	ID        string    `bson:"_id"`
	Workspace string    `bson:"workspace"`
	Batch     string    `bson:"batch"`
	At        time.Time `bson:"at"`
	Events    int       `bson:"events,omitempty"`
}

func (x Events) batches() *mongo.Collection { return x.s.coll(colBatches) }

func batchKey(ws auth.Workspace, batch string) string { return string(ws) + "/" + batch }

// BatchOpen reports whether the batch's marker is still there.
func (x Events) BatchOpen(ctx context.Context, ws auth.Workspace, batch string) (bool, error) {
	var d batchDoc
	err := getByID(ctx, x.batches(), ws, batchKey(ws, batch), &d)
	if notFound(err) {
		return false, nil
	}
	return err == nil, classify("read batch", err)
}

// OpenBatches returns up to limit batches of any workspace still marked,
// oldest first.
func (x Events) OpenBatches(ctx context.Context, limit int) ([]event.BatchRef, error) {
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: 1}}).SetLimit(int64(limit))
	return findAll(ctx, x.batches(), bson.D{}, opts, func(d batchDoc) event.BatchRef {
		return event.BatchRef{Workspace: auth.Workspace(d.Workspace), Batch: d.Batch, At: d.At.UTC(), Events: d.Events}
	})
}

// Mark marks batches as not folded yet, in one write; marks already there
// stay as they are.
func (x Events) Mark(ctx context.Context, refs []event.BatchRef) error {
	docs := make([]any, len(refs))
	for i, r := range refs {
		docs[i] = batchDoc{ID: batchKey(r.Workspace, r.Batch), Workspace: string(r.Workspace), Batch: r.Batch, At: r.At, Events: r.Events}
	}
	_, err := x.batches().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if _, dupOnly := duplicates(err); err != nil && !dupOnly {
		return classify("mark batches", err)
	}
	return nil
}

// Unmark removes the batches' marks, in one write: they are folded.
func (x Events) Unmark(ctx context.Context, refs []event.BatchRef) error {
	keys := make([]string, len(refs))
	for i, r := range refs {
		keys[i] = batchKey(r.Workspace, r.Batch)
	}
	q := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}}
	if len(keys) == 1 {
		q = bson.D{{Key: "_id", Value: keys[0]}}
	}
	_, err := x.batches().DeleteMany(ctx, q)
	return classify("unmark batches", err)
}

// ByBatches returns the events the batches stored (tombstones excluded), in
// one read.
func (x Events) ByBatches(ctx context.Context, refs []event.BatchRef) ([]*event.Event, error) {
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = r.Batch
	}
	evs, err := x.ofBatches(ctx, refs, names)
	if err != nil {
		return nil, err
	}
	want := map[event.BatchRef]bool{}
	for _, r := range refs {
		want[event.BatchRef{Workspace: r.Workspace, Batch: r.Batch}] = true
	}
	out := evs[:0]
	for _, e := range evs {
		if want[event.BatchRef{Workspace: e.Workspace, Batch: e.Batch}] {
			out = append(out, e)
		}
	}
	return out, nil
}

// ofBatches reads the events stored under the batch names, of any
// workspace: on the embedded store through the side reader, one SQLite
// scan per workspace of refs (events by batch have no index, see
// sideIndexes).
func (x Events) ofBatches(ctx context.Context, refs []event.BatchRef, names []string) ([]*event.Event, error) {
	if x.s.side == nil {
		return x.find(ctx, bson.D{{Key: "batch", Value: bson.D{{Key: "$in", Value: names}}}}, nil)
	}
	var out []*event.Event
	seen := map[auth.Workspace]bool{}
	for _, r := range refs {
		if seen[r.Workspace] {
			continue
		}
		seen[r.Workspace] = true
		evs, err := x.indexed(ctx, eventQuery{workspace: string(r.Workspace), batches: names}, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
	}
	return out, nil
}

// Assign records the profile that resolution gave the events.
func (x Events) Assign(ctx context.Context, ws auth.Workspace, profileID string, ids []string) error {
	return classify("assign events", x.s.updateEach(ctx, x.c(), ids, set(bson.E{Key: "profileId", Value: profileID})))
}

// Erased returns those of the ids that are tombstones, in one read.
func (x Events) Erased(ctx context.Context, ws auth.Workspace, ids []string) ([]string, error) {
	q := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}, {Key: "workspace", Value: string(ws)}, {Key: "erased", Value: true}}
	return findIDs(ctx, x.c(), q)
}
