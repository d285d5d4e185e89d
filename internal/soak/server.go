package soak

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/config"
	srvpkg "github.com/cdp-dev/cdp/internal/server"
	"github.com/cdp-dev/cdp/internal/store"
)

// server is the product served on loopback over a fresh embedded store.
type server struct {
	url, token string
	client     *http.Client
	stop       func()
}

// start opens an embedded store in a temporary directory and serves the
// product on a loopback port.
func start(ctx context.Context) (*server, error) {
	dir, err := os.MkdirTemp("", "cdp-soak-")
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, store.Options{DataDir: dir, Database: "soak", Logger: log})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	closeStore := func() { _ = st.Close(context.Background()); os.RemoveAll(dir) }
	secret := []byte("soak-secret-soak-secret-soak-secret!")
	app, err := newApp(ctx, st, secret, log)
	if err != nil {
		closeStore()
		return nil, err
	}
	tok, err := auth.Mint(secret, auth.MintOptions{Workspace: "soak", Subject: "soak", TTL: time.Hour,
		Scopes: []auth.Scope{auth.ScopeProfilesRead, auth.ScopeEventsWrite}})
	if err != nil {
		app.Close()
		closeStore()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		app.Close()
		closeStore()
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { defer close(done); _ = app.Serve(sctx, ln, 5*time.Second) }()
	return &server{url: "http://" + ln.Addr().String() + "/graphql", token: tok, client: &http.Client{Transport: &http.Transport{}},
		stop: func() { cancel(); <-done; closeStore() }}, nil
}

func newApp(ctx context.Context, st *store.Store, secret []byte, log *slog.Logger) (*srvpkg.App, error) {
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		return nil, err
	}
	v, err := auth.NewVerifier(ctx, auth.Options{Secret: secret})
	if err != nil {
		return nil, err
	}
	return srvpkg.New(ctx, srvpkg.Deps{Config: cfg, Logger: log, Store: st, Verifier: v})
}
