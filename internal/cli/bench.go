package cli

import (
	"context"
	"io"
	"os"

	"github.com/cdp-dev/cdp/internal/bench"
)

// benchCmd is `cdp bench`; see bench.Command.
func benchCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	return bench.Command(ctx, args, stdout, os.Stderr, getenv)
}
