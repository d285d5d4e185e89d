package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/config"
	"github.com/cdp-dev/cdp/internal/server"
	"github.com/cdp-dev/cdp/internal/store"
)

// Baseline collections, beside the product's in each scenario's database.
const (
	baseIdentities = "base_identities"
	baseProfiles   = "base_profiles"
	baseEvents     = "base_events"
	baseMerges     = "base_merges"
)

// env is one run: a store connection and what every scenario shares.
type env struct {
	o        Options
	st       *store.Store
	prefix   string // database name prefix, unique to the run
	n        int    // databases opened so far
	log      *slog.Logger
	progress io.Writer
	secret   []byte
	many     *ingestRates // the ingest run with --clients, once done
	peakMiB  float64      // peak memory with the large population loaded
	notes    []string     // said under the table
}

// openEnv opens the store: MONGODB_URI, or an embedded one in a temporary
// directory. The returned func closes it and removes the directory.
func openEnv(ctx context.Context, o Options, progress io.Writer) (*env, func(), error) {
	dir, err := os.MkdirTemp("", "cdp-bench-")
	if err != nil {
		return nil, nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	prefix := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	st, err := store.Open(ctx, store.Options{URI: o.MongoURI, DataDir: dir, Database: prefix, Logger: log})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	e := &env{o: o, st: st, prefix: prefix, log: log, progress: progress,
		secret: []byte("bench-secret-bench-secret-bench-secret")}
	return e, func() {
		// Bounded: a store that stopped answering must not keep the
		// process from reporting why.
		done := make(chan struct{})
		go func() { defer close(done); _ = st.Close(context.Background()) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
		}
		os.RemoveAll(dir)
	}, nil
}

// dropTimeout bounds dropping a scenario's database.
const dropTimeout = 30 * time.Second

// drop drops a scenario's database through its store, which lets go of
// what it holds open on it (the embedded store's side readers).
func drop(st *store.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
	defer cancel()
	_ = st.Drop(ctx)
}

func (e *env) progressf(format string, args ...any) {
	fmt.Fprintf(e.progress, "bench: "+format+"\n", args...)
}

// space is one scenario's fresh database: the product served over HTTP on
// it, and the driver's handle on the same database for the baseline.
type space struct {
	c     *client
	db    *mongo.Database
	st    *store.Store
	close func()
	app   *server.App
	folds *foldLog
}

// durable makes a baseline write durable with a fsync of its own: what
// every commit cost on the embedded store under SQLite's synchronous=FULL,
// before the product made its acknowledgements durable in groups
// (store.Sync). Every baseline write is followed by one, so that the
// baseline is a durable write as the product's are. On MongoDB it does
// nothing.
func (sp *space) durable(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	return sp.st.SyncAlone(ctx)
}

// open creates a fresh database and serves the product on it. The baseline
// collections are created first, so that the store's own set-up (which, on
// the embedded store, indexes the _id lookups of every existing table) gives
// them the same fast _id lookups the product's collections get.
func (e *env) open(ctx context.Context, name string) (*space, error) {
	e.n++
	st := e.st.WithDatabase(fmt.Sprintf("%s_%d_%s", e.prefix, e.n, name))
	db := st.Raw()
	for _, c := range []string{baseIdentities, baseProfiles, baseEvents, baseMerges} {
		if err := db.CreateCollection(ctx, c); err != nil {
			return nil, fmt.Errorf("create %s: %w", c, err)
		}
	}
	// The product indexes only _id on the embedded store, which uses no
	// other index; the baseline does the same.
	if !e.st.Private() {
		ix := mongo.IndexModel{Keys: bson.D{{Key: "profileId", Value: 1}, {Key: "timestamp", Value: -1}}}
		if _, err := db.Collection(baseEvents).Indexes().CreateOne(ctx, ix); err != nil {
			return nil, fmt.Errorf("index %s: %w", baseEvents, err)
		}
	}
	folds := &foldLog{}
	c, app, stop, err := e.serve(ctx, st, folds.add)
	if err != nil {
		drop(st)
		return nil, err
	}
	return &space{c: c, db: db, st: st, app: app, folds: folds, close: func() { stop(); drop(st) }}, nil
}

// serve starts the product on st on a loopback port and returns a client.
func (e *env) serve(ctx context.Context, st *store.Store, onFolded func(int, time.Duration)) (*client, *server.App, func(), error) {
	// The benchmark measures the product, not its rate limits.
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"CDP_RATE_LIMIT": "0", "CDP_WORKSPACE_RATE_LIMIT": "0"}[k]
	})
	if err != nil {
		return nil, nil, nil, err
	}
	v, err := auth.NewVerifier(ctx, auth.Options{Secret: e.secret})
	if err != nil {
		return nil, nil, nil, err
	}
	app, err := server.New(ctx, server.Deps{Config: cfg, Logger: e.log, Store: st, Verifier: v, OnFolded: onFolded})
	if err != nil {
		return nil, nil, nil, err
	}
	tok, err := auth.Mint(e.secret, auth.MintOptions{Workspace: "bench", Scopes: auth.AllScopes(), Subject: "bench", TTL: 24 * time.Hour})
	if err != nil {
		return nil, nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, nil, err
	}
	srv := &http.Server{Handler: app.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop := func() { _ = srv.Close(); app.Close() }
	return newClient("http://"+ln.Addr().String()+"/graphql", tok), app, stop, nil
}

// storeName describes the store for the report, without its URI (which may
// hold credentials).
func (e *env) storeName(ctx context.Context) string {
	if e.o.MongoURI == "" {
		return "embedded FerretDB " + moduleVersion("github.com/FerretDB/FerretDB") + " (SQLite)"
	}
	var info struct {
		Version  string `bson:"version"`
		FerretDB string `bson:"ferretdbVersion"`
	}
	_ = e.st.Raw().Client().Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info)
	if info.FerretDB != "" {
		return "FerretDB " + info.FerretDB + " at MONGODB_URI"
	}
	return "MongoDB " + info.Version + " at MONGODB_URI"
}

// moduleVersion is the version of a module built into the binary.
func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == path {
				return m.Version
			}
		}
	}
	return "(version unknown)"
}

// insertAll inserts docs in unordered batches of 1,000 (baseline seeding).
func insertAll(ctx context.Context, c *mongo.Collection, docs []any) error {
	for len(docs) > 0 {
		n := min(len(docs), 1000)
		if _, err := c.InsertMany(ctx, docs[:n], options.InsertMany().SetOrdered(false)); err != nil {
			return fmt.Errorf("seed %s: %w", c.Name(), err)
		}
		docs = docs[n:]
	}
	return nil
}
