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

// Conflicts stores refused merges.
type Conflicts struct{ s *Store }

var _ identity.ConflictStore = Conflicts{}

// Conflicts returns the conflict store.
func (s *Store) Conflicts() Conflicts { return Conflicts{s} }

func (x Conflicts) c() *mongo.Collection { return x.s.coll(colConflicts) }

type conflictDoc struct {
	ID          string          `bson:"_id"`
	Workspace   string          `bson:"workspace"`
	ProfileIDs  []string        `bson:"profileIds"`
	Identifiers []identifierDoc `bson:"identifiers"`
	Type        string          `bson:"type"`
	ResolvedID  string          `bson:"resolvedId"`
	At          time.Time       `bson:"at"`
}

// Record stores a conflict unless one with its id exists.
func (x Conflicts) Record(ctx context.Context, c *identity.Conflict) error {
	d := conflictDoc{ID: c.ID, Workspace: string(c.Workspace), ProfileIDs: c.ProfileIDs,
		Identifiers: toIdentifierDocs(c.Identifiers), Type: c.Type, ResolvedID: c.ResolvedID, At: c.At}
	_, err := x.c().InsertOne(ctx, d)
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	return classify("record conflict", err)
}

// List returns conflicts newest first, after the given one.
func (x Conflicts) List(ctx context.Context, ws auth.Workspace, after *identity.Conflict, limit int) ([]*identity.Conflict, error) {
	q := bson.D{{Key: "workspace", Value: string(ws)}}
	if after != nil {
		q = append(q, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: after.At}}}},
			bson.D{{Key: "at", Value: after.At}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: after.ID}}}},
		}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit))
	return findAll(ctx, x.c(), q, opts, func(d conflictDoc) *identity.Conflict {
		return &identity.Conflict{ID: d.ID, Workspace: auth.Workspace(d.Workspace), ProfileIDs: d.ProfileIDs,
			Identifiers: fromIdentifierDocs(d.Identifiers), Type: d.Type, ResolvedID: d.ResolvedID, At: d.At.UTC()}
	})
}

// Count counts a workspace's conflicts.
func (x Conflicts) Count(ctx context.Context, ws auth.Workspace) (int64, error) {
	n, err := x.c().CountDocuments(ctx, bson.D{{Key: "workspace", Value: string(ws)}})
	if err != nil {
		return 0, fmt.Errorf("count conflicts: %w", err)
	}
	return n, nil
}

// Scrub strips identifiers from the conflicts naming the profile.
func (x Conflicts) Scrub(ctx context.Context, ws auth.Workspace, profileID string) (int64, error) {
	n, err := x.s.updateMatching(ctx, x.c(), bson.D{{Key: "workspace", Value: string(ws)}, {Key: "profileIds", Value: profileID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "identifiers", Value: bson.A{}}}}})
	if err != nil {
		return 0, classify("scrub conflicts", err)
	}
	return n, nil
}
