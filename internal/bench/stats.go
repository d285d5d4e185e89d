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
func bounded(ctx context.Context, i int, j job) error {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	err := j(ctx, i)
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("no answer within %s (the store may have stopped answering): %w", opTimeout, err)
	}
	return err
}

// parallel runs job(0) … job(n-1) on `workers` goroutines, each taking the
// next index when it is done with one, and returns the wall time. The first
// error cancels the rest and is returned.
func parallel(ctx context.Context, workers, n int, j job) (time.Duration, error) {
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
				if err := bounded(ctx, i, j); err != nil {
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

// job is one unit of work of a scenario: a request, a batch, a driver call.
type job = func(ctx context.Context, i int) error

// offset shifts a job's indexes by from.
func offset(from int, j job) job {
	return func(ctx context.Context, i int) error { return j(ctx, from+i) }
}

// repeat runs job(0) … job(n-1) one after the other, untimed: warm-up calls
// that open connections and fill caches.
func repeat(ctx context.Context, n int, j job) error {
	for i := range n {
		if err := bounded(ctx, i, j); err != nil {
			return err
		}
	}
	return nil
}

// timed runs job(i) and returns how long it took.
func timed(ctx context.Context, i int, j job) (time.Duration, error) {
	start := time.Now()
	err := bounded(ctx, i, j)
	return time.Since(start), err
}

// paired times a(i) and b(i) for i = from … from+n-1, alternating which of
// the two goes first. On a shared machine load comes and goes; pairing the
// calls makes both see it alike instead of favouring whichever ran in the
// quieter minute.
func paired(ctx context.Context, from, n int, a, b job) ([]time.Duration, []time.Duration, error) {
	da, db := make([]time.Duration, 0, n), make([]time.Duration, 0, n)
	for i := from; i < from+n; i++ {
		first, second := a, b
		if i%2 == 1 {
			first, second = b, a
		}
		d1, err := timed(ctx, i, first)
		if err != nil {
			return nil, nil, err
		}
		d2, err := timed(ctx, i, second)
		if err != nil {
			return nil, nil, err
		}
		if i%2 == 1 {
			d1, d2 = d2, d1
		}
		da, db = append(da, d1), append(db, d2)
	}
	return da, db, nil
}

// abba runs a and b over two halves of their work in the order a(0) b(0)
// b(1) a(1) and returns the time each took in all, so that a machine getting
// faster or slower during the run weighs on both alike.
func abba(a, b func(half int) (time.Duration, error)) (time.Duration, time.Duration, error) {
	var ta, tb time.Duration
	for _, step := range []struct {
		run  func(int) (time.Duration, error)
		half int
		sum  *time.Duration
	}{{a, 0, &ta}, {b, 0, &tb}, {b, 1, &tb}, {a, 1, &ta}} {
		d, err := step.run(step.half)
		if err != nil {
			return 0, 0, err
		}
		*step.sum += d
	}
	return ta, tb, nil
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
