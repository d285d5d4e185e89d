package event

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/identity"
)

// pending is a batch's events waiting to be folded.
type pending struct {
	ref  BatchRef
	evs  []*Event
	load bool // the events are to be read from the store (recovery)
	// counted is what the batch counts for in the backlog: its events, or
	// before they are read, the number its mark recorded.
	counted int
	at      time.Time // when the batch was stored
	done    chan struct{}
	err     error // set before done closes when the fold gave up (service closed)

	mu    sync.Mutex
	warns map[string][]identity.Warning // by event id, from resolution
	tries int
}

func (p *pending) warn(id string, w []identity.Warning) {
	if len(w) == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.warns == nil {
		p.warns = map[string][]identity.Warning{}
	}
	p.warns[id] = w
}

func (p *pending) warnings(id string) []identity.Warning {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.warns[id]
}

// loadEstimate is what a batch still to be read from the store counts for
// in a cycle's size: recovery then reads a few batches per cycle, not all.
const loadEstimate = 1000

// size is the events the fold holds, or expects to read, for the batch.
func (p *pending) size() int {
	if p.load {
		return max(len(p.evs), p.ref.Events, loadEstimate)
	}
	return len(p.evs)
}

// recount sets what the batch counts for in the backlog; mu is held.
func (f *folder) recount(p *pending, n int) {
	f.backlog += n - p.counted
	p.counted = n
}

func refKey(r BatchRef) BatchRef { return BatchRef{Workspace: r.Workspace, Batch: r.Batch} }

// folder is the queue of the fold: batches wait in arrival order, and one
// worker folds what has arrived, cycle after cycle.
type folder struct {
	s     *Service
	mu    sync.Mutex
	queue []*pending
	byRef map[BatchRef][]*pending // queued or in a cycle
	// writing holds the batches this process is storing, each with a
	// channel closed once its fold is queued: until then the store holds
	// only part of the batch, and a fold read from the store would mark the
	// batch folded on profiles whose other events are still being stored.
	writing map[BatchRef]chan struct{}
	// backlog counts the events queued or in a cycle plus those admitted
	// and being stored.
	backlog int
	rate    float64 // events folded per second, smoothed
	wake    chan struct{}
	room    chan struct{} // closed and replaced whenever the backlog shrinks
	// cycle is held through each fold cycle; erasure takes it to see the
	// queue while nothing is being folded.
	cycle sync.Mutex
}

// minBacklog is the least the backlog's bound ever is.
const minBacklog = 20000

func newFolder(s *Service) *folder {
	return &folder{s: s, byRef: map[BatchRef][]*pending{}, writing: map[BatchRef]chan struct{}{},
		wake: make(chan struct{}, 1), room: make(chan struct{})}
}

// startWrite records that the batches are being stored; the returned func
// ends that, once their folds are queued.
func (f *folder) startWrite(refs []BatchRef) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	done := make(chan struct{})
	for _, r := range refs {
		f.writing[refKey(r)] = done
	}
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, r := range refs {
			delete(f.writing, refKey(r))
		}
		close(done)
	}
}

// storing reports whether this process is storing the batch.
func (f *folder) storing(ref BatchRef) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.writing[refKey(ref)]
	return ok
}

// written waits until the batch, when this process is storing it, is
// stored and its fold queued, and reports whether it was being stored.
func (f *folder) written(ctx context.Context, ref BatchRef) (bool, error) {
	f.mu.Lock()
	done, ok := f.writing[refKey(ref)]
	f.mu.Unlock()
	if !ok {
		return false, nil
	}
	select {
	case <-done:
		return true, nil
	case <-ctx.Done():
		return true, ctx.Err()
	}
}

func (f *folder) bound() int {
	if f.s.opts.Backlog > 0 {
		return f.s.opts.Backlog
	}
	return max(minBacklog, int(f.rate*f.s.opts.BacklogTime.Seconds()))
}

// admit reserves room for n events, waiting up to AdmitWait for the fold to
// make some; past that it answers UNAVAILABLE with the seconds the backlog
// needs to drain. A call alone is always admitted, however large.
func (f *folder) admit(ctx context.Context, n int) error {
	t := time.NewTimer(f.s.opts.AdmitWait)
	defer t.Stop()
	for {
		f.mu.Lock()
		if f.backlog == 0 || f.backlog+n <= f.bound() {
			f.backlog += n
			f.mu.Unlock()
			return nil
		}
		room, retry := f.room, f.drainSeconds()
		f.mu.Unlock()
		select {
		case <-room:
		case <-t.C:
			return errs.New(errs.Unavailable, "ingest backlog is full: retry later").WithRetryAfter(retry)
		case <-ctx.Done():
			return ctx.Err()
		case <-f.s.quit:
			return errClosed
		}
	}
}

