// Package cli is the cdp command: its subcommands (serve, token, bench,
// import) and the logger they share. main.go is a shim over Main.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// Main runs the command with the process's arguments and environment and
// returns its exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "cdp:", err)
		return 1
	}
	return 0
}

// Run dispatches the subcommand named by args[0] (serve when there is none).
func Run(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
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
	case "import":
		return importCmd(ctx, args, stdout, os.Stderr, getenv)
	case "help":
		_, err := fmt.Fprintln(stdout, "usage: cdp [serve | token | bench | import events|profiles FILE | help]")
		return err
	default:
		return fmt.Errorf("unknown command %q (want serve, token, bench, import or help)", cmd)
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
