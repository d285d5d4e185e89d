package store

import (
	"context"
	"errors"
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
	colMerges     = "merges"
	colConflicts  = "conflicts"
	colBatches    = "batches"
	colErasures   = "erasures"
	colInstances  = "instances"
	colImports    = "imports"
	colSegments   = "segments"
	colRFM        = "rfm"
	colMeta       = "meta"
)

// collections lists every collection.
var collections = []string{colProfiles, colIdentities, colEvents, colWorkspaces, colMerges, colConflicts,
	colBatches, colErasures, colInstances, colImports, colSegments, colRFM, colMeta}

// index is one index the queries rely on.
type index struct {
	name string
	keys bson.D
}

var indexes = map[string][]index{
	colProfiles: {
		{"ws_id", bson.D{{Key: "workspace", Value: 1}, {Key: "_id", Value: 1}}},
		{"ws_idtype", bson.D{{Key: "workspace", Value: 1}, {Key: "identities.type", Value: 1}}},
		{"ws_segments", bson.D{{Key: "workspace", Value: 1}, {Key: "segments", Value: 1}}},
		{"reevaluate", bson.D{{Key: "reevaluate", Value: 1}}},
	},
	colSegments: {
		{"ws", bson.D{{Key: "workspace", Value: 1}}},
	},
	colIdentities: {
		{"ws_profile", bson.D{{Key: "workspace", Value: 1}, {Key: "profileId", Value: 1}}},
	},
	colEvents: {
		{"ws_profile_ts", bson.D{{Key: "workspace", Value: 1}, {Key: "profileId", Value: 1}, {Key: "timestamp", Value: -1}, {Key: "_id", Value: -1}}},
		{"applied", bson.D{{Key: "applied", Value: 1}}},
		{"ws_batch", bson.D{{Key: "workspace", Value: 1}, {Key: "batch", Value: 1}}},
	},
	colMerges: {
		{"ws_involved", bson.D{{Key: "workspace", Value: 1}, {Key: "involved", Value: 1}}},
		{"status", bson.D{{Key: "status", Value: 1}}},
	},
	colConflicts: {
		{"ws_at", bson.D{{Key: "workspace", Value: 1}, {Key: "at", Value: -1}}},
	},
	colImports: {
		{"status_node", bson.D{{Key: "status", Value: 1}, {Key: "node", Value: 1}}},
	},
}

// EnsureIndexes creates the indexes the queries need that do not exist yet.
// It is idempotent. (FerretDB v1 fails on re-creating an existing compound
// index, so existing names are skipped rather than re-sent.)
//
// On the embedded store it creates none and drops those an earlier version
// made: FerretDB's SQLite handler uses an index only for a lookup by `_id`,
// so the others were never read, and every insert and update paid for
// keeping each of them.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if s.dir != "" {
		if err := s.dropUnusedIndexes(ctx); err != nil {
			return err
		}
		// indexTables indexes the tables that exist.
		for _, c := range collections {
			if err := s.db.CreateCollection(ctx, c); err != nil && !isNamespaceExists(err) {
				return fmt.Errorf("create %s: %w", c, err)
			}
		}
		return indexTables(ctx, s.dir, s.db.Name())
	}
	for coll, models := range indexes {
		have, err := s.indexNames(ctx, coll)
		if err != nil {
			return err
		}
		var missing []mongo.IndexModel
		for _, ix := range models {
			if !have[ix.name] {
				missing = append(missing, mongo.IndexModel{Keys: ix.keys, Options: options.Index().SetName(ix.name)})
			}
		}
		if len(missing) == 0 {
			continue
		}
		if _, err := s.coll(coll).Indexes().CreateMany(ctx, missing); err != nil {
			return fmt.Errorf("create indexes on %s: %w", coll, err)
		}
	}
	return nil
}

// dropUnusedIndexes drops the secondary indexes of the embedded store.
func (s *Store) dropUnusedIndexes(ctx context.Context) error {
	for coll, models := range indexes {
		have, err := s.indexNames(ctx, coll)
		if err != nil {
			return err
		}
		for _, ix := range models {
			if have[ix.name] {
				if err := s.coll(coll).Indexes().DropOne(ctx, ix.name); err != nil {
					return fmt.Errorf("drop index %s on %s: %w", ix.name, coll, err)
				}
			}
		}
	}
	return nil
}

// isNamespaceExists reports MongoDB's "collection already exists" error.
func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == 48
}

func (s *Store) indexNames(ctx context.Context, coll string) (map[string]bool, error) {
	specs, err := s.coll(coll).Indexes().ListSpecifications(ctx)
	if err != nil {
		return nil, fmt.Errorf("list indexes on %s: %w", coll, err)
	}
	out := map[string]bool{}
	for _, sp := range specs {
		out[sp.Name] = true
	}
	return out, nil
}
