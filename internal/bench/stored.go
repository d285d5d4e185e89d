package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// foldLog records how long after being stored each event was folded.
type foldLog struct {
	mu     sync.Mutex
	on     bool
	delays []time.Duration // one per event
}

func (l *foldLog) add(n int, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		for range n {
			l.delays = append(l.delays, d)
		}
	}
}

// record starts recording; the returned func stops and returns the delays.
func (l *foldLog) record() func() []time.Duration {
	l.mu.Lock()
	l.on, l.delays = true, nil
	l.mu.Unlock()
	return func() []time.Duration {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.on = false
		return l.delays
	}
}

// drain waits until the space's fold backlog is empty and returns how long
// that took.
func (sp *space) drain(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	for sp.app.IngestStatus().Backlog > 0 {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	return time.Since(start), nil
}

// stored: trackEvents(wait: STORED) from --clients clients, the ingest
// plan's batches over existing customers. Baseline: one unordered
// InsertMany of the same events per batch from as many goroutines, the
// store's ceiling for a durable acknowledgement. The fold runs while the
// product is measured; it is drained, untimed, before the baseline runs.
// Then fold_lag_p99: the same batches at half the measured rate, and the
// time from storing each event to its profile reflecting it.
func (e *env) stored(ctx context.Context) ([]Scenario, error) {
	const prefix = "s"
	sp, err := e.open(ctx, "stored")
	if err != nil {
		return nil, err
	}
	defer sp.close()
	if _, err := e.seedProfiles(ctx, sp, population(prefix, e.o.Customers)); err != nil {
		return nil, err
	}
	p := newPlan(e.o.Events, e.o.Batch, e.o.Customers)
	r, err := e.throughput(ctx, p, e.o.Clients, storedBatches(sp, prefix, p), func(ctx context.Context, b int) error {
		return baseInsert(ctx, sp, prefix, p, b)
	}, func() error { _, err := sp.drain(ctx); return err })
	if err != nil {
		return nil, fmt.Errorf("ingest_stored: %w", err)
	}
	rows := []Scenario{withCmds(row("ingest_stored", "events/s", r.product, r.baseline, ">= 0.5",
		fmt.Sprintf("driver, %d goroutines, one unordered InsertMany of the batch's events, then its own fsync", e.o.Clients)), r.cmds)}
	if !e.o.Skip["ingest_stored_scaling"] {
		one, err := e.throughput(ctx, p, 1, storedBatches(sp, prefix, p), func(ctx context.Context, b int) error {
			return baseInsert(ctx, sp, prefix, p, b)
		}, func() error { _, err := sp.drain(ctx); return err })
		if err != nil {
			return nil, fmt.Errorf("ingest_stored_scaling: %w", err)
		}
		rows = append(rows, row("ingest_stored_scaling", "events/s", r.product, one.product, ">= 4", fmt.Sprintf(
			"wait: STORED from 1 client (product: from %d); the driver's own %d-to-1 ratio is %.2f; %s",
			e.o.Clients, e.o.Clients, r.baseline/one.baseline, busy(one, r, e.o.Clients))))
	}
	if e.o.Skip["fold_lag_p99"] {
		return rows, nil
	}
	lag, err := e.foldLag(ctx, sp, prefix, p, r.product/2)
	if err != nil {
		return nil, fmt.Errorf("fold_lag_p99: %w", err)
	}
	return append(rows, lag), nil
}

// storedBatches returns the job that sends batch b of the plan through
// trackEvents(wait: STORED).
func storedBatches(sp *space, prefix string, p plan) job {
	return batchesVia(prefix, p, sp.c.trackStored)
}

// baseInsert stores batch b's events with one unordered InsertMany, durably.
func baseInsert(ctx context.Context, sp *space, prefix string, p plan, b int) error {
	now := time.Now().UTC()
	docs := make([]any, p.len(b))
	for k := range docs {
		c := p.customer(b, k)
		docs[k] = baseEvent(fmt.Sprintf("%s-%d-%d-%d", prefix, now.UnixNano(), b, k), basePID(prefix, c), email(prefix, c), k, now)
	}
	_, err := sp.db.Collection(baseEvents).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	return sp.durable(ctx, err)
}

// foldLag sends the plan's batches at rate events per second from the
// clients and reports the 99th percentile of the time from storing an event
// to its profile reflecting it.
func (e *env) foldLag(ctx context.Context, sp *space, prefix string, p plan, rate float64) (Scenario, error) {
	if rate <= 0 {
		return Scenario{}, fmt.Errorf("no rate to pace at")
	}
	every := time.Duration(float64(time.Second) * float64(p.size) / rate)
	batches := make(chan int)
	go func() {
		defer close(batches)
		t := time.NewTicker(every)
		defer t.Stop()
		for b := range p.batches {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				batches <- b
			}
		}
	}()
	stop := sp.folds.record()
	send := storedBatches(sp, prefix, p)
	var wg sync.WaitGroup
	errc := make(chan error, e.o.Clients)
	for range e.o.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				if err := send(ctx, b); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	if _, err := sp.drain(ctx); err != nil {
		return Scenario{}, err
	}
	delays := stop()
	select {
	case err := <-errc:
		return Scenario{}, err
	default:
	}
	if len(delays) == 0 {
		return Scenario{}, fmt.Errorf("no fold recorded")
	}
	ms := percentile(delays, 0.99)
	s := figure("fold_lag_p99", "ms", ms, fmt.Sprintf("from storing to folding, at %.0f events/s (half of ingest_stored); p50 %.0f ms, p90 %.0f ms, max %.0f ms",
		rate, percentile(delays, 0.5), percentile(delays, 0.9), percentile(delays, 1)))
	s.Target, s.Met = ptr("<= 250 ms"), ptr(ms <= 250)
	return s, nil
}
