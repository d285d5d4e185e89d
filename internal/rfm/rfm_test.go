package rfm

import "testing"

// freq returns values that differ only in frequency.
func freq(fs ...int) []Values {
	vs := make([]Values, len(fs))
	for i, f := range fs {
		vs[i] = Values{Frequency: f}
	}
	return vs
}

func TestQuintiles(t *testing.T) {
	tests := []struct {
		name string
		in   []Values
		want [4]float64 // of Frequency
	}{
		{"none", nil, [4]float64{}},
		{"n=1", freq(7), [4]float64{7, 7, 7, 7}},
		{"n=3 ranks 1,2,2,3", freq(30, 10, 20), [4]float64{10, 20, 20, 30}},
		{"n=5 one per fifth", freq(5, 4, 3, 2, 1), [4]float64{1, 2, 3, 4}},
		{"n=10 ranks 2,4,6,8", freq(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), [4]float64{2, 4, 6, 8}},
		{"n=7 ranks 2,3,5,6", freq(1, 2, 3, 4, 5, 6, 7), [4]float64{2, 3, 5, 6}},
		{"heavy ties: most buy once", freq(1, 1, 1, 1, 1, 1, 1, 2, 3, 5), [4]float64{1, 1, 1, 2}},
		{"all equal", freq(4, 4, 4, 4, 4, 4), [4]float64{4, 4, 4, 4}},
	}
	for _, tt := range tests {
		if got := Quintiles(tt.in).Frequency; got != tt.want {
			t.Errorf("%s: Quintiles(%v).Frequency = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestQuintilesOfEachDimensionAndInputUntouched(t *testing.T) {
	in := []Values{{30, 1, 100}, {1, 5, 900}, {7, 2, 50.5}, {90, 1, 20}, {3, 3, 300}}
	want := Boundaries{
		Recency:   [4]float64{1, 3, 7, 30},
		Frequency: [4]float64{1, 1, 2, 3},
		Monetary:  [4]float64{20, 50.5, 100, 300},
	}
	if got := Quintiles(in); got != want {
		t.Errorf("Quintiles = %+v, want %+v", got, want)
	}
	if in[0] != (Values{30, 1, 100}) {
		t.Errorf("Quintiles reordered its input: %v", in)
	}
}

func TestScore(t *testing.T) {
	b := Boundaries{
		Recency:   [4]float64{10, 30, 90, 180},
		Frequency: [4]float64{1, 2, 4, 8},
		Monetary:  [4]float64{500, 1000, 2000, 5000},
	}
	tests := []struct {
		name    string
		v       Values
		r, f, m int
	}{
		{"below every boundary", Values{0, 0, 0}, 5, 1, 1},
		{"equal to the first boundary", Values{10, 1, 500}, 5, 1, 1},
		{"just above the first", Values{11, 2, 500.01}, 4, 2, 2},
		{"equal to the second", Values{30, 2, 1000}, 4, 2, 2},
		{"equal to the third", Values{90, 4, 2000}, 3, 3, 3},
		{"equal to the last", Values{180, 8, 5000}, 2, 4, 4},
		{"above the last", Values{181, 9, 5000.5}, 1, 5, 5},
		{"far above", Values{10000, 1000, 1e9}, 1, 5, 5},
		{"negative monetary (refunds)", Values{5, 3, -20}, 5, 3, 1},
	}
	for _, tt := range tests {
		r, f, m := Score(tt.v, b)
		if r != tt.r || f != tt.f || m != tt.m {
			t.Errorf("%s: Score(%+v) = %d,%d,%d, want %d,%d,%d", tt.name, tt.v, r, f, m, tt.r, tt.f, tt.m)
		}
	}
}

func TestScoreTiesShareAScore(t *testing.T) {
	vs := freq(1, 1, 1, 1, 1, 1, 1, 2, 3, 5)
	b := Quintiles(vs)
	want := map[int]int{1: 1, 2: 4, 3: 5, 5: 5}
	for _, v := range vs {
		if _, f, _ := Score(v, b); f != want[v.Frequency] {
			t.Errorf("frequency %d scored %d, want %d", v.Frequency, f, want[v.Frequency])
		}
	}
}

func TestScoreOfOneCustomerIsTheSameEverywhere(t *testing.T) {
	v := Values{RecencyDays: 12, Frequency: 3, Monetary: 1500}
	r, f, m := Score(v, Quintiles([]Values{v}))
	if r != 5 || f != 1 || m != 1 {
		t.Errorf("a lone customer scores %d,%d,%d, want 5,1,1 (equal to every boundary)", r, f, m)
	}
}
