package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// Report is the outcome of a run.
type Report struct {
	Machine   Machine    `json:"machine"`
	Scenarios []Scenario `json:"scenarios"`
	notes     []string   // said under the table
}

// Machine describes where the run happened.
type Machine struct {
	CPUs   int    `json:"cpus"`
	GOOS   string `json:"goos"`
	GOARCH string `json:"goarch"`
	Go     string `json:"go"`
	Store  string `json:"store"`
}

// Scenario is one measured figure of the product, the store's own figure
// for the same logical work (Baseline), and Product/Baseline (Ratio).
// Baseline, Ratio, Target and Met are null when they do not apply.
type Scenario struct {
	Name     string   `json:"name"`
	Unit     string   `json:"unit"`
	Product  float64  `json:"product"`
	Baseline *float64 `json:"baseline"`
	Ratio    *float64 `json:"ratio"`
	Target   *string  `json:"target"` // ">= 0.5" or "<= 2.5", on Ratio
	Met      *bool    `json:"met"`
	note     string   // what the baseline is, for the table
	cmds     string   // store commands per product call, for the table
}

// withCmds notes the store commands each product call of s cost.
func withCmds(s Scenario, cmds string) Scenario {
	s.cmds = cmds
	return s
}

// row builds a scenario from the two figures and a target on their ratio
// ("" for none).
func row(name, unit string, product, baseline float64, target, note string) Scenario {
	s := Scenario{Name: name, Unit: unit, Product: round(product), note: note}
	if baseline > 0 {
		s.Baseline, s.Ratio = ptr(round(baseline)), ptr(round(product/baseline))
	}
	if target == "" {
		return s
	}
	s.Target = &target
	var op string
	var want float64
	if _, err := fmt.Sscanf(target, "%s %g", &op, &want); err == nil && s.Ratio != nil {
		r := product / baseline
		s.Met = ptr((op == ">=" && r >= want) || (op == "<=" && r <= want))
	}
	return s
}

// figure builds a scenario with no baseline.
func figure(name, unit string, product float64, note string) Scenario {
	return Scenario{Name: name, Unit: unit, Product: round(product), note: note}
}

func ptr[T any](v T) *T { return &v }

// round keeps four significant digits, enough for a report.
func round(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	scale := math.Pow(10, 3-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*scale) / scale
}

// WriteJSON prints the report as one JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // targets read ">= 0.5", not "\u003e= 0.5"
	return enc.Encode(r)
}

// WriteTable prints the report as an aligned table, then what each baseline is.
func (r *Report) WriteTable(w io.Writer) error {
	m := r.Machine
	fmt.Fprintf(w, "cdp bench on %s, %d CPUs, %s/%s, %s\n\n", m.Store, m.CPUs, m.GOOS, m.GOARCH, m.Go)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tunit\tproduct\tbaseline\tratio\ttarget\tmet\t")
	for _, s := range r.Scenarios {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", s.Name, s.Unit, num(&s.Product), num(s.Baseline),
			num(s.Ratio), orDash(s.Target), met(s.Met))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nbaselines:")
	for _, s := range r.Scenarios {
		if s.note != "" {
			fmt.Fprintf(w, "  %-17s %s\n", s.Name, s.note)
		}
	}
	header := "\nstore commands per product call (serverStatus, over the warm-up calls):\n"
	for _, s := range r.Scenarios {
		if s.cmds != "" {
			fmt.Fprintf(w, "%s  %-17s %s\n", header, s.Name, s.cmds)
			header = ""
		}
	}
	for _, n := range r.notes {
		fmt.Fprintf(w, "\nnote: %s\n", n)
	}
	return nil
}

func num(v *float64) string {
	if v == nil {
		return "-"
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", *v), "0"), ".")
}

func orDash(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

func met(b *bool) string {
	switch {
	case b == nil:
		return "-"
	case *b:
		return "yes"
	default:
		return "NO"
	}
}
