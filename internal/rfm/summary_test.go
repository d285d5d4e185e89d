package rfm

import (
	"slices"
	"testing"
)

func TestSummarize(t *testing.T) {
	scored := []Scored{
		{Values: Values{Monetary: 100}, Label: Champions},
		{Values: Values{Monetary: 50.5}, Label: Champions},
		{Values: Values{Monetary: 20}, Label: Lost},
		{Values: Values{Monetary: 999}, Label: "not a label"},
	}
	got := Summarize(scored)
	if len(got) != 11 {
		t.Fatalf("Summarize returned %d labels, want 11", len(got))
	}
	for i, s := range got {
		want := LabelSummary{Label: Labels[i]}
		switch s.Label {
		case Champions:
			want.Count, want.Revenue = 2, 150.5
		case Lost:
			want.Count, want.Revenue = 1, 20
		}
		if s != want {
			t.Errorf("Summarize[%d] = %+v, want %+v", i, s, want)
		}
	}
}

func TestSummarizeNothing(t *testing.T) {
	got := Summarize(nil)
	labels := make([]string, len(got))
	for i, s := range got {
		labels[i] = s.Label
		if s.Count != 0 || s.Revenue != 0 {
			t.Errorf("empty summary has %+v", s)
		}
	}
	if !slices.Equal(labels, Labels) {
		t.Errorf("labels %q, want %q", labels, Labels)
	}
}

func TestScoreAll(t *testing.T) {
	vs := []Values{
		{RecencyDays: 2, Frequency: 20, Monetary: 50000},
		{RecencyDays: 400, Frequency: 1, Monetary: 300},
		{RecencyDays: 30, Frequency: 4, Monetary: 4000},
		{RecencyDays: 5, Frequency: 1, Monetary: 250},
		{RecencyDays: 200, Frequency: 9, Monetary: 20000},
	}
	want := []struct {
		r, f, m int
		label   string
	}{
		{5, 5, 5, Champions},
		{1, 1, 2, Hibernating},
		{3, 3, 3, NeedAttention},
		{4, 1, 1, Promising},
		{2, 4, 4, AtRisk},
	}
	for i, s := range ScoreAll(vs) {
		w := want[i]
		if s.Values != vs[i] || s.R != w.r || s.F != w.f || s.M != w.m || s.Label != w.label {
			t.Errorf("ScoreAll[%d] = %+v, want %d,%d,%d %q", i, s, w.r, w.f, w.m, w.label)
		}
	}
}
