// Package bench measures the product over HTTP GraphQL against the store's
// own speed, measured in the same run with the MongoDB driver, and reports
// each scenario as a ratio of the two.
package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
)

// Options size a run. Command fills them from flags.
type Options struct {
	Events          int             // events per ingest run
	Customers       int             // existing customers the ingest events belong to
	Clients         int             // concurrent HTTP clients (and driver goroutines)
	Batch           int             // events per trackEvents call
	Ops             int             // latency samples per scenario
	ProfilesSmall   int             // existing profiles of the small growth population
	ProfilesLarge   int             // existing profiles of the large growth population
	ImportEvents    int             // events in the import scenario's file
	ImportCustomers int             // new customers they belong to
	Skip            map[string]bool // scenarios not to run
	JSON            bool            // print one JSON document instead of a table
	PProf           string          // write a CPU profile of the run here
	MongoURI        string          // a real MongoDB; empty starts the embedded store
}

// Scenarios are the names --skip accepts, in the order they run.
var Scenarios = []string{"ingest", "ingest_1client", "ingest_stored", "ingest_stored_scaling", "fold_lag_p99", "import", "segment_cost", "live_segment", "identify", "profile_read", "merge", "growth", "memory"}

// Command is `cdp bench`: it parses args, runs the scenarios and prints the
// report to stdout. Progress goes to stderr when stderr is a terminal.
// MONGODB_URI, read through getenv, selects a real MongoDB.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := parse(args, stdout, getenv)
	if err != nil || o == nil {
		return err
	}
	if o.PProf != "" {
		stop, err := startProfile(o.PProf)
		if err != nil {
			return err
		}
		defer stop()
	}
	progress := io.Discard
	if isTerminal(stderr) {
		progress = stderr
	}
	rep, err := Run(ctx, *o, progress)
	if err != nil {
		return err
	}
	if o.JSON {
		return rep.WriteJSON(stdout)
	}
	return rep.WriteTable(stdout)
}

// parse reads the flags. A nil Options and nil error mean -h was served.
func parse(args []string, stdout io.Writer, getenv func(string) string) (*Options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := &Options{MongoURI: getenv("MONGODB_URI")}
	fs.IntVar(&o.Events, "events", 20000, "events per ingest run (profile_read stores a tenth as many)")
	fs.IntVar(&o.Customers, "customers", 1000, "existing customers the ingest events belong to (10 per batch)")
	fs.IntVar(&o.Clients, "clients", 8, "concurrent HTTP clients, and driver goroutines for the baseline")
	fs.IntVar(&o.Batch, "batch", 100, "events per trackEvents call")
	fs.IntVar(&o.Ops, "ops", 200, "latency samples per scenario (merge times ops/10 merges of 2x100 events)")
	fs.IntVar(&o.ProfilesSmall, "profiles-small", 1000, "existing profiles of the small growth population (the target is stated for 10000)")
	fs.IntVar(&o.ProfilesLarge, "profiles-large", 10000, "existing profiles of the large growth population (the target is stated for 100000)")
	fs.IntVar(&o.ImportEvents, "import-events", 1000000, "events in the import scenario's file")
	fs.IntVar(&o.ImportCustomers, "import-customers", 100000, "new customers the imported events belong to")
	skip := fs.String("skip", "", "comma-separated scenarios to skip: "+strings.Join(Scenarios, ","))
	fs.BoolVar(&o.JSON, "json", false, "print one JSON document instead of a table")
	fs.StringVar(&o.PProf, "pprof", "", "write a CPU profile of the run (product and embedded store) to `file`")
	fs.Usage = func() { usage(fs) }
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return nil, nil
	}
	if err != nil { // the flag package's message is in err; its usage dump is dropped
		return nil, fmt.Errorf("bench: %w (cdp bench -h lists the flags)", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	if o.Skip, err = parseSkip(*skip); err != nil {
		return nil, err
	}
	return o, o.validate()
}

func usage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprint(w, `usage: cdp bench [flags]

Measures the product over HTTP GraphQL and, in the same run, the store's own
speed for the same logical work through the MongoDB driver; reports both and
their ratio. Uses MONGODB_URI when set, otherwise a fresh embedded store in a
temporary directory. Every scenario runs on a fresh database, dropped after.

The growth populations default to 1,000 and 10,000 profiles, a tenth of the
10,000 and 100,000 the growth target is stated for: the embedded store loads
profiles through the API at about 200 per second on a 2-core machine, so
100,000 would take 8 to 10 minutes. The report says so and how long it
would take on the machine it ran on.

flags:
`)
	fs.PrintDefaults()
}

func parseSkip(s string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, name := range strings.Split(s, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		if !slices.Contains(Scenarios, name) {
			return nil, fmt.Errorf("bench: unknown scenario %q in --skip (want %s)", name, strings.Join(Scenarios, ", "))
		}
		out[name] = true
	}
	return out, nil
}

func (o *Options) validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"events", o.Events}, {"customers", o.Customers}, {"clients", o.Clients}, {"batch", o.Batch},
		{"ops", o.Ops}, {"profiles-small", o.ProfilesSmall}, {"profiles-large", o.ProfilesLarge},
		{"import-events", o.ImportEvents}, {"import-customers", o.ImportCustomers}} {
		if f.v < 1 {
			return fmt.Errorf("bench: --%s must be at least 1", f.name)
		}
	}
	if o.Batch > 1000 {
		return errors.New("bench: --batch may be at most 1000 (the API's limit)")
	}
	return nil
}

// startProfile writes a CPU profile to path until the returned func runs.
func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("bench: cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
