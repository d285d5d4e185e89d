package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Collection names.
const (
	colProfiles   = "profiles"
	colIdentities = "identities"
	colEvents     = "events"
	colWorkspaces = "workspaces"
)

var indexes = map[string][]mongo.IndexModel{
	colProfiles: {
		{Keys: bson.D{{Key: "workspace", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("ws_id")},
		{Keys: bson.D{{Key: "workspace", Value: 1}, {Key: "identities.type", Value: 1}}, Options: options.Index().SetName("ws_idtype")},
	},
	colIdentities: {
		{Keys: bson.D{{Key: "workspace", Value: 1}, {Key: "profileId", Value: 1}}, Options: options.Index().SetName("ws_profile")},
	},
	colEvents: {
		{Keys: bson.D{{Key: "workspace", Value: 1}, {Key: "profileId", Value: 1}, {Key: "timestamp", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("ws_profile_ts")},
		{Keys: bson.D{{Key: "applied", Value: 1}}, Options: options.Index().SetName("applied")},
	},
}

// EnsureIndexes creates the indexes the queries need. It is idempotent.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	for coll, models := range indexes {
		if _, err := s.coll(coll).Indexes().CreateMany(ctx, models); err != nil {
			return fmt.Errorf("create indexes on %s: %w", coll, err)
		}
	}
	return nil
}
