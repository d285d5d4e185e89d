package cli

import (
	"context"
	"io"
	"os"

	"github.com/cdp-dev/cdp/internal/bench"
)

// benchCmd is `cdp bench`; see bench.Command, which prints its own help.
// Its errors about the command line become usage errors.
func benchCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	err := bench.Command(ctx, args, stdout, os.Stderr, getenv)
	if err != nil && isBenchUsage(err) {
		return usageErr("bench", err)
	}
	return err
}
