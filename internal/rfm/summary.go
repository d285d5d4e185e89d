package rfm

// Scored is one customer's values with their scores and label.
type Scored struct {
	Values
	R, F, M int
	Label   string
}

// LabelSummary is how many scored customers carry a label and the revenue
// (the sum of their Monetary values) they bring.
type LabelSummary struct {
	Label   string
	Count   int
	Revenue float64
}

// ScoreAll scores every customer of vs against the quintiles of vs, in
// the order of vs.
func ScoreAll(vs []Values) []Scored {
	b := Quintiles(vs)
	out := make([]Scored, len(vs))
	for i, v := range vs {
		r, f, m := Score(v, b)
		out[i] = Scored{Values: v, R: r, F: f, M: m, Label: Label(r, f, m)}
	}
	return out
}

// Summarize counts the customers and sums the revenue of each label. It
// returns all eleven labels in the order of Labels, with zero counts for
// labels nobody carries; customers whose label is not one of Labels are
// left out.
func Summarize(scored []Scored) []LabelSummary {
	out := make([]LabelSummary, len(Labels))
	at := make(map[string]int, len(Labels))
	for i, l := range Labels {
		out[i].Label = l
		at[l] = i
	}
	for _, s := range scored {
		if i, ok := at[s.Label]; ok {
			out[i].Count++
			out[i].Revenue += s.Monetary
		}
	}
	return out
}
