package server

import (
	"context"
	"crypto/rand"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
)

// sseOpenWait is how long a reservation waits for its event stream.
const sseOpenWait = 30 * time.Second

// sseBuffer is how many events an event stream holds for a slow client
// before its operations wait (and their subscriptions, left unread, are
// dropped by the bus).
const sseBuffer = 64

// sseHub holds the reservations of the graphql-sse "single connection"
// mode: a token subject may hold perSubject of them, each running up to
// perStream operations at once.
type sseHub struct {
	perSubject, perStream int
	openWait              time.Duration

	mu     sync.Mutex
	closed bool // shutting down
	res    map[string]*sseReservation
	counts wsCounts // reservations per workspace and subject
}

func newSSEHub(perSubject, perStream int) *sseHub {
	return &sseHub{perSubject: perSubject, perStream: perStream, openWait: sseOpenWait, res: map[string]*sseReservation{}}
}

// subjectKey names the principal's token subject within its workspace.
func subjectKey(p auth.Principal) string { return string(p.Workspace) + "\x00" + p.Subject }

// reserve makes a reservation for p's subject. It ends, and frees its
// place, when its stream closes, or after openWait if no stream opens.
func (h *sseHub) reserve(p auth.Principal) (*sseReservation, *errs.Error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, errs.New(errs.Unavailable, "the server is shutting down: reconnect")
	}
	owner := subjectKey(p)
	if !h.counts.acquire(owner, h.perSubject) {
		return nil, errs.Newf(errs.RateLimited, "too many event stream reservations for this token subject (limit %d)", h.perSubject)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &sseReservation{token: rand.Text(), owner: owner, perStream: h.perStream, ctx: ctx,
		out: make(chan []byte, sseBuffer), drained: make(chan struct{}), ops: map[string]context.CancelFunc{}}
	// Gone from the hub before its context ends: whoever sees it ended
	// finds it gone.
	r.end = sync.OnceFunc(func() { h.remove(r); cancel() })
	h.res[r.token] = r
	time.AfterFunc(h.openWait, r.expire)
	return r, nil
}

func (h *sseHub) remove(r *sseReservation) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.res, r.token)
	h.counts.release(r.owner)
}

// lookup returns the reservation of token if it belongs to p's subject.
func (h *sseHub) lookup(token string, p auth.Principal) (*sseReservation, *errs.Error) {
	h.mu.Lock()
	r := h.res[token]
	h.mu.Unlock()
	switch {
	case r == nil:
		return nil, errs.New(errs.NotFound, "event stream reservation not found: make a new one with PUT")
	case r.owner != subjectKey(p):
		return nil, errs.New(errs.Forbidden, "the event stream reservation belongs to another token subject")
	}
	return r, nil
}

// close refuses new reservations and ends the ones held: an open stream
// once its operations have sent their last message, an unopened
// reservation at once.
func (h *sseHub) close() {
	h.mu.Lock()
	h.closed = true
	rs := slices.Collect(maps.Values(h.res))
	h.mu.Unlock()
	for _, r := range rs {
		r.shutdown()
	}
}

// sseReservation is one reservation and, once opened, its event stream:
// operations write their events to out, the stream writes them to the
// client. ctx ends with the reservation; end ends it and frees its place
// before it returns.
type sseReservation struct {
	token, owner string
	perStream    int
	ctx          context.Context
	end          func()
	out          chan []byte
	drained      chan struct{} // closed on shutdown once no operation runs

	mu      sync.Mutex
	opened  bool
	closing bool
	ops     map[string]context.CancelFunc // running operations by id
	running sync.WaitGroup
}

// expire ends the reservation if no stream opened it.
func (r *sseReservation) expire() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.opened {
		r.end()
	}
}

// open claims the reservation for one stream.
func (r *sseReservation) open() *errs.Error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closing:
		return errs.New(errs.Unavailable, "the server is shutting down: reconnect")
	case r.opened:
		return errs.New(errs.Conflict, "the event stream of this reservation is open already")
	case r.ctx.Err() != nil:
		return errs.New(errs.NotFound, "event stream reservation not found: make a new one with PUT")
	}
	r.opened = true
	return nil
}

// add registers a running operation; cancel stops it.
func (r *sseReservation) add(id string, cancel context.CancelFunc) *errs.Error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closing:
		return errs.New(errs.Unavailable, "the server is shutting down: reconnect")
	case r.ctx.Err() != nil:
		return errs.New(errs.NotFound, "event stream reservation not found: make a new one with PUT")
	case r.ops[id] != nil:
		return errs.Newf(errs.Conflict, "operation %q is running already on this event stream", id)
	case len(r.ops) >= r.perStream:
		return errs.Newf(errs.BadInput, "too many operations on this event stream (limit %d): stop one first", r.perStream)
	}
	r.ops[id] = cancel
	r.running.Add(1)
	return nil
}

// done forgets an operation that ended.
func (r *sseReservation) done(id string) {
	r.mu.Lock()
	cancel := r.ops[id]
	delete(r.ops, id)
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	r.running.Done()
}

// stop cancels an operation; an unknown id is ignored, as it may just
// have ended.
func (r *sseReservation) stop(id string) {
	r.mu.Lock()
	cancel := r.ops[id]
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// send queues an event for the stream, or gives up when ctx ends.
func (r *sseReservation) send(ctx context.Context, event []byte) {
	select {
	case r.out <- event:
	case <-ctx.Done():
	}
}

// shutdown refuses new operations; an unopened reservation ends now, an
// open stream once its operations have ended.
func (r *sseReservation) shutdown() {
	r.mu.Lock()
	was, opened := r.closing, r.opened
	r.closing = true
	r.mu.Unlock()
	switch {
	case was: // shut down already
	case !opened:
		r.end()
	default:
		go func() { r.running.Wait(); close(r.drained) }()
	}
}
