package bench

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// upsertBatch is how many profiles one seeding upsertProfiles call carries.
const upsertBatch = 1000

// population is customers 0…n-1 of the population `prefix`.
func population(prefix string, n int) []ident {
	who := make([]ident, n)
	for i := range who {
		who[i] = email(prefix, i)
	}
	return who
}

// seedProfiles creates the customers through upsertProfiles, 1,000 per call
// from the run's concurrent clients, and returns their profile ids. It is
// set-up, not timed.
func (e *env) seedProfiles(ctx context.Context, sp *space, who []ident) ([]string, error) {
	n := len(who)
	ids := make([]string, n)
	calls := (n + upsertBatch - 1) / upsertBatch
	var done atomic.Int64
	start := time.Now()
	_, err := parallel(ctx, e.o.Clients, calls, func(ctx context.Context, b int) error {
		lo, hi := b*upsertBatch, min(n, (b+1)*upsertBatch)
		ins := make([]any, 0, hi-lo)
		for i := lo; i < hi; i++ {
			ins = append(ins, identifyInput(map[string]any{"seq": i}, who[i]))
		}
		got, err := sp.c.upsert(ctx, ins)
		if err != nil {
			return fmt.Errorf("seed profiles: %w", err)
		}
		copy(ids[lo:hi], got)
		if d := done.Add(int64(hi - lo)); calls > 1 {
			e.progressf("seeded %d of %d profiles (%.0f/s)", d, n, perSecond(int(d), time.Since(start)))
		}
		return nil
	})
	return ids, err
}

// seedEvents sends `per` events for each of the customers through
// trackEvents, in calls of --batch events from the run's concurrent clients.
// Like the ingest scenario's batches, the calls carry perBatch customers at
// a time, interleaved (customers 0-9 first, event by event, then 10-19, and
// so on). It is set-up, not timed.
func (e *env) seedEvents(ctx context.Context, sp *space, tag string, who []ident, per int) error {
	n := len(who) * per
	group := perBatch * per
	calls := (n + e.o.Batch - 1) / e.o.Batch
	_, err := parallel(ctx, e.o.Clients, calls, func(ctx context.Context, b int) error {
		evs := make([]any, 0, e.o.Batch)
		for k := b * e.o.Batch; k < min(n, (b+1)*e.o.Batch); k++ {
			g, m := k/group, k%group
			width := min(perBatch, len(who)-g*perBatch) // the last group may be narrower
			evs = append(evs, eventInput(fmt.Sprintf("%s-%d", tag, k), who[g*perBatch+m%width], m/width))
		}
		if err := sp.c.track(ctx, evs); err != nil {
			return fmt.Errorf("seed events: %w", err)
		}
		return nil
	})
	return err
}

// basePID is the baseline's profile id of customer i of a population.
func basePID(prefix string, i int) string { return fmt.Sprintf("%s-p%d", prefix, i) }

// seedBase gives the baseline the same population the product holds: an
// identity document and a profile document per customer.
func seedBase(ctx context.Context, sp *space, prefix string, n int) error {
	ids := make([]any, n)
	profiles := make([]any, n)
	for i := range n {
		pid := basePID(prefix, i)
		ids[i] = bson.D{{Key: "_id", Value: email(prefix, i).key()}, {Key: "profileId", Value: pid}}
		profiles[i] = bson.D{{Key: "_id", Value: pid}, {Key: "traits", Value: bson.D{{Key: "seq", Value: i}}},
			{Key: "eventCount", Value: 0}}
	}
	if err := insertAll(ctx, sp.db.Collection(baseIdentities), ids); err != nil {
		return err
	}
	return insertAll(ctx, sp.db.Collection(baseProfiles), profiles)
}

// baseEvent is the baseline's event document: the same fields the product
// stores for an event.
func baseEvent(id, pid string, who ident, n int, at time.Time) bson.D {
	return bson.D{{Key: "_id", Value: id}, {Key: "profileId", Value: pid}, {Key: "messageId", Value: id},
		{Key: "type", Value: "page_view"}, {Key: "channel", Value: "web"},
		{Key: "properties", Value: bson.D{{Key: "path", Value: fmt.Sprintf("/p/%d", n)}}},
		{Key: "identities", Value: bson.A{bson.D{{Key: "type", Value: who.typ}, {Key: "value", Value: who.value}}}},
		{Key: "timestamp", Value: at}, {Key: "receivedAt", Value: at}}
}

// seedBaseEvents stores `per` events for each of customers 0…n-1 of the
// population, as seedEvents does for the product.
func seedBaseEvents(ctx context.Context, sp *space, prefix string, n, per int) error {
	docs := make([]any, 0, n*per)
	now := time.Now().UTC()
	for i := range n {
		for k := range per {
			at := now.Add(time.Duration(k) * time.Millisecond)
			docs = append(docs, baseEvent(fmt.Sprintf("%s-e%d-%d", prefix, i, k), basePID(prefix, i), email(prefix, i), k, at))
		}
	}
	return insertAll(ctx, sp.db.Collection(baseEvents), docs)
}
