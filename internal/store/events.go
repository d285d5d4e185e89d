package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/identity"
)

// Events stores customer events.
type Events struct{ s *Store }

var _ event.Store = Events{}

// Events returns the event store.
func (s *Store) Events() Events { return Events{s} }

func (x Events) c() *mongo.Collection { return x.s.coll(colEvents) }

// Sync makes the writes made so far durable (see Store.Sync).
func (x Events) Sync(ctx context.Context) error { return x.s.Sync(ctx) }

type eventDoc struct {
	ID         string          `bson:"_id"`
	Workspace  string          `bson:"workspace"`
	MessageID  string          `bson:"messageId"`
	ProfileID  string          `bson:"profileId"`
	Type       string          `bson:"type"`
	Channel    string          `bson:"channel,omitempty"`
	Properties map[string]any  `bson:"properties"`
	Identities []identifierDoc `bson:"identities"`
	Timestamp  time.Time       `bson:"timestamp"`
	ReceivedAt time.Time       `bson:"receivedAt"`
	Applied    bool            `bson:"applied,omitempty"` // set only on events of earlier versions, and tombstones
	Batch      string          `bson:"batch,omitempty"`
}

type identifierDoc struct {
	Type  string `bson:"type"`
	Value string `bson:"value"`
}

func toEventDoc(e *event.Event) eventDoc {
	d := eventDoc{ID: e.ID, Workspace: string(e.Workspace), MessageID: e.MessageID, ProfileID: e.ProfileID,
		Type: e.Type, Channel: e.Channel, Properties: e.Properties, Timestamp: e.Timestamp,
		ReceivedAt: e.ReceivedAt, Applied: e.Applied, Batch: e.Batch, Identities: make([]identifierDoc, len(e.Identities))}
	for i, id := range e.Identities {
		d.Identities[i] = identifierDoc(id)
	}
	return d
}

func fromEventDoc(d eventDoc) *event.Event {
	e := &event.Event{ID: d.ID, Workspace: auth.Workspace(d.Workspace), MessageID: d.MessageID, ProfileID: d.ProfileID,
		Type: d.Type, Channel: d.Channel, Properties: plainMap(d.Properties), Timestamp: d.Timestamp.UTC(),
		ReceivedAt: d.ReceivedAt.UTC(), Applied: d.Applied, Batch: d.Batch, Identities: make([]identity.Identifier, len(d.Identities))}
	for i, id := range d.Identities {
		e.Identities[i] = identity.Identifier(id)
	}
	return e
}

// Insert stores events in one unordered batch; duplicates of stored ids are
// reported, not failed.
func (x Events) Insert(ctx context.Context, evs []*event.Event) ([]bool, error) {
	docs := make([]any, len(evs))
	for i, e := range evs {
		docs[i] = toEventDoc(e)
	}
	dup := make([]bool, len(evs))
	_, err := x.c().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return dup, nil
	}
	idx, ok := duplicates(err)
	if !ok {
		return nil, fmt.Errorf("insert events: %w", err)
	}
	for _, i := range idx {
		dup[i] = true
	}
	return dup, nil
}

// Get returns an event or nil.
func (x Events) Get(ctx context.Context, ws auth.Workspace, id string) (*event.Event, error) {
	var d eventDoc
	err := getByID(ctx, x.c(), ws, id, &d)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get event: %w", err)
	}
	return fromEventDoc(d), nil
}

// MarkApplied flags events as folded into their profile.
// Event ids start with the workspace, so an id names one workspace's event.
func (x Events) MarkApplied(ctx context.Context, ws auth.Workspace, ids []string) error {
	return classify("mark events applied", x.s.updateEach(ctx, x.c(), ids, set(bson.E{Key: "applied", Value: true})))
}

// Unapplied returns events of any workspace not yet applied.
func (x Events) Unapplied(ctx context.Context, limit int) ([]*event.Event, error) {
	var d struct{}
	switch err := x.s.coll(colMeta).FindOne(ctx, bson.D{{Key: "_id", Value: metaNoUnapplied}}).Decode(&d); {
	case err == nil:
		return nil, nil
	case !notFound(err):
		return nil, classify("read meta", err)
	}
	evs, err := x.find(ctx, bson.D{{Key: "applied", Value: false}}, options.Find().SetLimit(int64(limit)))
	if err == nil && len(evs) == 0 {
		_, err = x.s.coll(colMeta).ReplaceOne(ctx, bson.D{{Key: "_id", Value: metaNoUnapplied}},
			bson.D{{Key: "_id", Value: metaNoUnapplied}}, options.Replace().SetUpsert(true))
		err = classify("write meta", err)
	}
	return evs, err
}

