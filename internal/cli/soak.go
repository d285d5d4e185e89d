package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/cdp-dev/cdp/internal/soak"
)

const soakUsage = `usage: cdp soak [--duration D] [--subscribers N] [--rate N]

Starts the server on loopback over a fresh embedded store in a temporary
directory, warms it up, then holds N profileUpdated websocket subscribers
(graphql-transport-ws) while events flow at a steady rate for the duration.
It then closes the subscribers and reports whether the process's goroutines
and heap came back to their baseline (exit 1 when they did not). Nothing
leaves the machine; the directory is removed afterwards.
`

func soakFlags() (*flag.FlagSet, *soak.Options) {
	o := soak.DefaultOptions()
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.DurationVar(&o.Duration, "duration", o.Duration, "how long subscribers are held and events sent")
	fs.IntVar(&o.Subscribers, "subscribers", o.Subscribers, "websocket subscribers to profileUpdated")
	fs.IntVar(&o.Rate, "rate", o.Rate, "events per second, sent in batches of 10")
	return fs, &o
}

// soakCmd is `cdp soak`.
func soakCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs, o := soakFlags()
	if done, err := parseFlags("soak", fs, args, stdout); done {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("soak", fmt.Errorf("soak takes no arguments, not %q", fs.Args()))
	case o.Duration <= 0 || o.Subscribers < 1 || o.Rate < 1:
		return usageErr("soak", fmt.Errorf("--duration, --subscribers and --rate must be positive"))
	}
	return soak.Run(ctx, *o, stdout)
}
