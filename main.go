// Command cdp is a headless Customer Data Platform: one profile per real
// customer across every channel, served as a GraphQL API over MongoDB.
//
// Usage:
//
//	cdp [serve]      start the API (the default)
//	cdp token ...    print a signed token (cdp token -h)
//	cdp bench ...    measure throughput and latency (cdp bench -h)
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "cdp:", err)
		os.Exit(1)
	}
}

// run dispatches the subcommand.
func run(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stdout, getenv)
	case "token":
		return token(args, stdout, getenv)
	case "bench":
		return benchCmd(ctx, args, stdout, getenv)
	case "help":
		_, err := fmt.Fprintln(stdout, "usage: cdp [serve | token | bench | help]")
		return err
	default:
		return fmt.Errorf("unknown command %q (want serve, token, bench or help)", cmd)
	}
}

// newLogger logs text to a terminal and JSON otherwise.
func newLogger(w *os.File, format string, level slog.Level) *slog.Logger {
	if format == "auto" {
		format = "json"
		if fi, err := w.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			format = "text"
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
