package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/cdp-dev/cdp/internal/bench"
	"github.com/cdp-dev/cdp/internal/config"
)

// commands are the subcommands in the order help shows them.
var commands = []struct{ name, synopsis, summary string }{
	{"serve", "cdp [serve]", "run the GraphQL API (the default command); configured by environment variables"},
	{"token", "cdp token --workspace WS [--scope \"S ...\"] [flags]", "print a signed HS256 token, e.g. for curl"},
	{"import", "cdp import events|profiles FILE [flags]", "upload an NDJSON file (gzipped or not) to a running server's bulk import and follow the job"},
	{"seed-demo", "cdp seed-demo [flags]", "load a realistic demo workspace (customers, events, segments) into a running server"},
	{"bench", "cdp bench [flags]", "measure the product against the store's own speed and report the ratios"},
	{"soak", "cdp soak [flags]", "hold websocket subscribers and steady ingest on loopback, then check goroutines and heap return to baseline"},
	{"help", "cdp help [command]", "print this help, or a command's (same as cdp <command> -h)"},
}

func isCommand(name string) bool {
	for _, c := range commands {
		if c.name == name {
			return true
		}
	}
	return false
}

// topUsage is `cdp -h`: every command with its flags.
func topUsage() string {
	var b strings.Builder
	b.WriteString("cdp is a headless Customer Data Platform: one profile per customer across channels, over GraphQL.\n\nusage:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %s\n      %s\n", c.synopsis, c.summary)
	}
	b.WriteString("\nserve has no flags: cdp serve -h lists the environment variables it reads.\n")
	for _, name := range []string{"token", "import", "seed-demo", "soak"} {
		fmt.Fprintf(&b, "\n%s flags:\n", name)
		fs := commandFlags(name)
		fs.SetOutput(&b)
		fs.PrintDefaults()
	}
	b.WriteString("\nbench flags:\n")
	b.WriteString(benchFlags())
	b.WriteString("\nExit status: 0 on success, 1 when the command fails, 2 when the command line is wrong.\n")
	return b.String()
}

// commandUsage is `cdp <command> -h`.
func commandUsage(name string) string {
	var b strings.Builder
	switch name {
	case "serve":
		b.WriteString("usage: cdp [serve]\n\nRuns the GraphQL API on CDP_ADDR until SIGINT or SIGTERM; prints its URL and, in\n" +
			"development, a token with every scope. It takes no flags or arguments. Environment variables:\n\n")
		config.Describe(&b)
	case "token":
		b.WriteString(tokenUsage)
	case "import":
		b.WriteString(importUsage)
	case "seed-demo":
		b.WriteString(seedDemoUsage)
	case "soak":
		b.WriteString(soakUsage)
	case "bench":
		return benchUsage()
	default:
		return topUsage()
	}
	b.WriteString("\nflags:\n")
	fs := commandFlags(name)
	fs.SetOutput(&b)
	fs.PrintDefaults()
	return b.String()
}

// commandFlags returns the flag set of token, import, seed-demo or soak,
// for its usage.
func commandFlags(name string) *flag.FlagSet {
	var fs *flag.FlagSet
	switch name {
	case "token":
		fs, _ = tokenFlags()
	case "seed-demo":
		fs, _ = seedDemoFlags()
	case "soak":
		fs, _ = soakFlags()
	default:
		fs, _ = importFlags()
	}
	return fs
}

// benchUsage is bench's own help, which the bench package writes.
func benchUsage() string {
	var b bytes.Buffer
	_ = bench.Command(context.Background(), []string{"-h"}, &b, io.Discard, func(string) string { return "" })
	return b.String()
}

// benchFlags is the flags part of bench's help.
func benchFlags() string {
	u := benchUsage()
	if _, flags, ok := strings.Cut(u, "flags:\n"); ok {
		return flags
	}
	return u
}

// benchUsageMarks are phrases of the errors bench.Command returns for a
// wrong command line (before it runs anything). The bench package does not
// classify its errors, so they are recognized by these; a test pins them.
var benchUsageMarks = []string{"lists the flags", "unexpected argument", "in --skip", "must be at least", "may be at most"}

// isBenchUsage reports whether a bench error is a wrong command line.
func isBenchUsage(err error) bool {
	for _, m := range benchUsageMarks {
		if strings.Contains(err.Error(), m) {
			return true
		}
	}
	return false
}