// metaNoUnapplied records that no event of an earlier version is left
// unapplied. This version never stores one, so once a scan finds none
// (on the embedded store a scan of every event) no start scans again.
const metaNoUnapplied = "no-unapplied-events"

// List returns a profile's events newest first, strictly after the cursor.
func (x Events) List(ctx context.Context, ws auth.Workspace, profileIDs []string, types []string, after *event.Cursor, limit int) ([]*event.Event, error) {
	if x.s.side != nil {
		q := eventQuery{workspace: string(ws), profiles: profileIDs, types: types, newest: true, limit: limit}
		if after != nil {
			q.after = &eventCursor{at: after.Timestamp, id: after.ID}
		}
		return x.indexed(ctx, q, nil)
	}
	q := eventFilter(ws, profileIDs, types)
	if after != nil {
		q = append(q, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "timestamp", Value: bson.D{{Key: "$lt", Value: after.Timestamp}}}},
			bson.D{{Key: "timestamp", Value: after.Timestamp}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: after.ID}}}},
		}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "timestamp", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit))
	return x.find(ctx, q, opts)
}

// Count counts a profile's events of the given types.
func (x Events) Count(ctx context.Context, ws auth.Workspace, profileIDs []string, types []string) (int64, error) {
	if x.s.side != nil {
		return x.s.countEvents(ctx, eventQuery{workspace: string(ws), profiles: profileIDs, types: types})
	}
	n, err := x.c().CountDocuments(ctx, eventFilter(ws, profileIDs, types))
	if err != nil {
		return 0, fmt.Errorf("count events: %w", err)
	}
	return n, nil
}

// OfProfiles returns every event stored under the profile ids (tombstones
// included), in one read: the input of a recomputation.
func (x Events) OfProfiles(ctx context.Context, ws auth.Workspace, profileIDs []string) ([]*event.Event, error) {
	noIDs := bson.D{{Key: "identities", Value: 0}}
	if x.s.side != nil {
		return x.indexed(ctx, eventQuery{workspace: string(ws), profiles: profileIDs}, noIDs)
	}
	return x.find(ctx, eventFilter(ws, profileIDs, nil), options.Find().SetProjection(noIDs))
}

// indexed reads the events an embedded lookup finds (sidelookup.go), in
// its order, with the projection (nil: whole).
func (x Events) indexed(ctx context.Context, q eventQuery, projection bson.D) ([]*event.Event, error) {
	ids, err := x.s.eventIDs(ctx, q)
	if err != nil {
		return nil, err
	}
	var opts *options.FindOneOptionsBuilder
	if projection != nil {
		opts = options.FindOne().SetProjection(projection)
	}
	return readByIDs(ctx, x.c(), ids, opts, fromEventDoc)
}

// Each hands fn every event of the workspace (tombstones included), read
// by one query in no particular order: for the whole workspace one cursor
// beats the embedded store's lookups by profile, which read each event by
// _id on its own.
func (x Events) Each(ctx context.Context, ws auth.Workspace, fn func(*event.Event) error) error {
	opts := options.Find().SetProjection(bson.D{{Key: "identities", Value: 0}}).SetBatchSize(1000)
	return eachDoc(ctx, x.c(), bson.D{{Key: "workspace", Value: string(ws)}}, opts, fromEventDoc, fn)
}

func (x Events) find(ctx context.Context, q bson.D, opts *options.FindOptionsBuilder) ([]*event.Event, error) {
	return findAll(ctx, x.c(), q, opts, fromEventDoc)
}

func eventFilter(ws auth.Workspace, profileIDs []string, types []string) bson.D {
	var pid any = bson.D{{Key: "$in", Value: profileIDs}}
	if len(profileIDs) == 1 {
		pid = profileIDs[0]
	}
	q := bson.D{{Key: "workspace", Value: string(ws)}, {Key: "profileId", Value: pid}}
	if len(types) > 0 {
		q = append(q, bson.E{Key: "type", Value: bson.D{{Key: "$in", Value: types}}})
	}
	return q
}
