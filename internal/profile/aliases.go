package profile

import "slices"

// IDs returns the profile's id followed by the ids merged into it: the ids
// its events are stored under.
func (p *Profile) IDs() []string { return append([]string{p.ID}, p.Absorbed...) }

// union returns a with the elements of b it lacks, in order.
func union(a []string, b ...string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// without returns a without the elements of b.
func without(a []string, b ...string) []string {
	return slices.DeleteFunc(slices.Clone(a), func(x string) bool { return slices.Contains(b, x) })
}
