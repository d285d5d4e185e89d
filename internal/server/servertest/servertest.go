// Package servertest runs the real cdp server over HTTP against the embedded
// store for integration tests: one embedded store per test binary, one fresh
// database per test.
package servertest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/config"
	"github.com/cdp-dev/cdp/internal/server"
	"github.com/cdp-dev/cdp/internal/store"
)

// Secret signs the tokens of test servers.
var Secret = []byte("test-secret-test-secret-test-secret!")

var (
	shared    *store.Store
	sharedDir string
	dbSeq     atomic.Int64
	openOnce  sync.Once
	openErr   error
)

// Main runs a package's tests and stops the shared embedded store after them.
// Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		_ = shared.Close(context.Background())
		_ = os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}

// Store returns the test binary's shared store on a fresh database that is
// dropped when the test ends.
func Store(t testing.TB) *store.Store {
	t.Helper()
	openOnce.Do(func() {
		sharedDir, openErr = os.MkdirTemp("", "cdp-test-")
		if openErr == nil {
			shared, openErr = store.Open(context.Background(), store.Options{DataDir: sharedDir, Database: "unused", Logger: Quiet()})
		}
	})
	if openErr != nil {
		t.Fatalf("open embedded store: %v", openErr)
	}
	st := shared.WithDatabase(DBName(t))
	t.Cleanup(func() { _ = st.Drop(context.Background()) })
	return st
}

var unsafe = regexp.MustCompile(`[^a-zA-Z0-9]+`)

// DBName returns a database name unique to the test.
func DBName(t testing.TB) string {
	name := strings.ToLower(unsafe.ReplaceAllString(t.Name(), "_"))
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	return fmt.Sprintf("t%d_%s", dbSeq.Add(1), name)
}

// Quiet is a logger that drops everything below ERROR.
func Quiet() *slog.Logger {
	if os.Getenv("CDP_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// Server is a running cdp server.
type Server struct {
	URL   string
	App   *server.App
	Store *store.Store
}

// Options tune a test server.
type Options struct {
	Store *store.Store     // defaults to a fresh database
	Now   func() time.Time // defaults to time.Now
	// Fault stops merges, unmerges and erasures after a step, as a crash would.
	Fault func(step string) error
	// ImportDir is the import spool directory; defaults to a fresh one.
	ImportDir string
	// ImportMaxBytes caps import uploads; defaults to the product's default.
	ImportMaxBytes int64
	// Config, when set, changes the settings before the server starts.
	Config func(*config.Config)
	// Shared runs the server as a replica that shares its store.
	Shared bool
	// Logger receives the server's logs; defaults to Quiet.
	Logger *slog.Logger
}

// Start runs a server on a fresh database until the test ends.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith runs a server with options until the test ends.
func StartWith(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Store == nil {
		o.Store = Store(t)
	}
	if o.ImportDir == "" {
		o.ImportDir = t.TempDir()
	}
	// Rate limits are off unless a test turns them on through Config.
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"CDP_IMPORT_DIR": o.ImportDir, "CDP_RATE_LIMIT": "0", "CDP_WORKSPACE_RATE_LIMIT": "0"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.ImportMaxBytes > 0 {
		cfg.ImportMaxBytes = o.ImportMaxBytes
	}
	if o.Config != nil {
		o.Config(&cfg)
	}
	v, err := auth.NewVerifier(context.Background(), auth.Options{Secret: Secret})
	if err != nil {
		t.Fatal(err)
	}
	if o.Logger == nil {
		o.Logger = Quiet()
	}
	app, err := server.New(context.Background(), server.Deps{Config: cfg, Logger: o.Logger, Store: o.Store, Verifier: v, Now: o.Now, Fault: o.Fault, Shared: o.Shared})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(app.Handler())
	t.Cleanup(func() { app.CloseStreams(); hs.Close(); app.Close() })
	return &Server{URL: hs.URL + "/graphql", App: app, Store: o.Store}
}

// Token mints a service token for the workspace with the given scopes
// (all service scopes when none are given).
func Token(t testing.TB, ws string, scopes ...auth.Scope) string {
	t.Helper()
	if len(scopes) == 0 {
		scopes = auth.AllScopes()
	}
	tok, err := auth.Mint(Secret, auth.MintOptions{Workspace: ws, Scopes: scopes, Subject: "test", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// UserToken mints an end-user token (scope me) for an identifier.
func UserToken(t testing.TB, ws, typ, value string) string {
	t.Helper()
	tok, err := auth.Mint(Secret, auth.MintOptions{Workspace: ws, Scopes: []auth.Scope{auth.ScopeMe}, Subject: "user",
		TTL: time.Hour, Identity: &auth.IdentityRef{Type: typ, Value: value}})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
