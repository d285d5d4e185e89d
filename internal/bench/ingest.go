package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// perBatch is how many distinct customers one ingest batch carries.
const perBatch = 10

// plan says which customers each batch of an ingest run carries. Event k of
// batch b belongs to the batch's customer k mod per; a batch's customers are
// consecutive in a fixed shuffle of the population, so the run spreads over
// the whole population and concurrent batches touch different customers
// (unless the population is smaller than clients × per).
type plan struct {
	events, size, per, batches int
	order                      []int
}

func newPlan(events, size, population int) plan {
	per := min(perBatch, size, population)
	order := rand.New(rand.NewPCG(1, 2)).Perm(population)
	return plan{events: events, size: size, per: per, batches: (events + size - 1) / size, order: order}
}

// len is the number of events of batch b: the last one of the plan may be
// short; warm-up batches, numbered after the plan's, are full.
func (p plan) len(b int) int {
	if b >= p.batches {
		return p.size
	}
	return min(p.size, p.events-b*p.size)
}

// customer is the customer of event k of batch b.
func (p plan) customer(b, k int) int { return p.order[(b*p.per+k%p.per)%len(p.order)] }

// ingestRates are the product's and the baseline's events per second, and
// the store commands each of the product's calls cost.
type ingestRates struct {
	product, baseline float64
	cmds              string
	cores             float64 // CPU cores the process kept busy while the product ran
}

// ingest: trackEvents calls of --batch events, each carrying perBatch
// existing customers, from `clients` concurrent HTTP clients.
//
// Baseline, from as many goroutines, per batch: a FindOne {_id} on the
// identity collection for each distinct identifier (the lookup that tells
// whose events they are; FindOne by _id is the one lookup the embedded store
// serves from an index), one InsertMany of the batch's events (the events
// must be stored, and one unordered InsertMany is the cheapest way to store
// many), and one UpdateOne {_id} upsert ($inc the count, $set last seen)
// per distinct profile (each profile's computed values must change). It
// holds the same number of customers, identity and profile documents.
func (e *env) ingest(ctx context.Context, clients int) (ingestRates, error) {
	const prefix = "c"
	sp, err := e.open(ctx, fmt.Sprintf("ingest%d", clients))
	if err != nil {
		return ingestRates{}, err
	}
	defer sp.close()
	if _, err := e.seedProfiles(ctx, sp, population(prefix, e.o.Customers)); err != nil {
		return ingestRates{}, err
	}
	if err := seedBase(ctx, sp, prefix, e.o.Customers); err != nil {
		return ingestRates{}, err
	}
	p := newPlan(e.o.Events, e.o.Batch, e.o.Customers)
	r, err := e.throughput(ctx, p, clients, productBatches(sp, prefix, p), func(ctx context.Context, b int) error {
		return baseBatch(ctx, sp, prefix, p, b)
	}, nil)
	if err != nil {
		return r, fmt.Errorf("ingest: %w", err)
	}
	return r, nil
}

// productBatches returns the job that sends batch b of the plan through
// trackEvents.
func productBatches(sp *space, prefix string, p plan) job { return batchesVia(prefix, p, sp.c.track) }

// batchesVia returns the job that sends batch b of the plan through send,
// with messageIds unique to this call.
func batchesVia(prefix string, p plan, send func(context.Context, []any) error) job {
	tag := fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
	return func(ctx context.Context, b int) error {
		evs := make([]any, 0, p.size)
		for k := range p.len(b) {
			evs = append(evs, eventInput(fmt.Sprintf("%s-%d-%d", tag, b, k), email(prefix, p.customer(b, k)), k))
		}
		return send(ctx, evs)
	}
}

// baseBatch is the baseline's work for batch b of the plan.
func baseBatch(ctx context.Context, sp *space, prefix string, p plan, b int) error {
	n := p.len(b)
	distinct := min(p.per, n)
	pids := make([]string, distinct)
	for j := range distinct {
		var doc struct {
			ProfileID string `bson:"profileId"`
		}
		key := email(prefix, p.customer(b, j)).key()
		if err := sp.db.Collection(baseIdentities).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&doc); err != nil {
			return fmt.Errorf("find identity %s: %w", key, err)
		}
		pids[j] = doc.ProfileID
	}
	now := time.Now().UTC()
	docs := make([]any, n)
	counts := make([]int, distinct)
	for k := range n {
		docs[k] = baseEvent(fmt.Sprintf("%s-%d-%d", prefix, b, k), pids[k%p.per], email(prefix, p.customer(b, k)), k, now)
		counts[k%p.per]++
	}
	_, err := sp.db.Collection(baseEvents).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err := sp.durable(ctx, err); err != nil {
		return err
	}
	for j, pid := range pids {
		update := bson.D{{Key: "$inc", Value: bson.D{{Key: "eventCount", Value: counts[j]}}},
			{Key: "$set", Value: bson.D{{Key: "lastSeen", Value: now}}}}
		_, err := sp.db.Collection(baseProfiles).UpdateOne(ctx, bson.D{{Key: "_id", Value: pid}}, update, options.UpdateOne().SetUpsert(true))
		if err := sp.durable(ctx, err); err != nil {
			return err
		}
	}
	return nil
}

// ingestRows reports the 8-client and 1-client runs and how they compare.
func (e *env) ingestRows(ctx context.Context) ([]Scenario, error) {
	var rows []Scenario
	note := fmt.Sprintf("driver, %d goroutines, per batch: FindOne {_id} per distinct identifier, InsertMany, UpdateOne upsert per profile", e.o.Clients)
	if !e.o.Skip["ingest"] {
		r, err := e.ingest(ctx, e.o.Clients)
		if err != nil {
			return nil, err
		}
		e.many = &r
		rows = append(rows, withCmds(row("ingest", "events/s", r.product, r.baseline, ">= 0.5", note), r.cmds))
	}
	if !e.o.Skip["ingest_1client"] {
		r, err := e.ingest(ctx, 1)
		if err != nil {
			return nil, err
		}
		rows = append(rows, withCmds(row("ingest_1client", "events/s", r.product, r.baseline, "", "the same as ingest, from 1 goroutine"), r.cmds))
		if m := e.many; m != nil {
			rows = append(rows, row("ingest_scaling", "events/s", m.product, r.product, ">= 1", fmt.Sprintf(
				"the product with 1 client (product: with %d); the driver's own %d-to-1 ratio is %.2f; %s",
				e.o.Clients, e.o.Clients, m.baseline/r.baseline, busy(r, *m, e.o.Clients))))
		}
	}
	return rows, nil
}

// busy says how many of the machine's cores the process kept busy while
// the product ran from one client and from many: when one client already
// keeps them busy, more clients cannot multiply the rate.
func busy(one, many ingestRates, clients int) string {
	if one.cores == 0 {
		return "CPU use unknown here"
	}
	return fmt.Sprintf("cores busy (of %d): %.2f with 1 client, %.2f with %d", runtime.NumCPU(), one.cores, many.cores, clients)
}
