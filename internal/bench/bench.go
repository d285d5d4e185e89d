// Package bench measures the product end to end, over HTTP against a real
// store, and compares its ingest rate with the raw driver on the same store.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/config"
	"github.com/cdp-dev/cdp/internal/server"
	"github.com/cdp-dev/cdp/internal/store"
)

// Options size a run.
type Options struct {
	Events    int // events sent through trackEvents
	Customers int // distinct customers the events belong to
	Merges    int // identify calls that merge two profiles
	MongoURI  string
}

// Run measures and prints a report to w.
func Run(ctx context.Context, o Options, w io.Writer) error {
	dir, err := os.MkdirTemp("", "cdp-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dbName := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	st, err := store.Open(ctx, store.Options{URI: o.MongoURI, DataDir: dir, Database: dbName, Logger: log})
	if err != nil {
		return err
	}
	defer func() { _ = st.Drop(context.Background()); _ = st.Close(context.Background()) }()
	c, stop, err := start(ctx, st, log)
	if err != nil {
		return err
	}
	defer stop()
	store := "embedded FerretDB (SQLite)"
	if o.MongoURI != "" {
		store = "MongoDB at MONGODB_URI"
	}
	fmt.Fprintf(w, "cdp bench: %d events over %d customers, %d merges, on %s\n\n", o.Events, o.Customers, o.Merges, store)
	raw, err := rawInsert(ctx, st, o.Events)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%-34s %10.0f docs/s\n", "raw driver InsertMany (1,000/batch)", raw)
	ups, err := rawUpserts(ctx, st, min(o.Events, 2000))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%-34s %10.0f docs/s\n", "raw driver upsert by _id (one each)", ups)
	rate, err := c.track(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%-34s %10.0f events/s  (%.1f%% of InsertMany, %.0f%% of upserts)\n", "trackEvents (100/batch)", rate, 100*rate/raw, 100*rate/ups)
	for _, m := range []struct {
		name string
		run  func(context.Context, int) (latency, error)
	}{{"identify (new customer)", c.identifyNew}, {"identify (known customer)", c.identifyKnown}, {"merge (identify joining two)", c.merge}} {
		l, err := m.run(ctx, o.Merges)
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		fmt.Fprintf(w, "%-34s p50 %7.2f ms  p95 %7.2f ms\n", m.name, ms(l.p50), ms(l.p95))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// start serves the product on a loopback port and returns a client for it.
func start(ctx context.Context, st *store.Store, log *slog.Logger) (*client, func(), error) {
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		return nil, nil, err
	}
	secret := []byte("bench-secret-bench-secret-bench-secret")
	v, err := auth.NewVerifier(ctx, auth.Options{Secret: secret})
	if err != nil {
		return nil, nil, err
	}
	app, err := server.New(ctx, server.Deps{Config: cfg, Logger: log, Store: st, Verifier: v})
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: app.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	tok, err := auth.Mint(secret, auth.MintOptions{Workspace: "bench", Scopes: auth.AllScopes(), Subject: "bench", TTL: time.Hour})
	if err != nil {
		return nil, nil, err
	}
	c := &client{url: "http://" + ln.Addr().String() + "/graphql", token: tok, http: &http.Client{Timeout: 5 * time.Minute}}
	return c, func() { _ = srv.Close() }, nil
}
