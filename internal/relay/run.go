package relay

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// run watches the stream until ctx ends, resuming after a failure from the
// last token it reached.
func (r *Relay) run(ctx context.Context) {
	defer close(r.done)
	defer r.opened() // Start stops waiting however the stream ends
	for {
		err := r.d.Source.Watch(ctx, r.token, func(c Change) error {
			r.opened()
			r.d.Pace.Reset()
			if c.Token != nil {
				r.token = c.Token
			}
			if c.Before != nil || c.After != nil {
				r.handle(ctx, c)
			}
			return nil
		})
		if ctx.Err() != nil || !r.failed(ctx, err) {
			return
		}
		if !wait(ctx, r.d.Pace.NextBackOff()) {
			return
		}
	}
}

// failed logs why the stream stopped and reports whether to start it again.
func (r *Relay) failed(ctx context.Context, err error) bool {
	switch {
	case errors.Is(err, ErrUnsupported):
		r.log.ErrorContext(ctx, "no change streams on this MongoDB (it needs a replica set); subscribers see only this replica's changes",
			"err", err)
		return false
	case errors.Is(err, ErrTokenLost):
		r.log.WarnContext(ctx, "change stream cannot resume; changes other replicas stored meanwhile are not relayed", "err", err)
		r.token = nil
	default:
		r.log.WarnContext(ctx, "change stream stopped; resuming", "err", err)
	}
	return true
}

// wait waits d (none when d is 0) and reports whether ctx is still live;
// backoff.Stop waits for ctx alone.
func wait(ctx context.Context, d time.Duration) bool {
	if d == backoff.Stop {
		<-ctx.Done()
		return false
	}
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	return ctx.Err() == nil
}
