package rfm

// Score returns v's recency, frequency and monetary scores, each 1 to 5,
// against b. 5 is best: the most recent fifth for recency (fewest days),
// the most frequent and highest-spending fifths for the others.
//
// Ties: a value equal to a boundary scores with the fifth that boundary
// closes (see Boundaries). For frequency and monetary that is the lower
// score (v <= b[0] scores 1, v > b[3] scores 5); for recency, where fewer
// days are better, it is the higher one (v <= b[0] scores 5, v > b[3]
// scores 1). Equal values therefore always get equal scores.
func Score(v Values, b Boundaries) (r, f, m int) {
	r = 6 - fifth(float64(v.RecencyDays), b.Recency)
	f = fifth(float64(v.Frequency), b.Frequency)
	m = fifth(v.Monetary, b.Monetary)
	return r, f, m
}

// fifth returns which fifth (1..5, ascending) x falls in: one more than
// the number of boundaries strictly below it.
func fifth(x float64, b [4]float64) int {
	q := 1
	for _, bound := range b {
		if x > bound {
			q++
		}
	}
	return q
}
