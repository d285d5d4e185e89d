package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
)

// Merges stores merge records.
type Merges struct{ s *Store }

var _ identity.MergeStore = Merges{}

// Merges returns the merge record store.
func (s *Store) Merges() Merges { return Merges{s} }

func (m Merges) c() *mongo.Collection { return m.s.coll(colMerges) }

type mergeDoc struct {
	ID          string          `bson:"_id"`
	Workspace   string          `bson:"workspace"`
	SurvivorID  string          `bson:"survivorId"`
	AbsorbedIDs []string        `bson:"absorbedIds"`
	Involved    []string        `bson:"involved"` // survivor and absorbed, for lookups
	Identifiers []identifierDoc `bson:"identifiers"`
	Rule        string          `bson:"rule"`
	Actor       string          `bson:"actor"`
	Reason      string          `bson:"reason,omitempty"`
	At          time.Time       `bson:"at"`
	UndoneAt    *time.Time      `bson:"undoneAt,omitempty"`
	Status      string          `bson:"status"`
	Snapshots   []profileDoc    `bson:"snapshots,omitempty"`
	UndoFrom    *profileDoc     `bson:"undoFrom,omitempty"`
}

func toMergeDoc(r *identity.MergeRecord) mergeDoc {
	d := mergeDoc{ID: r.ID, Workspace: string(r.Workspace), SurvivorID: r.SurvivorID, AbsorbedIDs: r.AbsorbedIDs,
		Involved: append([]string{r.SurvivorID}, r.AbsorbedIDs...), Rule: r.Rule, Actor: r.Actor, Reason: r.Reason,
		At: r.At, UndoneAt: r.UndoneAt, Status: r.Status, Identifiers: toIdentifierDocs(r.Identifiers)}
	for _, p := range r.Snapshots {
		d.Snapshots = append(d.Snapshots, toProfileDoc(p))
	}
	if r.UndoFrom != nil {
		u := toProfileDoc(r.UndoFrom)
		d.UndoFrom = &u
	}
	return d
}

func fromMergeDoc(d mergeDoc) *identity.MergeRecord {
	r := &identity.MergeRecord{ID: d.ID, Workspace: auth.Workspace(d.Workspace), SurvivorID: d.SurvivorID, AbsorbedIDs: d.AbsorbedIDs,
		Rule: d.Rule, Actor: d.Actor, Reason: d.Reason, At: d.At, UndoneAt: d.UndoneAt, Status: d.Status,
		Identifiers: fromIdentifierDocs(d.Identifiers)}
	for _, p := range d.Snapshots {
		r.Snapshots = append(r.Snapshots, fromProfileDoc(p))
	}
	if d.UndoFrom != nil {
		r.UndoFrom = fromProfileDoc(*d.UndoFrom)
	}
	return r
}

func toIdentifierDocs(ids []identity.Identifier) []identifierDoc {
	out := make([]identifierDoc, len(ids))
	for i, id := range ids {
		out[i] = identifierDoc(id)
	}
	return out
}

func fromIdentifierDocs(ds []identifierDoc) []identity.Identifier {
	out := make([]identity.Identifier, len(ds))
	for i, d := range ds {
		out[i] = identity.Identifier(d)
	}
	return out
}

// Create stores a new record.
func (m Merges) Create(ctx context.Context, r *identity.MergeRecord) error {
	_, err := m.c().InsertOne(ctx, toMergeDoc(r))
	return classify("create merge", err)
}

// Save replaces a record.
func (m Merges) Save(ctx context.Context, r *identity.MergeRecord) error {
	unlock, err := m.s.writeLock(ctx, r.ID)
	if err != nil {
		return fmt.Errorf("save merge: %w", err)
	}
	defer unlock()
	_, err = m.c().ReplaceOne(ctx, bson.D{{Key: "_id", Value: r.ID}}, toMergeDoc(r))
	return classify("save merge", err)
}

// Get returns a record, or nil.
func (m Merges) Get(ctx context.Context, ws auth.Workspace, id string) (*identity.MergeRecord, error) {
	var d mergeDoc
	err := getByID(ctx, m.c(), ws, id, &d)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get merge: %w", err)
	}
	return fromMergeDoc(d), nil
}

var finished = bson.A{identity.StatusDone, identity.StatusUndone, identity.StatusAborted}

// Unfinished returns records of any workspace still under way.
func (m Merges) Unfinished(ctx context.Context, limit int) ([]*identity.MergeRecord, error) {
	q := bson.D{{Key: "status", Value: bson.D{{Key: "$nin", Value: finished}}}}
	return m.find(ctx, q, options.Find().SetSort(bson.D{{Key: "at", Value: 1}}).SetLimit(int64(limit)))
}

// ByProfile returns the records naming the profile, newest first.
func (m Merges) ByProfile(ctx context.Context, ws auth.Workspace, profileID string) ([]*identity.MergeRecord, error) {
	q := bson.D{{Key: "workspace", Value: string(ws)}, {Key: "involved", Value: profileID}}
	return m.find(ctx, q, options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(1000))
}

// Scrub strips identifiers, snapshots and the free-text reason from the
// records naming the profile.
func (m Merges) Scrub(ctx context.Context, ws auth.Workspace, profileID string) (int64, error) {
	n, err := m.s.updateMatching(ctx, m.c(), bson.D{{Key: "workspace", Value: string(ws)}, {Key: "involved", Value: profileID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "identifiers", Value: bson.A{}}}}, {Key: "$unset", Value: bson.D{{Key: "snapshots", Value: ""}, {Key: "undoFrom", Value: ""}, {Key: "reason", Value: ""}}}})
	if err != nil {
		return 0, classify("scrub merges", err)
	}
	return n, nil
}

func (m Merges) find(ctx context.Context, q bson.D, opts *options.FindOptionsBuilder) ([]*identity.MergeRecord, error) {
	return findAll(ctx, m.c(), q, opts, fromMergeDoc)
}
