package bench

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// opTimeout bounds one request or driver call. Nothing the bench sends
// should take more than seconds; a call that gets no answer this long means
// the store stopped answering, and the run fails instead of hanging.
const opTimeout = 2 * time.Minute

// bounded runs one job under opTimeout.
func bounded(ctx context.Context, i int, job func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	err := job(ctx, i)
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("no answer within %s (the store may have stopped answering): %w", opTimeout, err)
	}
	return err
}

// parallel runs job(0) … job(n-1) on `workers` goroutines, each taking the
// next index when it is done with one, and returns the wall time. The first
// error cancels the rest and is returned.
func parallel(ctx context.Context, workers, n int, job func(ctx context.Context, i int) error) (time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	start := time.Now()
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				if err := bounded(ctx, i, job); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return time.Since(start), first
}

// sample runs job(0) … job(warmup+n-1) one after the other and returns the
// durations of the last n: the first warmup calls open connections and fill
// caches untimed.
func sample(ctx context.Context, warmup, n int, job func(ctx context.Context, i int) error) ([]time.Duration, error) {
	ds := make([]time.Duration, 0, n)
	for i := range warmup + n {
		start := time.Now()
		if err := bounded(ctx, i, job); err != nil {
			return nil, err
		}
		if i >= warmup {
			ds = append(ds, time.Since(start))
		}
	}
	return ds, nil
}

// percentile returns the nearest-rank percentile p (0 < p <= 1) in ms.
func percentile(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := max(int(math.Ceil(p*float64(len(s))))-1, 0)
	return ms(s[i])
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// perSecond is n operations over d.
func perSecond(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// total sums durations.
func total(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t
}
