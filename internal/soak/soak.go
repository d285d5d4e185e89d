// Package soak holds a server under steady load for a while (websocket
// subscribers and event ingest, on loopback, against a fresh embedded store)
// and checks that its goroutines and heap come back to where they started.
package soak

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Options say how hard and how long to soak.
type Options struct {
	// Duration is how long subscribers are held and events sent.
	Duration time.Duration
	// Subscribers is the number of profileUpdated websocket subscribers.
	Subscribers int
	// Rate is the events sent per second, in batches of ten.
	Rate int
}

// DefaultOptions are the options of `cdp soak` without flags.
func DefaultOptions() Options { return Options{Duration: time.Minute, Subscribers: 200, Rate: 200} }

// ErrNotSettled is returned by Run when goroutines or heap did not come
// back to their baseline after the load.
var ErrNotSettled = errors.New("soak: goroutines or heap did not return to the baseline")

// Run soaks a server started on a temporary directory and writes a report to
// out. It fails when the server could not be started, when nothing could
// be ingested or subscribed, or with ErrNotSettled.
func Run(ctx context.Context, o Options, out io.Writer) error {
	if o.Duration <= 0 || o.Subscribers < 1 || o.Rate < 1 {
		return errors.New("soak: duration, subscribers and rate must be positive")
	}
	srv, err := start(ctx)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(out, "soak: server on %s; warming up\n", srv.url)
	if _, err := ingest(ctx, srv, o.Rate, warmUp(o.Duration)); err != nil {
		return err
	}
	srv.client.CloseIdleConnections() // as after the load
	base := settle(ctx, snapshot{}, 0)
	r, err := load(ctx, srv, o, out)
	if err != nil {
		return err
	}
	srv.client.CloseIdleConnections()
	r.base, r.after = base, settle(ctx, base, settleWait)
	r.write(out)
	if !r.settled() {
		return ErrNotSettled
	}
	return nil
}

// warmUp is how long events flow before the baseline is taken, so that
// pools and caches the load fills anyway are in it.
func warmUp(d time.Duration) time.Duration { return min(max(d/10, time.Second), 10*time.Second) }

// load holds the subscribers and ingest for o.Duration, then closes the
// subscribers and waits for them.
func load(ctx context.Context, srv *server, o Options, out io.Writer) (*report, error) {
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	subs := make([]*subscriber, 0, o.Subscribers)
	var wg sync.WaitGroup
	for range o.Subscribers {
		s, err := subscribe(lctx, srv)
		if err != nil {
			cancel()
			wg.Wait()
			return nil, fmt.Errorf("soak: subscriber %d: %w", len(subs)+1, err)
		}
		subs = append(subs, s)
		wg.Add(1)
		go func() { defer wg.Done(); s.read(lctx) }()
	}
	fmt.Fprintf(out, "soak: %d subscribers live; ingesting %d events/s for %s\n", len(subs), o.Rate, o.Duration)
	peak := newPeak(lctx)
	sent, err := ingest(lctx, srv, o.Rate, o.Duration)
	r := &report{sent: sent, peak: peak.stop()}
	for _, s := range subs {
		s.close()
	}
	cancel()
	wg.Wait()
	for _, s := range subs {
		r.add(s)
	}
	return r, err
}
