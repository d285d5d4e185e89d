package demo

import (
	"math/rand/v2"
	"time"
)

// Identity is one identifier as the API takes it (IdentityInput).
type Identity struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// ProfileInput is one item of upsertProfiles (IdentifyInput): what one
// channel knows about a customer at one time.
type ProfileInput struct {
	Identities []Identity     `json:"identities"`
	Traits     map[string]any `json:"traits,omitempty"`
	Source     string         `json:"source"`
	Timestamp  time.Time      `json:"timestamp"`
	customer   int            // index of the customer, for ExpectedProfiles
}

// Event is one item of trackEvents (EventInput).
type Event struct {
	MessageID  string         `json:"messageId"`
	Type       string         `json:"type"`
	Channel    string         `json:"channel"`
	Identities []Identity     `json:"identities"`
	Properties map[string]any `json:"properties,omitempty"`
	Timestamp  time.Time      `json:"timestamp"`
}

// Dataset is everything seed-demo sends, in sending order.
type Dataset struct {
	Customers []Customer
	// Profiles are sent in two passes: First as each channel first saw its
	// customers, then Links, the logins and verifications that tie a
	// customer's channels together and make identity resolution merge.
	First, Links []ProfileInput
	Events       []Event
}

// Build generates the dataset of n customers for the seed, with every
// timestamp in the two years before now. It is deterministic: the same
// seed, n and now give the same dataset, and customer i is the same
// whatever n, so a larger run extends a smaller one. now only shifts the
// timestamps: identifiers, messageIds and amounts depend on the seed alone.
func Build(seed uint64, n int, now time.Time) Dataset {
	now = now.UTC().Truncate(time.Second)
	var ds Dataset
	for i := range n {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		c := newCustomer(r, seed, i)
		first, links := c.observations(r, now)
		ds.Customers = append(ds.Customers, c)
		ds.First = append(ds.First, first...)
		ds.Links = append(ds.Links, links...)
		ds.Events = append(ds.Events, c.events(r, seed, now)...)
	}
	return ds
}

// ExpectedProfiles is how many profiles identity resolution should leave:
// per customer, the groups of observations that share an identifier,
// directly or through others (a Messenger contact never linked to the rest
// stays a profile of its own). Events add none: each carries one
// identifier that an observation already introduced.
func (ds Dataset) ExpectedProfiles() int {
	byCustomer := map[int][]ProfileInput{}
	for _, p := range append(append([]ProfileInput(nil), ds.First...), ds.Links...) {
		byCustomer[p.customer] = append(byCustomer[p.customer], p)
	}
	total := 0
	for _, obs := range byCustomer {
		total += components(obs)
	}
	return total
}

// components counts the groups of observations joined by shared identifiers.
func components(obs []ProfileInput) int {
	parent := make([]int, len(obs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			i = parent[i]
		}
		return i
	}
	owner := map[Identity]int{}
	groups := len(obs)
	for i, o := range obs {
		for _, id := range o.Identities {
			j, seen := owner[id]
			if !seen {
				owner[id] = i
				continue
			}
			if a, b := find(i), find(j); a != b {
				parent[a] = b
				groups--
			}
		}
	}
	return groups
}