// drainSeconds is how long the backlog takes to fold at the current rate.
func (f *folder) drainSeconds() int {
	if f.rate <= 0 {
		return 1
	}
	return min(60, max(1, int(math.Ceil(float64(f.backlog)/f.rate))))
}

// release gives back the room admit reserved; the batches queued meanwhile
// count for themselves.
func (f *folder) release(n int) {
	f.mu.Lock()
	f.backlog -= n
	f.signalRoom()
	f.mu.Unlock()
}

func (f *folder) signalRoom() {
	close(f.room)
	f.room = make(chan struct{})
}

// enqueue queues a batch's fold and returns it, or the fold of the same
// batch already waiting, which it joins.
func (f *folder) enqueue(p *pending) *pending {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := refKey(p.ref)
	for _, q := range f.byRef[key] {
		if q.load == p.load && f.queued(q) {
			q.evs = append(q.evs, p.evs...)
			f.recount(q, q.counted+len(p.evs))
			return q
		}
	}
	p.done = make(chan struct{})
	f.byRef[key] = append(f.byRef[key], p)
	f.queue = append(f.queue, p)
	n := len(p.evs)
	if p.load {
		n = p.ref.Events
	}
	f.recount(p, n)
	select {
	case f.wake <- struct{}{}:
	default:
	}
	return p
}

func (f *folder) queued(p *pending) bool {
	for _, q := range f.queue {
		if q == p {
			return true
		}
	}
	return false
}

// find returns a fold of the batch that is queued or in a cycle, or nil.
func (f *folder) find(ref BatchRef) *pending {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ps := f.byRef[refKey(ref)]; len(ps) > 0 {
		return ps[len(ps)-1]
	}
	return nil
}

func (f *folder) has(ref BatchRef) bool { return f.find(ref) != nil }

// await waits until the folds are done.
func (f *folder) await(ctx context.Context, ps []*pending) error {
	for _, p := range ps {
		select {
		case <-p.done:
			if p.err != nil {
				return p.err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (f *folder) status() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := Status{Backlog: max(0, f.backlog)}
	for _, ps := range f.byRef { // queued or in a cycle
		for _, p := range ps {
			if !p.at.IsZero() && p.counted > 0 {
				st.Lag = max(st.Lag, time.Since(p.at))
			}
		}
	}
	return st
}

// take waits for queued folds and takes up to CycleMax events' worth of
// them (at least one), oldest first.
func (f *folder) take() []*pending {
	for {
		f.mu.Lock()
		if len(f.queue) > 0 {
			n, i := 0, 0
			for i < len(f.queue) && (i == 0 || n+f.queue[i].size() <= f.s.opts.CycleMax) {
				n += f.queue[i].size()
				i++
			}
			ps := f.queue[:i:i]
			f.queue = f.queue[i:]
			f.mu.Unlock()
			return ps
		}
		f.mu.Unlock()
		select {
		case <-f.wake:
		case <-f.s.quit:
			return nil
		}
	}
}

// finish ends the folds of a cycle: done ones are unqueued and their
// waiters told; failed ones go back to the head of the queue.
func (f *folder) finish(ps []*pending, failed map[*pending]bool, took time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var retry []*pending
	folded := 0
	for _, p := range ps {
		if failed[p] {
			p.tries++
			retry = append(retry, p)
			continue
		}
		folded += len(p.evs)
		f.recount(p, 0)
		f.drop(p)
		close(p.done)
	}
	f.queue = append(retry, f.queue...)
	if folded > 0 && took > 0 {
		r := float64(folded) / took.Seconds()
		if f.rate == 0 {
			f.rate = r
		} else {
			f.rate = 0.8*f.rate + 0.2*r
		}
	}
	f.signalRoom()
}

// drop removes a fold from the index of batches; mu is held.
func (f *folder) drop(p *pending) {
	key := refKey(p.ref)
	ps := f.byRef[key]
	for i, q := range ps {
		if q == p {
			ps = append(ps[:i:i], ps[i+1:]...)
			break
		}
	}
	if len(ps) == 0 {
		delete(f.byRef, key)
	} else {
		f.byRef[key] = ps
	}
}

// last reports whether p is the only fold of its batch left, so its end
// may remove the batch's mark.
func (f *folder) last(p *pending) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.byRef[refKey(p.ref)]) == 1
}

// abandon ends every fold when the service closes; their batches stay
// marked and are folded by the next start.
func (f *folder) abandon() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ps := range f.byRef {
		for _, p := range ps {
			p.err = errClosed
			close(p.done)
		}
	}
	f.byRef, f.queue = map[BatchRef][]*pending{}, nil
}
