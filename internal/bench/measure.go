package bench

import (
	"context"
	"time"
)

// latencies measures a product call against its baseline one call at a
// time: `warmup` untimed calls of each (the product's counted for the store
// commands they cost), then n timed pairs, each pair alternating which goes
// first. Call i of either works on item i, so callers seed warmup+n items.
func (e *env) latencies(ctx context.Context, n int, product, base job) (p, b []time.Duration, cmds string, err error) {
	cmds, err = e.counted(ctx, warmup, func() error { return repeat(ctx, warmup, product) })
	if err != nil {
		return nil, nil, "", err
	}
	if err := repeat(ctx, warmup, base); err != nil {
		return nil, nil, "", err
	}
	p, b, err = paired(ctx, warmup, n, product, base)
	return p, b, cmds, err
}

// throughput measures the plan's batches through a (the product) and b (its
// baseline, or the product elsewhere) from `clients` concurrent clients each,
// and returns the events per second of each. One batch per client of each
// runs first, untimed (a's counted for the store commands they cost), as
// batches after the plan's; the plan's batches then run in two halves, in
// the order a b b a. settle, when set, runs untimed after each run of a
// (work a left behind, such as a fold, must not slow b).
func (e *env) throughput(ctx context.Context, p plan, clients int, a, b job, settle func() error) (ingestRates, error) {
	if settle == nil {
		settle = func() error { return nil }
	}
	var r ingestRates
	var err error
	r.cmds, err = e.counted(ctx, clients, func() error {
		_, err := parallel(ctx, clients, clients, offset(p.batches, a))
		return err
	})
	if err == nil {
		err = settle()
	}
	if err != nil {
		return r, err
	}
	if _, err := parallel(ctx, clients, clients, offset(p.batches, b)); err != nil {
		return r, err
	}
	var cpu time.Duration // the product's, settling excluded
	halves := func(j job, after func() error, used *time.Duration) func(int) (time.Duration, error) {
		return func(h int) (time.Duration, error) {
			from, to := 0, p.batches/2
			if h == 1 {
				from, to = to, p.batches
			}
			c := cpuTime()
			d, err := parallel(ctx, clients, to-from, offset(from, j))
			if used != nil {
				*used += cpuTime() - c
			}
			if err == nil {
				err = after()
			}
			return d, err
		}
	}
	ta, tb, err := abba(halves(a, settle, &cpu), halves(b, func() error { return nil }, nil))
	if err != nil {
		return r, err
	}
	r.product, r.baseline = perSecond(p.events, ta), perSecond(p.events, tb)
	r.cores = cpu.Seconds() / ta.Seconds()
	return r, nil
}
