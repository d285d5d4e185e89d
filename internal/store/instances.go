package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Processes that share a MongoDB show they are alive by a heartbeat: one
// small document per process instance, refreshed every few seconds. A lease
// whose owner stopped beating was left by a process that died.

type instanceDoc struct {
	ID     string    `bson:"_id"`
	SeenAt time.Time `bson:"seenAt"`
}

// Beat records that the instance is alive now.
func (s *Store) Beat(ctx context.Context, instance string) error {
	_, err := s.coll(colInstances).ReplaceOne(ctx, bson.D{{Key: "_id", Value: instance}},
		instanceDoc{ID: instance, SeenAt: time.Now().UTC()}, options.Replace().SetUpsert(true))
	return classify("heartbeat", err)
}

// Alive reports whether the instance beat within the last within.
func (s *Store) Alive(ctx context.Context, instance string, within time.Duration) (bool, error) {
	var d instanceDoc
	err := s.coll(colInstances).FindOne(ctx, bson.D{{Key: "_id", Value: instance}}).Decode(&d)
	if notFound(err) {
		return false, nil
	}
	if err != nil {
		return false, classify("read heartbeat", err)
	}
	return time.Since(d.SeenAt) < within, nil
}
