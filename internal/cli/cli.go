// Package cli is the cdp command: its subcommands (serve, token, bench,
// import, seed-demo, soak), their usage, and the logger they share. main.go
// is a shim over Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes of the command.
const (
	exitOK     = 0
	exitFailed = 1 // the command ran and failed
	exitUsage  = 2 // the command line was wrong: usage was printed
)

// Main runs the command with the process's arguments and environment and
// returns its exit code: 0 on success (help included), 2 when the command
// line is wrong (after printing usage), 1 when the command fails.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return exit(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
}

// exit runs the command and turns its outcome into an exit code, writing
// the error to stderr, and after a usage error the usage too.
func exit(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	err := Run(ctx, args, stdout, getenv)
	var ue *UsageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "cdp: %v\n\n%s", ue.Err, ue.Usage)
		return exitUsage
	default:
		fmt.Fprintln(stderr, "cdp:", err)
		return exitFailed
	}
}

// UsageError is a wrong command line: an unknown command or flag, a bad
// flag value, a missing argument. Usage is the help to show with it.
type UsageError struct {
	Err   error
	Usage string
}

// Error returns the message of the underlying error.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.Err }

// usageErr returns a UsageError of a command with its usage.
func usageErr(cmd string, err error) error {
	return &UsageError{Err: err, Usage: commandUsage(cmd)}
}

// Run dispatches the subcommand named by args[0] (serve when there is none,
// or when args start with a flag). Help goes to stdout and returns nil; a
// wrong command line returns a *UsageError.
func Run(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) > 0 && isHelpFlag(args[0]) {
		_, err := io.WriteString(stdout, topUsage())
		return err
	}
	cmd, explicit := "serve", false
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args, explicit = args[0], args[1:], true
	}
	err := dispatch(ctx, cmd, args, stdout, getenv)
	var ue *UsageError
	if !explicit && errors.As(err, &ue) {
		ue.Usage = topUsage() // `cdp -x`: the user did not name serve
	}
	return err
}

func dispatch(ctx context.Context, cmd string, args []string, stdout io.Writer, getenv func(string) string) error {
	switch cmd {
	case "serve":
		return serve(ctx, args, stdout, getenv)
	case "token":
		return token(args, stdout, getenv)
	case "bench":
		return benchCmd(ctx, args, stdout, getenv)
	case "import":
		return importCmd(ctx, args, stdout, os.Stderr, getenv)
	case "seed-demo":
		return seedDemo(ctx, args, stdout, os.Stderr, getenv)
	case "soak":
		return soakCmd(ctx, args, stdout)
	case "help":
		return help(args, stdout)
	default:
		return &UsageError{Err: fmt.Errorf("unknown command %q", cmd), Usage: topUsage()}
	}
}

// help prints the usage of the whole command, or of the named command.
func help(args []string, stdout io.Writer) error {
	switch {
	case len(args) == 0:
		_, err := io.WriteString(stdout, topUsage())
		return err
	case len(args) > 1 || !isCommand(args[0]):
		return &UsageError{Err: fmt.Errorf("help takes one command name, not %q", args), Usage: topUsage()}
	}
	_, err := io.WriteString(stdout, commandUsage(args[0]))
	return err
}

func isHelpFlag(a string) bool { return a == "-h" || a == "-help" || a == "--help" || a == "--h" }

// parseFlags parses a command's flags: -h prints its usage to stdout and
// reports done; a wrong flag is a UsageError. The flag package's own
// printing is silenced so that the message is printed once, by Main.
func parseFlags(cmd string, fs *flag.FlagSet, args []string, stdout io.Writer) (done bool, err error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		_, werr := io.WriteString(stdout, commandUsage(cmd))
		return true, werr
	case err != nil:
		return true, usageErr(cmd, err)
	}
	return false, nil
}

// newLogger logs text to a terminal and JSON otherwise.
func newLogger(w *os.File, format string, level slog.Level) *slog.Logger {
	if format == "auto" {
		format = "json"
		if isTerminal(w) {
			format = "text"
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// routeDependencyLogs sends what dependencies log on their own through
// the app's handler, so every line has its format: slog.Default (the JWKS
// refresher's failures) logs as the app, and the standard log package
// (gqlgen's transports, which print a failed websocket upgrade or a bad
// SSE body, body included) at DEBUG only. The returned func restores both.
func routeDependencyLogs(l *slog.Logger) (restore func()) {
	prev, w, flags := slog.Default(), log.Writer(), log.Flags()
	slog.SetDefault(l)
	log.SetOutput(slog.NewLogLogger(l.Handler(), slog.LevelDebug).Writer())
	log.SetFlags(0)
	return func() {
		slog.SetDefault(prev)
		log.SetOutput(w)
		log.SetFlags(flags)
	}
}
