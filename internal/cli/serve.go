package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/config"
	"github.com/cdp-dev/cdp/internal/server"
	"github.com/cdp-dev/cdp/internal/store"
)

// serve starts the API and blocks until ctx ends.
func serve(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if done, err := parseFlags("serve", fs, args, stdout); done {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("serve", fmt.Errorf("serve takes no arguments, not %q: it is configured by environment variables", fs.Args()))
	}
	cfg, err := config.Load(getenv)
	if err == nil {
		err = cfg.CheckDirs()
	}
	if err != nil {
		return fmt.Errorf("configuration (cdp serve -h lists every variable):\n%w", err)
	}
	log := newLogger(os.Stderr, cfg.LogFormat, cfg.LogLevel)
	defer routeDependencyLogs(log)()
	log.Info("starting", "config", cfg)
	for _, name := range config.Unknown(os.Environ()) {
		log.Warn("unknown setting ignored; cdp serve -h lists the variables", "variable", name)
	}
	secret, err := signingSecret(cfg)
	if err != nil {
		return err
	}
	verifier, err := auth.NewVerifier(ctx, auth.Options{Secret: secret, JWKSURL: cfg.JWKSURL, Issuer: cfg.JWTIssuer})
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, store.Options{URI: cfg.MongoURI, DataDir: cfg.DataDir, Database: cfg.Database, Logger: log,
		SelectTimeout: cfg.StoreTimeout})
	if err != nil {
		return storeFailed(cfg, err)
	}
	defer func() {
		if err := st.Close(context.Background()); err != nil {
			log.Warn("close store", "err", err)
		}
	}()
	app, err := server.New(ctx, server.Deps{Config: cfg, Logger: log, Store: st, Verifier: verifier})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("CDP_ADDR=%s: %w", cfg.Addr, err)
	}
	fmt.Fprintf(stdout, "cdp is serving GraphQL on http://%s/graphql\n", ln.Addr())
	if secret != nil && !cfg.Production() {
		tok, err := serveToken(secret, cfg.JWTIssuer)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "development token (workspace dev, scopes %s, 24h):\n%s\n", joinScopes(devScopes()), tok)
	}
	err = app.Serve(ctx, ln, cfg.ShutdownGrace)
	log.Info("stopped")
	return err
}

// storeFailed names the setting behind a store that could not be opened.
func storeFailed(cfg config.Config, err error) error {
	if cfg.MongoURI != "" {
		return fmt.Errorf("MONGODB_URI: %w", err)
	}
	return fmt.Errorf("embedded store in CDP_DATA_DIR=%s: %w", cfg.DataDir, err)
}

// signingSecret is the HS256 secret: CDP_JWT_SECRET, or in development the
// one generated once and kept in the data directory. With JWKS there is none.
func signingSecret(cfg config.Config) ([]byte, error) {
	switch {
	case cfg.JWKSURL != "":
		return nil, nil
	case cfg.JWTSecret != "":
		return []byte(cfg.JWTSecret), nil
	case cfg.Production():
		return nil, errors.New("production needs CDP_JWT_SECRET or CDP_JWKS_URL")
	default:
		return auth.DevSecret(cfg.DataDir)
	}
}

// devScopes are the development token's scopes, as README.md and
// docs/security.md list them: every service scope, not me.
func devScopes() []auth.Scope { return auth.AllScopes() }

// serveToken mints the development token `cdp serve` prints: workspace and
// subject dev, valid 24 hours.
func serveToken(secret []byte, issuer string) (string, error) {
	return auth.Mint(secret, auth.MintOptions{Workspace: "dev", Scopes: devScopes(), Subject: "dev", TTL: 24 * time.Hour, Issuer: issuer})
}
