package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// report is the JSON document, loosely typed so that its shape is checked.
type report struct {
	Machine   map[string]any   `json:"machine"`
	Scenarios []map[string]any `json:"scenarios"`
}

// TestCommandJSON runs the whole command at tiny sizes on its own embedded
// store and checks the report's shape.
func TestCommandJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded store and runs every scenario")
	}
	rep := runJSON(t, "--json", "--events", "200", "--customers", "20", "--clients", "4", "--ops", "8",
		"--profiles-small", "30", "--profiles-large", "60", "--import-events", "300", "--import-customers", "30")
	for _, k := range []string{"cpus", "goos", "goarch", "go", "store"} {
		if rep.Machine[k] == nil {
			t.Errorf("machine.%s missing", k)
		}
	}
	got := map[string]map[string]any{}
	for _, s := range rep.Scenarios {
		got[s["name"].(string)] = s
		for _, k := range []string{"unit", "product", "baseline", "ratio", "target", "met"} {
			if _, ok := s[k]; !ok {
				t.Errorf("%s: no %q", s["name"], k)
			}
		}
	}
	for _, name := range []string{"ingest", "ingest_1client", "ingest_scaling", "identify_p50", "identify_p99",
		"merge", "merge_p99", "profile_read_p50", "profile_read_p99", "growth", "ingest_stored", "import", "segment_cost"} {
		checkRatio(t, name, got[name])
	}
	for _, name := range []string{"fold_lag_p99", "import_fold", "import_memory", "live_segment_p50", "live_segment_p99"} {
		if s := got[name]; s == nil || s["product"].(float64) <= 0 || s["baseline"] != nil {
			t.Errorf("%s: want a figure and no baseline, got %v", name, s)
		}
	}
	if m := got["memory"]; m == nil || m["product"].(float64) <= 0 || m["baseline"] != nil || m["ratio"] != nil {
		t.Errorf("memory: want MiB and no baseline, got %v", m)
	}
}

// runJSON runs the command and decodes the one JSON document it prints.
func runJSON(t *testing.T, args ...string) report {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := Command(context.Background(), args, &stdout, &stderr, func(string) string { return "" }); err != nil {
		t.Fatalf("bench: %v\nstderr: %s", err, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr is not a terminal, yet got %q", stderr.String())
	}
	var rep report
	dec := json.NewDecoder(&stdout)
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("decode: %v\n%s", err, stdout.String())
	}
	if dec.More() {
		t.Error("more than one JSON document on stdout")
	}
	return rep
}

// checkRatio checks that a scenario has both figures and their ratio.
func checkRatio(t *testing.T, name string, s map[string]any) {
	t.Helper()
	switch {
	case s == nil:
		t.Errorf("scenario %s missing", name)
	case s["product"].(float64) <= 0 || s["baseline"] == nil || s["ratio"] == nil:
		t.Errorf("%s: want product, baseline and ratio, got %v", name, s)
	case s["target"] != nil && s["met"] == nil:
		t.Errorf("%s: target %v but met is null", name, s["target"])
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := Command(context.Background(), []string{"-h"}, &stdout, &stderr, func(string) string { return "" }); err != nil {
		t.Fatalf("-h: %v", err)
	}
	if !strings.Contains(stdout.String(), "--profiles-large") && !strings.Contains(stdout.String(), "-profiles-large") {
		t.Errorf("usage lacks the flags: %q", stdout.String())
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--skip", "nope"}, {"--batch", "1001"}, {"--clients", "0"}, {"stray"}} {
		var stdout, stderr bytes.Buffer
		if err := Command(context.Background(), args, &stdout, &stderr, func(string) string { return "" }); err == nil {
			t.Errorf("%v: want an error", args)
		}
	}
}

func TestRow(t *testing.T) {
	tests := []struct {
		target            string
		product, baseline float64
		wantRatio         float64
		wantMet           bool
	}{
		{">= 0.5", 60, 100, 0.6, true},
		{">= 0.5", 40, 100, 0.4, false},
		{"<= 2.5", 5, 2, 2.5, true},
		{"<= 2", 5, 2, 2.5, false},
	}
	for _, tt := range tests {
		s := row("x", "u", tt.product, tt.baseline, tt.target, "")
		if s.Ratio == nil || *s.Ratio != tt.wantRatio || s.Met == nil || *s.Met != tt.wantMet {
			t.Errorf("row(%v, %v, %q): got ratio %v met %v, want %v %v", tt.product, tt.baseline, tt.target,
				s.Ratio, s.Met, tt.wantRatio, tt.wantMet)
		}
	}
	if s := row("x", "u", 1, 0, ">= 1", ""); s.Baseline != nil || s.Ratio != nil || s.Met != nil {
		t.Errorf("no baseline: got %+v", s)
	}
}
