package cli

import (
	"context"
	"flag"
	"io"

	"github.com/cdp-dev/cdp/internal/bench"
)

// benchCmd measures the product on a fresh database (the embedded store in a
// temporary directory, or MONGODB_URI when set).
func benchCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stdout)
	o := bench.Options{MongoURI: getenv("MONGODB_URI")}
	fs.IntVar(&o.Events, "events", 10000, "events to send through trackEvents")
	fs.IntVar(&o.Customers, "customers", 1000, "customers the events belong to")
	fs.IntVar(&o.Merges, "ops", 200, "identify and merge calls to time")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return bench.Run(ctx, o, stdout)
}
