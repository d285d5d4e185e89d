package soak

import (
	"context"
	"runtime"
	"time"
)

// snapshot is the process's goroutines and live heap at one moment.
type snapshot struct {
	goroutines int
	heap       uint64 // bytes in use after a collection
}

// take collects garbage and reads the snapshot.
func take() snapshot {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return snapshot{goroutines: runtime.NumGoroutine(), heap: m.HeapAlloc}
}

// Tolerances of "back to the baseline": a few goroutines that come and go
// (timers, pool maintenance), and the store's page cache growing with the
// data the load wrote (the embedded store shares the heap).
const (
	slackGoroutines = 25
	slackHeap       = 64 << 20
)

// within reports whether s is back to base.
func (s snapshot) within(base snapshot) bool {
	return s.goroutines <= base.goroutines+slackGoroutines && s.heap <= base.heap*3/2+slackHeap
}

// settleWait bounds how long the process gets to let go of the load.
const settleWait = 15 * time.Second

// settle waits up to wait for the process to come back within base (a
// zero base takes the first snapshot), and returns the last snapshot.
func settle(ctx context.Context, base snapshot, wait time.Duration) snapshot {
	deadline := time.Now().Add(wait)
	for {
		s := take()
		if base == (snapshot{}) || s.within(base) || time.Now().After(deadline) {
			return s
		}
		select {
		case <-ctx.Done():
			return s
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// peak samples the goroutines and heap every second until stopped.
type peak struct {
	max  snapshot
	quit chan struct{}
	done chan struct{}
}

func newPeak(ctx context.Context) *peak {
	p := &peak{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-p.quit:
				return
			case <-t.C:
			}
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			p.max.goroutines = max(p.max.goroutines, runtime.NumGoroutine())
			p.max.heap = max(p.max.heap, m.HeapAlloc)
		}
	}()
	return p
}

// stop ends the sampling and returns the peak.
func (p *peak) stop() snapshot {
	close(p.quit)
	<-p.done
	return p.max
}
