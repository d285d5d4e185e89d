package identity

import (
	"slices"

	"github.com/cdp-dev/cdp/internal/profile"
)

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

// idsOf returns the identifiers a profile document holds.
func idsOf(p *profile.Profile) []Identifier {
	out := make([]Identifier, len(p.Identities))
	for i, id := range p.Identities {
		out[i] = Identifier{Type: id.Type, Value: id.Value}
	}
	return out
}

// keys returns the identifiers as "type:value" strings.
func keys(ids []Identifier) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
