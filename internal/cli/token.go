package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/config"
)

const tokenUsage = `usage: cdp token --workspace WS [--scope "S ..."] [--ttl D] [--subject SUB] [--identity TYPE:VALUE]

Prints a token signed with CDP_JWT_SECRET, or in development with the secret
the server generated in CDP_DATA_DIR (run the server once first). Scopes:
profiles:read profiles:write profiles:delete events:write segments:write
journeys:write content:write admin, and me for an end-user token (with
--identity). With CDP_JWKS_URL set, tokens come from your identity provider.
`

// tokenOptions are the token command's flags.
type tokenOptions struct {
	workspace, scope, subject, identity string
	ttl                                 time.Duration
}

func tokenFlags() (*flag.FlagSet, *tokenOptions) {
	o := &tokenOptions{}
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.StringVar(&o.workspace, "workspace", "", "workspace id (required), matching [A-Za-z0-9][A-Za-z0-9_-]{0,63}")
	fs.StringVar(&o.scope, "scope", "", `space-separated scopes, e.g. "profiles:read profiles:write events:write"`)
	fs.DurationVar(&o.ttl, "ttl", 24*time.Hour, "lifetime of the token: at most 8760h (365 days), 24h with scope me")
	fs.StringVar(&o.subject, "subject", "cli", "the token's subject (who acts, as merge records show it)")
	fs.StringVar(&o.identity, "identity", "", "end-user identifier type:value, e.g. line_uid:U123 (for scope me)")
	return fs, o
}

// token prints a signed HS256 token.
func token(args []string, stdout io.Writer, getenv func(string) string) error {
	fs, f := tokenFlags()
	if done, err := parseFlags("token", fs, args, stdout); done {
		return err
	}
	o, err := f.mintOptions()
	if err != nil {
		return usageErr("token", err)
	}
	if fs.NArg() > 0 {
		return usageErr("token", fmt.Errorf("token takes no arguments, not %q", fs.Args()))
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	secret, err := mintingSecret(cfg)
	if err != nil {
		return err
	}
	o.Issuer = cfg.JWTIssuer
	tok, err := auth.Mint(secret, o)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}

// mintOptions checks the flags and converts them.
func (f *tokenOptions) mintOptions() (auth.MintOptions, error) {
	o := auth.MintOptions{Workspace: f.workspace, Scopes: auth.ParseScopes(f.scope), Subject: f.subject, TTL: f.ttl}
	if !auth.ValidWorkspace(o.Workspace) {
		return o, errors.New("--workspace is required and must match [A-Za-z0-9][A-Za-z0-9_-]{0,63}")
	}
	known := auth.KnownScopes()
	for _, s := range o.Scopes {
		if !slices.Contains(known, s) {
			return o, fmt.Errorf("--scope: unknown scope %q (known: %s)", s, joinScopes(known))
		}
	}
	if f.ttl <= 0 {
		return o, errors.New("--ttl must be positive")
	}
	if f.identity != "" {
		id, err := auth.ParseIdentityRef(f.identity)
		if err != nil {
			return o, fmt.Errorf("--identity: %w", err)
		}
		o.Identity = id
	}
	return o, nil
}

func joinScopes(s []auth.Scope) string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return strings.Join(out, " ")
}

// mintingSecret is the secret the CLI signs tokens with: CDP_JWT_SECRET,
// or in development the server's generated one.
func mintingSecret(cfg config.Config) ([]byte, error) {
	switch {
	case cfg.JWKSURL != "":
		return nil, errors.New("tokens come from your identity provider when CDP_JWKS_URL is set")
	case cfg.JWTSecret != "":
		return []byte(cfg.JWTSecret), nil
	case cfg.Production():
		return nil, errors.New("production needs CDP_JWT_SECRET to sign tokens")
	}
	// The server's own secret: a token signed with a new one would be refused.
	return auth.ExistingDevSecret(cfg.DataDir)
}
