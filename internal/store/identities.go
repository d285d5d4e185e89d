package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

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
	out := make(map[identity.Identifier]string, len(ids))
	for _, id := range ids {
		key := identityKey(ws, id)
		if x.unclaimed(key) {
			continue
		}
		var d identityDoc
		err := getByID(ctx, x.c(), ws, key, &d)
		if notFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("find identity: %w", err)
		}
		out[id] = d.ProfileID
	}
	return out, nil
}

// Claim inserts the identifier for profileID unless it is held; it returns
// the holder.
func (x Identities) Claim(ctx context.Context, ws auth.Workspace, id identity.Identifier, profileID string) (string, error) {
	d := identityDoc{ID: identityKey(ws, id), Workspace: string(ws), Type: id.Type, Value: id.Value,
		ProfileID: profileID, ClaimedAt: time.Now().UTC()}
	x.filter().add(d.ID)
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
		return "", nil // held, then released: the caller resolves again
	}
	if err != nil {
		return "", fmt.Errorf("claim identity: %w", err)
	}
	return held.ProfileID, nil
}

// Assign moves the listed identifiers to profileID.
func (x Identities) Assign(ctx context.Context, ws auth.Workspace, ids []identity.Identifier, profileID string) error {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = identityKey(ws, id)
	}
	return classify("assign identities", x.s.updateEach(ctx, x.c(), keys, set(bson.E{Key: "profileId", Value: profileID})))
}

// Release removes id from the index if profileID holds it.
func (x Identities) Release(ctx context.Context, ws auth.Workspace, id identity.Identifier, profileID string) error {
	key := identityKey(ws, id)
	defer x.s.serial.lock(key)()
	var d identityDoc
	err := getByID(ctx, x.c(), ws, key, &d)
	if notFound(err) || (err == nil && d.ProfileID != profileID) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("release identity: %w", err)
	}
	filter := bson.D{{Key: "_id", Value: key}}
	if x.s.serial == nil {
		filter = append(filter, bson.E{Key: "profileId", Value: profileID}) // atomic on MongoDB
	}
	_, err = x.c().DeleteOne(ctx, filter)
	return classify("release identity", err)
}

// DeleteByProfile removes a profile's identifiers.
func (x Identities) DeleteByProfile(ctx context.Context, ws auth.Workspace, profileID string) (int64, error) {
	if x.s.side != nil {
		n, err := x.deleteIndexed(ctx, ws, profileID)
		return n, classify("delete identities", err)
	}
	n, err := x.s.deleteMatching(ctx, x.c(), bson.D{{Key: "workspace", Value: string(ws)}, {Key: "profileId", Value: profileID}})
	if err != nil {
		return 0, classify("delete identities", err)
	}
	return n, nil
}

// deleteIndexed deletes a profile's identifiers on the embedded store,
// found by cdp's own index (sidelookup.go), by _id.
func (x Identities) deleteIndexed(ctx context.Context, ws auth.Workspace, profileID string) (int64, error) {
	ids, err := x.s.sideIDs(ctx, colIdentities, sqlProfile+" = ? AND "+sqlWorkspace+" = ?", []any{profileID, string(ws)})
	if err != nil {
		return 0, err
	}
	var n int64
	for chunk := range slices.Chunk(ids, chunkDelete) {
		m, err := deleteIDs(ctx, x.c(), chunk)
		if n += m; err != nil {
			return n, err
		}
	}
	return n, nil
}

// ClaimMany claims identifiers for new profiles with one unordered
// InsertMany and returns the positions of the claims another profile
// already held.
func (x Identities) ClaimMany(ctx context.Context, ws auth.Workspace, claims []identity.Claim) ([]int, error) {
	docs := make([]any, len(claims))
	keys := make([]string, len(claims))
	now := time.Now().UTC()
	for i, c := range claims {
		keys[i] = identityKey(ws, c.ID)
		docs[i] = identityDoc{ID: keys[i], Workspace: string(ws), Type: c.ID.Type, Value: c.ID.Value,
			ProfileID: c.ProfileID, ClaimedAt: now}
	}
	x.filter().add(keys...)
	_, err := x.c().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return nil, nil
	}
	lost, dupOnly := duplicates(err)
	if !dupOnly {
		return nil, fmt.Errorf("claim identities: %w", err)
	}
	return lost, nil
}
