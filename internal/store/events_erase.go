package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cdp-dev/cdp/internal/auth"
)

// eraseChunk bounds the events one step of an embedded erasure replaces.
const eraseChunk = 5000

// eraseJournal lists the events an embedded erasure is replacing by
// tombstones, so a crash between deleting them and inserting their
// tombstones is finished by the next try.
type eraseJournal struct {
	ID  string   `bson:"_id"`
	IDs []string `bson:"ids"`
}

// tombstone strips an event down to its id: a retry of the same messageId
// is still a duplicate, and nothing personal is left. tombstoneDoc is the
// same document written whole.
var tombstone = bson.D{
	{Key: "$set", Value: bson.D{{Key: "erased", Value: true}, {Key: "applied", Value: true}}},
	{Key: "$unset", Value: bson.D{{Key: "profileId", Value: ""}, {Key: "messageId", Value: ""}, {Key: "type", Value: ""},
		{Key: "channel", Value: ""}, {Key: "properties", Value: ""}, {Key: "identities", Value: ""},
		{Key: "timestamp", Value: ""}, {Key: "receivedAt", Value: ""}, {Key: "batch", Value: ""}}},
}

type tombstoneDoc struct {
	ID        string `bson:"_id"`
	Workspace string `bson:"workspace"`
	Erased    bool   `bson:"erased"`
	Applied   bool   `bson:"applied"`
}

// EraseByProfile erases a profile's events, leaving tombstones, and counts
// them. On MongoDB it is one UpdateMany. On the embedded store, where an
// update writes each document in its own transaction, it finds the events
// by cdp's own index (sidelookup.go), deletes them by _id and inserts their
// tombstones in bulk, journaling each step.
func (x Events) EraseByProfile(ctx context.Context, ws auth.Workspace, profileID string) (int64, error) {
	if x.s.serial == nil {
		filter := bson.D{{Key: "workspace", Value: string(ws)}, {Key: "profileId", Value: profileID}}
		n, err := x.s.updateMatching(ctx, x.c(), filter, tombstone)
		return n, classify("erase events", err)
	}
	key := string(ws) + "/" + profileID
	n, err := x.finishJournal(ctx, ws, key)
	for err == nil {
		var ids []string
		if ids, err = x.s.eventIDs(ctx, eventQuery{workspace: string(ws), profiles: []string{profileID}}); err != nil || len(ids) == 0 {
			break
		}
		slices.Sort(ids)
		ids = ids[:min(len(ids), eraseChunk)]
		opts := options.Replace().SetUpsert(true)
		if _, err = x.journal().ReplaceOne(ctx, bson.D{{Key: "_id", Value: key}}, eraseJournal{ID: key, IDs: ids}, opts); err != nil {
			break
		}
		var m int64
		m, err = x.finishJournal(ctx, ws, key)
		n += m
	}
	return n, classify("erase events", err)
}

func (x Events) journal() *mongo.Collection { return x.s.coll(colErasures) }

// finishJournal deletes the journaled events that are still there, inserts
// their tombstones, and drops the journal. Every step may run again.
func (x Events) finishJournal(ctx context.Context, ws auth.Workspace, key string) (int64, error) {
	var j eraseJournal
	err := x.journal().FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&j)
	if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && len(j.IDs) == 0) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if _, err := deleteIDs(ctx, x.c(), j.IDs); err != nil {
		return 0, err
	}
	docs := make([]any, len(j.IDs))
	for i, id := range j.IDs {
		docs[i] = tombstoneDoc{ID: id, Workspace: string(ws), Erased: true, Applied: true}
	}
	if _, err := x.c().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
		if _, dupOnly := duplicates(err); !dupOnly { // a resumed step finds some inserted
			return 0, fmt.Errorf("insert tombstones: %w", err)
		}
	}
	_, err = x.journal().DeleteOne(ctx, bson.D{{Key: "_id", Value: key}})
	return int64(len(j.IDs)), err
}

// duplicates returns the positions of the documents a bulk insert refused
// because their _id exists; ok is false when it failed for any other reason.
func duplicates(err error) (idx []int, ok bool) {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return nil, false
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 && !mongo.IsDuplicateKeyError(we.WriteError) {
			return nil, false
		}
		idx = append(idx, we.Index)
	}
	return idx, true
}

// Erase erases the events with the ids, leaving tombstones.
func (x Events) Erase(ctx context.Context, ws auth.Workspace, ids []string) error {
	return classify("erase events", x.s.updateEach(ctx, x.c(), ids, tombstone))
}
