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
	a, done, err := parseImportArgs(args, stdout, getenv)
	if done {
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

const importUsage = `usage: cdp import events|profiles FILE [--url URL] [--token TOKEN] [--workspace WS]

Uploads a newline-delimited JSON file (gzipped on the way, or sent as is when
it is a .gz) to a running server's POST /import/events or /import/profiles,
then follows the job with a progress bar on stderr (when it is a terminal),
prints the final counters and the first rejected rows, and fails when the job
fails. Flags may come before or after the arguments.
`

// importFlagValues are the import command's flags.
type importFlagValues struct{ url, token, workspace string }

func importFlags() (*flag.FlagSet, *importFlagValues) {
	v := &importFlagValues{}
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.StringVar(&v.url, "url", "", "the server (default $CDP_URL, else http://127.0.0.1:8080)")
	fs.StringVar(&v.token, "token", "", "a token with events:write or profiles:write (default $CDP_TOKEN, "+
		"else one minted with the local development secret, as cdp token does)")
	fs.StringVar(&v.workspace, "workspace", "dev", "the workspace of a minted token")
	return fs, v
}

// parseImportArgs reads `events|profiles FILE` and the flags, which may
// come before or after them. done reports that help was printed.
func parseImportArgs(args []string, stdout io.Writer, getenv func(string) string) (a importArgs, done bool, err error) {
	fs, v := importFlags()
	var pos []string
	for rest := args; ; rest = fs.Args()[1:] {
		if done, err := parseFlags("import", fs, rest, stdout); done {
			return a, true, err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
	}
	switch {
	case len(pos) == 0:
		return a, true, usageErr("import", errors.New("import needs a kind (events or profiles) and a FILE"))
	case pos[0] != "events" && pos[0] != "profiles":
		return a, true, usageErr("import", fmt.Errorf("unknown import kind %q (want events or profiles)", pos[0]))
	case len(pos) != 2:
		return a, true, usageErr("import", fmt.Errorf("import %s needs exactly one FILE, got %d arguments", pos[0], len(pos)-1))
	}
	url := or(v.url, or(getenv("CDP_URL"), "http://127.0.0.1:8080"))
	a = importArgs{kind: pos[0], file: pos[1], url: strings.TrimSuffix(strings.TrimSuffix(url, "/"), "/graphql"),
		token: or(v.token, getenv("CDP_TOKEN"))}
	if a.token == "" {
		if a.token, err = devToken(getenv, v.workspace, auth.ScopeEventsWrite, auth.ScopeProfilesWrite); err != nil {
			return a, true, fmt.Errorf("no --token or CDP_TOKEN, and none could be minted: %w", err)
		}
	}
	return a, false, nil
}

// devToken mints a token of the workspace with the scopes, signed with the
// secret `cdp token` uses, for the commands that call a running server.
func devToken(getenv func(string) string, ws string, scopes ...auth.Scope) (string, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return "", err
	}
	secret, err := mintingSecret(cfg)
	if err != nil {
		return "", err
	}
	return auth.Mint(secret, auth.MintOptions{Workspace: ws, Subject: "cli", TTL: 24 * time.Hour, Issuer: cfg.JWTIssuer,
		Scopes: scopes})
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
