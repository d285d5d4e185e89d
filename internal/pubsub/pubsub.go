// Package pubsub fans realtime changes out to subscribers inside one process.
// Publish never blocks: a subscriber that cannot keep up is dropped and its
// channel closed.
package pubsub

import (
	"context"
	"sync"

	"github.com/cdp-dev/cdp/internal/errs"
)

// Buffer is how many messages a subscriber may fall behind before it is dropped.
const Buffer = 64

// ErrClosed is returned by Subscribe once the bus is closed.
var ErrClosed = errs.New(errs.Internal, "the server is shutting down")

// Bus is an in-memory topic bus.
type Bus struct {
	mu     sync.Mutex
	subs   map[string]map[chan any]struct{}
	closed bool
	// changed is closed and replaced whenever a subscription is added.
	changed chan struct{}
}

// New returns an empty bus.
func New() *Bus {
	return &Bus{subs: map[string]map[chan any]struct{}{}, changed: make(chan struct{})}
}

// Subscribe returns a channel of the topic's messages. It is closed when ctx
// ends, when the subscriber falls Buffer messages behind, or when the bus closes.
func (b *Bus) Subscribe(ctx context.Context, topic string) (<-chan any, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	ch := make(chan any, Buffer)
	if b.subs[topic] == nil {
		b.subs[topic] = map[chan any]struct{}{}
	}
	b.subs[topic][ch] = struct{}{}
	close(b.changed)
	b.changed = make(chan struct{})
	go func() {
		<-ctx.Done()
		b.drop(topic, ch)
	}()
	return ch, nil
}

// Publish sends msg to the topic's subscribers without blocking.
func (b *Bus) Publish(topic string, msg any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs[topic] {
		select {
		case ch <- msg:
		default:
			b.dropLocked(topic, ch)
		}
	}
}

// Close closes every subscription; later subscriptions fail and publishes
// go nowhere.
func (b *Bus) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for topic, chans := range b.subs {
		for ch := range chans {
			b.dropLocked(topic, ch)
		}
	}
}

func (b *Bus) drop(topic string, ch chan any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dropLocked(topic, ch)
}

func (b *Bus) dropLocked(topic string, ch chan any) {
	if _, ok := b.subs[topic][ch]; !ok {
		return
	}
	delete(b.subs[topic], ch)
	if len(b.subs[topic]) == 0 {
		delete(b.subs, topic)
	}
	close(ch)
}

// Wait blocks until at least n subscriptions are live or ctx ends.
func (b *Bus) Wait(ctx context.Context, n int) error {
	for {
		b.mu.Lock()
		live, changed := 0, b.changed
		for _, chans := range b.subs {
			live += len(chans)
		}
		b.mu.Unlock()
		if live >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// ProfileTopic names the topic of a workspace's profile changes.
func ProfileTopic(workspace string) string { return "profiles/" + workspace }

// SegmentTopic names the topic of a workspace's segment membership changes.
func SegmentTopic(workspace string) string { return "segments/" + workspace }
