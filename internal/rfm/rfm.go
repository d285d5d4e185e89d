// Package rfm scores customers by recency, frequency and monetary value
// against their workspace's quintiles and names the segment each score falls in.
package rfm

import (
	"cmp"
	"slices"
)

// Values are one customer's RFM inputs over the scoring window. Only
// customers with at least one order in the window are scored.
type Values struct {
	RecencyDays int     // whole days since the customer's last order
	Frequency   int     // orders in the window
	Monetary    float64 // revenue of those orders
}

// Boundaries are the 20, 40, 60 and 80 % quantiles of a workspace's
// values, ascending, one set per dimension.
//
// Each boundary is the largest value of its fifth: with the values sorted
// ascending, fifth q (1..5) holds the values v with
// Boundaries[q-2] < v <= Boundaries[q-1] (no lower bound for q = 1, no
// upper bound for q = 5). A value equal to a boundary therefore belongs to
// the fifth the boundary closes.
type Boundaries struct {
	Recency, Frequency, Monetary [4]float64
}

// Quintiles returns the boundaries of vs by the nearest-rank method: the
// k-th boundary (k = 1..4) is the value at rank ceil(k·n/5) of the n
// values sorted ascending. The result is deterministic and always one of
// the input values, whatever the input order.
//
// Small and tied inputs need no special case: with n < 5 several
// boundaries coincide (n = 1 makes all four the single value, so every
// customer scores the same), and heavy ties (most customers ordering once)
// make boundaries equal, so that tied values always share a score and the
// fifths above the tie stay empty rather than splitting equal customers.
// Quintiles of no values are the zero Boundaries.
func Quintiles(vs []Values) Boundaries {
	var b Boundaries
	if len(vs) == 0 {
		return b
	}
	r := make([]float64, len(vs))
	f := make([]float64, len(vs))
	m := make([]float64, len(vs))
	for i, v := range vs {
		r[i], f[i], m[i] = float64(v.RecencyDays), float64(v.Frequency), v.Monetary
	}
	b.Recency, b.Frequency, b.Monetary = quintiles(r), quintiles(f), quintiles(m)
	return b
}

// quintiles sorts xs in place and returns its nearest-rank quintiles.
func quintiles(xs []float64) [4]float64 {
	slices.SortFunc(xs, cmp.Compare[float64]) // NaN first, as cmp.Compare orders it
	n := len(xs)
	var q [4]float64
	for k := 1; k <= 4; k++ {
		rank := (k*n + 4) / 5 // ceil(k·n/5), at least 1 since n ≥ 1
		q[k-1] = xs[rank-1]
	}
	return q
}
