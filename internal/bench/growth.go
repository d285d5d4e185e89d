package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"time"
)

// growth: the ingest scenario's run (--events in batches of --batch, 10
// customers a batch, --clients clients) against a population of
// --profiles-large existing profiles, divided by the same run against
// --profiles-small profiles. Each population is created through
// upsertProfiles, 1,000 per call, in a database of its own, and the run's
// customers are spread over all of it. The two runs alternate (small, large,
// large, small halves) so that machine load weighs on both alike.
//
// Baseline: the product itself at the small population, so the ratio is how
// much ingest slows as the data grows (no driver run: the question is the
// product's scaling, not its overhead).
func (e *env) growth(ctx context.Context) ([]Scenario, error) {
	small, err := e.populated(ctx, e.o.ProfilesSmall, false)
	if err != nil {
		return nil, err
	}
	defer small.close()
	large, err := e.populated(ctx, e.o.ProfilesLarge, true)
	if err != nil {
		return nil, err
	}
	defer large.close()
	ps := newPlan(e.o.Events, e.o.Batch, e.o.ProfilesSmall)
	pl := newPlan(e.o.Events, e.o.Batch, e.o.ProfilesLarge)
	r, err := e.throughput(ctx, ps, e.o.Clients, productBatches(small, "g", ps), productBatches(large, "g", pl), nil)
	if err != nil {
		return nil, fmt.Errorf("growth: %w", err)
	}
	return []Scenario{row("growth", "events/s", r.baseline, r.product, ">= 0.8", fmt.Sprintf(
		"the product's ingest at %d profiles (product: at %d)", e.o.ProfilesSmall, e.o.ProfilesLarge))}, nil
}

// populated opens a database holding n profiles, loaded through
// upsertProfiles. With peak set, the process's peak resident memory is read
// once they are loaded.
func (e *env) populated(ctx context.Context, n int, peak bool) (*space, error) {
	sp, err := e.open(ctx, fmt.Sprintf("growth%d", n))
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if _, err := e.seedProfiles(ctx, sp, population("g", n)); err != nil {
		sp.close()
		return nil, err
	}
	e.progressf("loaded %d profiles in %s", n, time.Since(start).Round(time.Second))
	if peak {
		e.noteScale(n, time.Since(start))
		if e.peakMiB, err = peakRSS(); err != nil {
			sp.close()
			return nil, err
		}
	}
	return sp, nil
}

// memory: the peak resident memory of the process (server, embedded store
// and bench together) after the large population is loaded; no baseline.
// It reuses the growth scenario's population when growth ran.
func (e *env) memory(ctx context.Context) ([]Scenario, error) {
	if e.peakMiB == 0 {
		sp, err := e.populated(ctx, e.o.ProfilesLarge, true)
		if err != nil {
			return nil, err
		}
		sp.close()
	}
	return []Scenario{figure("memory", "MiB", e.peakMiB,
		fmt.Sprintf("none: VmHWM of the process after loading %d profiles", e.o.ProfilesLarge))}, nil
}

// specLarge is the large population the growth target is stated for.
const specLarge = 100000

// noteScale says, when the large population is smaller than the one the
// target is stated for, how long the full one would take to load here.
func (e *env) noteScale(n int, took time.Duration) {
	if n >= specLarge {
		return
	}
	rate := perSecond(n, took)
	e.notes = append(e.notes, fmt.Sprintf("growth and memory ran at %d profiles, not %d: upsertProfiles loaded %.0f profiles/s here, "+
		"so %d would take about %.0f minutes (run with --profiles-small 10000 --profiles-large 100000 for the full size)",
		n, specLarge, rate, specLarge, specLarge/rate/60))
}

// peakRSS reads the process's peak resident set size (VmHWM) in MiB.
func peakRSS() (float64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("peak memory: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) == 3 && string(f[0]) == "VmHWM:" && string(f[2]) == "kB" {
			kb, err := strconv.ParseFloat(string(f[1]), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("peak memory: no VmHWM in /proc/self/status")
}
