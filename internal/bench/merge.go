package bench

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// mergeEvents is how many events each of the two merged profiles holds.
const mergeEvents = 100

// merge: pairs of customers, one known by email and one by device id, each
// with 100 events sent through trackEvents beforehand; one client then times
// an identify carrying both identifiers, which merges the two profiles.
// --ops/10 merges (at least 2) are timed, one after the other.
//
// Baseline, per merge: FindOne {_id} of the two identifiers (whose profiles
// they are), InsertOne of a merge record, UpdateOne {_id} of the survivor
// ($inc its event count, $push the absorbed id) and of the absorbed profile
// ($set mergedInto), and UpdateOne {_id} of the absorbed profile's one
// identity to point at the survivor: the lookups and writes without which the
// two profiles are not one. Events stay where they are in both (the product
// lists absorbed profiles' events through the survivor).
func (e *env) merge(ctx context.Context) ([]Scenario, error) {
	n := max(2, e.o.Ops/10)
	sp, err := e.open(ctx, "merge")
	if err != nil {
		return nil, err
	}
	defer sp.close()
	if err := e.seedPairs(ctx, sp, warmup+n); err != nil {
		return nil, err
	}
	product, base, cmds, err := e.latencies(ctx, n, func(ctx context.Context, i int) error {
		return mergeProduct(ctx, sp, i)
	}, func(ctx context.Context, i int) error {
		return mergeBase(ctx, sp, i)
	})
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	note := "driver: FindOne {_id} x2, InsertOne record, UpdateOne {_id} x2 profiles, UpdateOne {_id} identity"
	return []Scenario{
		withCmds(row("merge", "merges/s", perSecond(n, total(product)), perSecond(n, total(base)), "", note), cmds),
		row("merge_p99", "ms", percentile(product, 0.99), percentile(base, 0.99), "", note),
	}, nil
}

// mergeProduct merges pair i with an identify carrying both identifiers.
func mergeProduct(ctx context.Context, sp *space, i int) error {
	var out identifyOut
	in := identifyInput(nil, email("ma", i), device(i))
	if err := sp.c.do(ctx, identifyQ, map[string]any{"in": in}, &out); err != nil {
		return err
	}
	if len(out.Identify.MergedProfileIDs) != 1 {
		return fmt.Errorf("identify merged %v, want one profile", out.Identify.MergedProfileIDs)
	}
	return nil
}

// device is the second customer of merge pair i.
func device(i int) ident { return ident{"device_id", fmt.Sprintf("mb%d", i)} }

// seedPairs creates n pairs of customers with their events, for the product
// and for the baseline.
func (e *env) seedPairs(ctx context.Context, sp *space, n int) error {
	who := make([]ident, 0, 2*n)
	for i := range n {
		who = append(who, email("ma", i), device(i))
	}
	if _, err := e.seedProfiles(ctx, sp, who); err != nil {
		return err
	}
	if err := e.seedEvents(ctx, sp, "m", who, mergeEvents); err != nil {
		return err
	}
	ids := make([]any, 0, 2*n)
	profiles := make([]any, 0, 2*n)
	for i, id := range who {
		pid := fmt.Sprintf("m-p%d", i)
		ids = append(ids, bson.D{{Key: "_id", Value: id.key()}, {Key: "profileId", Value: pid}})
		profiles = append(profiles, bson.D{{Key: "_id", Value: pid}, {Key: "eventCount", Value: mergeEvents}})
	}
	if err := insertAll(ctx, sp.db.Collection(baseIdentities), ids); err != nil {
		return err
	}
	if err := insertAll(ctx, sp.db.Collection(baseProfiles), profiles); err != nil {
		return err
	}
	return seedMergeEvents(ctx, sp, who)
}

// seedMergeEvents gives the baseline's profiles their events too, so its
// collections are as large as the product's.
func seedMergeEvents(ctx context.Context, sp *space, who []ident) error {
	docs := make([]any, 0, len(who)*mergeEvents)
	now := time.Now().UTC()
	for i, id := range who {
		for k := range mergeEvents {
			docs = append(docs, baseEvent(fmt.Sprintf("m-e%d-%d", i, k), fmt.Sprintf("m-p%d", i), id, k, now))
		}
	}
	return insertAll(ctx, sp.db.Collection(baseEvents), docs)
}

// mergeBase is the baseline's merge of pair i.
func mergeBase(ctx context.Context, sp *space, i int) error {
	var holders [2]struct {
		ProfileID string `bson:"profileId"`
	}
	ids := [2]ident{email("ma", i), device(i)}
	for j, id := range ids {
		if err := sp.db.Collection(baseIdentities).FindOne(ctx, bson.D{{Key: "_id", Value: id.key()}}).Decode(&holders[j]); err != nil {
			return fmt.Errorf("find identity %s: %w", id.key(), err)
		}
	}
	survivor, absorbed := holders[0].ProfileID, holders[1].ProfileID
	rec := bson.D{{Key: "_id", Value: fmt.Sprintf("merge-%d", i)}, {Key: "survivorId", Value: survivor},
		{Key: "absorbedIds", Value: bson.A{absorbed}}, {Key: "identifiers", Value: bson.A{ids[0].key(), ids[1].key()}},
		{Key: "at", Value: time.Now().UTC()}}
	if _, err := sp.db.Collection(baseMerges).InsertOne(ctx, rec); err != nil {
		return err
	}
	if err := sp.durable(ctx, nil); err != nil {
		return err
	}
	profiles := sp.db.Collection(baseProfiles)
	writes := []struct {
		id     string
		update bson.D
	}{
		{survivor, bson.D{{Key: "$inc", Value: bson.D{{Key: "eventCount", Value: mergeEvents}}},
			{Key: "$push", Value: bson.D{{Key: "absorbed", Value: absorbed}}}}},
		{absorbed, bson.D{{Key: "$set", Value: bson.D{{Key: "mergedInto", Value: survivor}}}}},
	}
	for _, w := range writes {
		if _, err := profiles.UpdateOne(ctx, bson.D{{Key: "_id", Value: w.id}}, w.update); err != nil {
			return err
		}
		if err := sp.durable(ctx, nil); err != nil {
			return err
		}
	}
	_, err := sp.db.Collection(baseIdentities).UpdateOne(ctx, bson.D{{Key: "_id", Value: ids[1].key()}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "profileId", Value: survivor}}}})
	return sp.durable(ctx, err)
}
