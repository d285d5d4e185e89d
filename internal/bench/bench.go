package bench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"
)

// Run runs every scenario not skipped in o and returns the report. Progress
// lines go to progress.
func Run(ctx context.Context, o Options, progress io.Writer) (*Report, error) {
	e, closeEnv, err := openEnv(ctx, o, progress)
	if err != nil {
		return nil, err
	}
	defer closeEnv()
	rep := &Report{Machine: Machine{CPUs: runtime.NumCPU(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
		Go: runtime.Version(), Store: e.storeName(ctx)}}
	steps := []struct {
		name string
		run  func(context.Context) ([]Scenario, error)
	}{
		{"ingest", e.ingestRows},    // also runs ingest_1client
		{"ingest_stored", e.stored}, // also runs ingest_stored_scaling and fold_lag_p99
		{"import", e.importing},
		{"segment_cost", e.segmentCost}, // also runs live_segment
		{"identify", e.identify},
		{"profile_read", e.profileRead},
		{"merge", e.merge},
		{"growth", e.growth},
		{"memory", e.memory},
	}
	for _, s := range steps {
		if o.Skip[s.name] && (s.name != "ingest" || o.Skip["ingest_1client"]) && (s.name != "ingest_stored" || (o.Skip["fold_lag_p99"] && o.Skip["ingest_stored_scaling"])) &&
			(s.name != "segment_cost" || o.Skip["live_segment"]) {
			continue
		}
		start := time.Now()
		e.progressf("%s ...", s.name)
		rows, err := s.run(ctx)
		if err != nil {
			return nil, fmt.Errorf("bench %s: %w", s.name, err)
		}
		e.progressf("%s done in %s", s.name, time.Since(start).Round(time.Millisecond))
		rep.Scenarios = append(rep.Scenarios, rows...)
	}
	rep.notes = e.notes
	return rep, nil
}
