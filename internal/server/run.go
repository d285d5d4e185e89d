package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting, ends subscriptions with a complete message, waits up to grace
// for in-flight requests, then closes the remaining websockets.
func (a *App) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return base },
		// net/http's own complaints (bad handshakes, hijack misuse) go
		// through the app's handler, so every line stays structured.
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	a.CloseStreams()
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	a.Close() // after the last request: what it stored is folded or left marked
	a.drainStreams(sctx)
	cancelBase() // closes hijacked websockets with a normal closure
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}

// streamDrain is how long a finished stream gets to write its final
// "complete" message before its websocket is closed.
const streamDrain = 100 * time.Millisecond

// drainStreams waits until every subscription stream has ended (or ctx ends),
// then briefly for their final messages to be written.
func (a *App) drainStreams(ctx context.Context) {
	done := make(chan struct{})
	go func() { a.streams.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	time.Sleep(streamDrain)
}
