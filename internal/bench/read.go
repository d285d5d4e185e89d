package bench

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// readEvents is how many events each profile of the read scenario holds:
// more than the 20 a read returns.
const readEvents = 25

// readShare is the share of --events the read scenario stores. The embedded
// store answers the baseline's events query by scanning the whole
// collection (the product looks events up through its own index), so the
// baseline's reads cost in proportion to it; a tenth keeps the scenario to
// a minute or two.
const readShare = 10

// profileRead: one client reads profile(id) with its 20 newest events, --ops
// times, cycling over --events/250 profiles (at least 1, at most
// --customers) holding 25 events each, sent through trackEvents beforehand.
//
// Baseline: FindOne {_id} on the profile collection, then Find of the
// profile's events ({profileId}, sorted by timestamp descending, limit 20)
// on an event collection holding the same number of events, with an index
// on {profileId, timestamp}: the two queries any such read needs.
func (e *env) profileRead(ctx context.Context) ([]Scenario, error) {
	const prefix = "r"
	n := max(1, min(e.o.Customers, e.o.Events/readShare/readEvents))
	sp, err := e.open(ctx, "read")
	if err != nil {
		return nil, err
	}
	defer sp.close()
	ids, err := e.seedRead(ctx, sp, prefix, n)
	if err != nil {
		return nil, err
	}
	product, base, cmds, err := e.latencies(ctx, e.o.Ops, func(ctx context.Context, i int) error {
		return readProduct(ctx, sp, ids[i%n])
	}, func(ctx context.Context, i int) error {
		return readBase(ctx, sp, basePID(prefix, i%n))
	})
	if err != nil {
		return nil, fmt.Errorf("profile read: %w", err)
	}
	note := "driver: FindOne {_id} + Find {profileId} sort {timestamp: -1} limit 20"
	return []Scenario{
		withCmds(row("profile_read_p50", "ms", percentile(product, 0.50), percentile(base, 0.50), "", note), cmds),
		row("profile_read_p99", "ms", percentile(product, 0.99), percentile(base, 0.99), "<= 2", note),
	}, nil
}

// seedRead stores n customers with readEvents events each, for the product
// and for the baseline, and returns the product's profile ids.
func (e *env) seedRead(ctx context.Context, sp *space, prefix string, n int) ([]string, error) {
	who := population(prefix, n)
	ids, err := e.seedProfiles(ctx, sp, who)
	if err != nil {
		return nil, err
	}
	if err := e.seedEvents(ctx, sp, prefix, who, readEvents); err != nil {
		return nil, err
	}
	if err := seedBase(ctx, sp, prefix, n); err != nil {
		return nil, err
	}
	return ids, seedBaseEvents(ctx, sp, prefix, n, readEvents)
}

func readProduct(ctx context.Context, sp *space, id string) error {
	var out struct {
		Profile *struct {
			Events struct{ Edges []struct{} }
		}
	}
	if err := sp.c.do(ctx, readQ, map[string]any{"id": id}, &out); err != nil {
		return err
	}
	if out.Profile == nil || len(out.Profile.Events.Edges) != 20 {
		return fmt.Errorf("profile %s: want 20 events, got %+v", id, out.Profile)
	}
	return nil
}

func readBase(ctx context.Context, sp *space, pid string) error {
	var p bson.Raw
	if err := sp.db.Collection(baseProfiles).FindOne(ctx, bson.D{{Key: "_id", Value: pid}}).Decode(&p); err != nil {
		return fmt.Errorf("find profile %s: %w", pid, err)
	}
	opts := options.Find().SetSort(bson.D{{Key: "timestamp", Value: -1}}).SetLimit(20)
	cur, err := sp.db.Collection(baseEvents).Find(ctx, bson.D{{Key: "profileId", Value: pid}}, opts)
	if err != nil {
		return err
	}
	var evs []bson.Raw
	if err := cur.All(ctx, &evs); err != nil {
		return err
	}
	if len(evs) != 20 {
		return fmt.Errorf("profile %s: want 20 events, got %d", pid, len(evs))
	}
	return nil
}
