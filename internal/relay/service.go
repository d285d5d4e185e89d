package relay

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/cdp-dev/cdp/internal/profile"
)

// Deps are what a Relay needs.
type Deps struct {
	Source Source
	// Stored is told of every profile change another replica stored, with
	// the segments the profile was a member of before it: the hook the
	// segment service publishes membership changes from.
	Stored profile.StoredHook
	// Changed is told of every change another replica told its own
	// subscribers of, with the same reason: the profileUpdated hook.
	Changed profile.ChangeHook
	Logger  *slog.Logger
	Now     func() time.Time // optional, defaults to time.Now
	// Pace paces the restarts of a failed stream; optional, defaults to
	// exponential from 100 ms to 30 s.
	Pace backoff.BackOff
	// Remember is how many profiles' last segments are kept, to diff a
	// change the store gives no pre-image of; optional, defaults to
	// DefaultRemember.
	Remember int
}

// DefaultRemember is Deps.Remember's default: about 100 bytes each.
const DefaultRemember = 100_000

// startWait bounds how long Start waits for the stream to open.
const startWait = 10 * time.Second

// Relay watches the profile change stream and publishes, on this
// replica's hooks, what other replicas published on theirs.
type Relay struct {
	d      Deps
	log    *slog.Logger
	self   string
	seen   *lru.Cache[string, seen]
	token  Token // where the stream resumes; kept in memory only
	cancel context.CancelFunc
	done   chan struct{}
	open   chan struct{}
	opened func()
}

// New returns a Relay; Start starts it.
func New(d Deps) *Relay {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Pace == nil {
		b := backoff.NewExponentialBackOff()
		b.InitialInterval, b.MaxInterval = 100*time.Millisecond, 30*time.Second
		d.Pace = b
	}
	if d.Remember <= 0 {
		d.Remember = DefaultRemember
	}
	seen, err := lru.New[string, seen](d.Remember)
	if err != nil {
		panic(err) // only for a size below 1
	}
	r := &Relay{d: d, log: d.Logger, self: d.Source.Writer(), seen: seen, done: make(chan struct{}), open: make(chan struct{})}
	r.opened = sync.OnceFunc(func() { close(r.open) })
	return r
}

// Start turns on the store's pre-images and watches the stream until
// Close. It returns once the stream is open (changes stored after it are
// relayed), has failed, or startWait has passed.
func (r *Relay) Start(ctx context.Context) {
	if err := r.d.Source.PreImages(ctx); err != nil {
		r.log.WarnContext(ctx, "change stream pre-images unavailable; a segment exit is relayed only when this replica saw the profile's previous write",
			"err", err)
	}
	run, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancel = cancel
	go r.run(run)
	t := time.NewTimer(startWait)
	defer t.Stop()
	select {
	case <-r.open:
	case <-t.C:
		r.log.WarnContext(ctx, "change stream not open yet; relaying once it is")
	case <-ctx.Done():
	}
}

// Close stops the stream and returns once the relay is stopped.
func (r *Relay) Close() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	<-r.done
}
