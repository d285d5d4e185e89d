package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
)

// Identities is the identity index: _id is workspace/type/value, so claiming
// an identifier is an insert that only one request can win.
type Identities struct{ s *Store }

var _ identity.Store = Identities{}

// Identities returns the identity index.
func (s *Store) Identities() Identities { return Identities{s} }

func (x Identities) c() *mongo.Collection { return x.s.coll(colIdentities) }

type identityDoc struct {
	ID        string    `bson:"_id"`
	Workspace string    `bson:"workspace"`
	Type      string    `bson:"type"`
	Value     string    `bson:"value"`
	ProfileID string    `bson:"profileId"`
	ClaimedAt time.Time `bson:"claimedAt"`
}

// identityKey is the _id of an identifier: neither a workspace nor a type may
// contain "/", so the key is unambiguous.
func identityKey(ws auth.Workspace, id identity.Identifier) string {
	return string(ws) + "/" + id.Type + "/" + id.Value
}

// Owners returns the holder of each claimed identifier.
func (x Identities) Owners(ctx context.Context, ws auth.Workspace, ids []identity.Identifier) (map[identity.Identifier]string, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = identityKey(ws, id)
	}
	cur, err := x.c().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}, {Key: "workspace", Value: string(ws)}})
	if err != nil {
		return nil, fmt.Errorf("find identities: %w", err)
	}
	var docs []identityDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("find identities: %w", err)
	}
	out := make(map[identity.Identifier]string, len(docs))
	for _, d := range docs {
		out[identity.Identifier{Type: d.Type, Value: d.Value}] = d.ProfileID
	}
	return out, nil
}

// Claim inserts the identifier for profileID unless it is held; it returns
// the holder.
func (x Identities) Claim(ctx context.Context, ws auth.Workspace, id identity.Identifier, profileID string) (string, error) {
	d := identityDoc{ID: identityKey(ws, id), Workspace: string(ws), Type: id.Type, Value: id.Value,
		ProfileID: profileID, ClaimedAt: time.Now().UTC()}
	_, err := x.c().InsertOne(ctx, d)
	if err == nil {
		return profileID, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return "", fmt.Errorf("claim identity: %w", err)
	}
	var held identityDoc
	err = x.c().FindOne(ctx, bson.D{{Key: "_id", Value: d.ID}}).Decode(&held)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", fmt.Errorf("claim identity: held, then released")
	}
	if err != nil {
		return "", fmt.Errorf("claim identity: %w", err)
	}
	return held.ProfileID, nil
}
