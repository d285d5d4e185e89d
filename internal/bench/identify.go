package bench

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// warmup is how many untimed calls precede the samples of a latency scenario.
const warmup = 5

// identify: one client calls identify for --ops existing customers in
// turn (each once), each call adding a new trait, and the call's latency is
// sampled.
//
// Baseline: one UpdateOne {_id} upsert setting the trait, on a profile
// collection holding as many customers: the single round trip any write of
// a trait costs. (It skips the identity lookup the product must also make,
// so the target leaves room for it.)
func (e *env) identify(ctx context.Context) ([]Scenario, error) {
	const prefix = "i"
	n := warmup + e.o.Ops
	sp, err := e.open(ctx, "identify")
	if err != nil {
		return nil, err
	}
	defer sp.close()
	if _, err := e.seedProfiles(ctx, sp, population(prefix, n)); err != nil {
		return nil, err
	}
	if err := seedBase(ctx, sp, prefix, n); err != nil {
		return nil, err
	}
	profiles := sp.db.Collection(baseProfiles)
	product, base, cmds, err := e.latencies(ctx, e.o.Ops, func(ctx context.Context, i int) error {
		in := identifyInput(map[string]any{fmt.Sprintf("k%d", i): i}, email(prefix, i))
		return sp.c.do(ctx, identifyQ, map[string]any{"in": in}, nil)
	}, func(ctx context.Context, i int) error {
		update := bson.D{{Key: "$set", Value: bson.D{{Key: fmt.Sprintf("traits.k%d", i), Value: i}}}}
		_, err := profiles.UpdateOne(ctx, bson.D{{Key: "_id", Value: basePID(prefix, i)}}, update, options.UpdateOne().SetUpsert(true))
		return sp.durable(ctx, err)
	})
	if err != nil {
		return nil, fmt.Errorf("identify: %w", err)
	}
	note := "driver: one UpdateOne {_id} upsert $set of the trait"
	return []Scenario{
		withCmds(row("identify_p50", "ms", percentile(product, 0.50), percentile(base, 0.50), "<= 2.5", note), cmds),
		row("identify_p99", "ms", percentile(product, 0.99), percentile(base, 0.99), "<= 3", note),
	}, nil
}
