package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/demo"
)

const seedDemoUsage = `usage: cdp seed-demo [--url URL] [--token TOKEN] [--workspace WS] [--customers N] [--seed N]

Loads a realistic synthetic workspace into a running server through its
GraphQL API: customers seen on LINE, WhatsApp, Messenger, the web shop, the
app and in stores, with overlapping identifiers that identity resolution
merges, and two years of browsing, carts and orders (THB) up to now. Then it
asks for an RFM recomputation and creates a few segments (skipped, with a
warning, on a server without them). The same --seed gives the same data, and
running it again stores nothing twice. With the server started by go run .
in the same directory, go run . seed-demo needs no flags.
`

// seedDemoOptions are the seed-demo command's flags.
type seedDemoOptions struct {
	url, token, workspace string
	customers             int
	seed                  uint64
}

func seedDemoFlags() (*flag.FlagSet, *seedDemoOptions) {
	o := &seedDemoOptions{}
	fs := flag.NewFlagSet("seed-demo", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "", "the server (default $CDP_URL, else http://127.0.0.1:8080)")
	fs.StringVar(&o.token, "token", "", "a token with every service scope (default $CDP_TOKEN, "+
		"else one minted with the local development secret, as cdp token does)")
	fs.StringVar(&o.workspace, "workspace", "dev", "the workspace of a minted token")
	fs.IntVar(&o.customers, "customers", 3000, "how many customers to generate (1 to 1000000)")
	fs.Uint64Var(&o.seed, "seed", 1, "the seed of the data: the same seed gives the same customers and events")
	return fs, o
}

// seedDemo is `cdp seed-demo`.
func seedDemo(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs, f := seedDemoFlags()
	if done, err := parseFlags("seed-demo", fs, args, stdout); done {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("seed-demo", fmt.Errorf("seed-demo takes no arguments, not %q", fs.Args()))
	case f.customers < 1 || f.customers > 1_000_000:
		return usageErr("seed-demo", fmt.Errorf("--customers must be 1 to 1000000, not %d", f.customers))
	}
	base := strings.TrimSuffix(strings.TrimSuffix(or(f.url, or(getenv("CDP_URL"), "http://127.0.0.1:8080")), "/"), "/graphql")
	tok := or(f.token, getenv("CDP_TOKEN"))
	if tok == "" {
		var err error
		if tok, err = devToken(getenv, f.workspace, auth.AllScopes()...); err != nil {
			return fmt.Errorf("no --token or CDP_TOKEN, and none could be minted: %w", err)
		}
	}
	o := demo.Options{URL: base + "/graphql", Token: tok, Seed: f.seed, Customers: f.customers, Log: stderr}
	rep, err := demo.Seed(ctx, o)
	if err != nil {
		return err
	}
	rep.Print(stdout, o.URL)
	return nil
}
