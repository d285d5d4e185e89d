package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/config"
)

// importArgs are the import command's settings.
type importArgs struct {
	kind, file, url, token string
}

// importCmd uploads a newline-delimited JSON file to a running server's
// bulk import, then follows the job until it ends.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	a, err := parseImportArgs(args, stdout, getenv)
	if err != nil {
		return err
	}
	p := newProgress(stderr)
	id, err := upload(ctx, a, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "import job %s\n", id)
	job, err := watch(ctx, a, id, p)
	if err != nil {
		return err
	}
	report(stdout, job)
	if job.Status != "DONE" {
		return fmt.Errorf("import %s failed: %s", id, job.Error)
	}
	return nil
}

const importUsage = "usage: cdp import events|profiles FILE [--url URL] [--token TOKEN] [--workspace WS]"

// parseImportArgs reads `events|profiles FILE` and the flags, which may
// come before or after them.
func parseImportArgs(args []string, stdout io.Writer, getenv func(string) string) (importArgs, error) {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() { fmt.Fprintln(stdout, importUsage); fs.PrintDefaults() }
	url := fs.String("url", or(getenv("CDP_URL"), "http://127.0.0.1:8080"), "the server (env CDP_URL)")
	tok := fs.String("token", getenv("CDP_TOKEN"), "a token with events:write or profiles:write (env CDP_TOKEN); "+
		"by default one is minted with the local development secret")
	ws := fs.String("workspace", "dev", "the workspace of a minted token")
	var pos []string
	for rest := args; ; rest = fs.Args()[1:] {
		if err := fs.Parse(rest); err != nil {
			return importArgs{}, err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
	}
	if len(pos) != 2 || (pos[0] != "events" && pos[0] != "profiles") {
		return importArgs{}, errors.New(importUsage)
	}
	a := importArgs{kind: pos[0], file: pos[1], url: strings.TrimSuffix(strings.TrimSuffix(*url, "/"), "/graphql"), token: *tok}
	if a.token == "" {
		var err error
		if a.token, err = devToken(getenv, *ws); err != nil {
			return a, fmt.Errorf("no --token or CDP_TOKEN, and none could be minted: %w", err)
		}
	}
	return a, nil
}

// devToken mints a token for importing with the secret `cdp token` uses.
func devToken(getenv func(string) string, ws string) (string, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return "", err
	}
	secret, err := mintingSecret(cfg)
	if err != nil {
		return "", err
	}
	return auth.Mint(secret, auth.MintOptions{Workspace: ws, Subject: "cli", TTL: 24 * time.Hour, Issuer: cfg.JWTIssuer,
		Scopes: []auth.Scope{auth.ScopeEventsWrite, auth.ScopeProfilesWrite}})
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// isTerminal reports whether w is a terminal, where progress is drawn.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
