package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/config"
)

// token prints a signed HS256 token.
func token(args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stdout)
	ws := fs.String("workspace", "", "workspace id (required)")
	scope := fs.String("scope", "", `space-separated scopes, e.g. "profiles:read profiles:write events:write"`)
	ttl := fs.Duration("ttl", 24*time.Hour, "lifetime of the token")
	subject := fs.String("subject", "", "the token's subject (who acts); defaults to cli")
	ident := fs.String("identity", "", "end-user identifier type:value, e.g. line_uid:U123 (for scope me)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	secret, err := mintingSecret(cfg)
	if err != nil {
		return err
	}
	o := auth.MintOptions{Workspace: *ws, Scopes: auth.ParseScopes(*scope), Subject: *subject, TTL: *ttl, Issuer: cfg.JWTIssuer}
	if o.Subject == "" {
		o.Subject = "cli"
	}
	if *ident != "" {
		if o.Identity, err = auth.ParseIdentityRef(*ident); err != nil {
			return err
		}
	}
	if !auth.ValidWorkspace(o.Workspace) {
		return errors.New("--workspace must match [A-Za-z0-9][A-Za-z0-9_-]{0,63}")
	}
	tok, err := auth.Mint(secret, o)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
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
