package demo

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

var (
	eventTypes = []string{"page_viewed", "product_viewed", "cart_updated", "checkout_started", "order_completed"}
	channels   = []string{"web", "app", "line", "store", "pos"}
)

// TestEventsAreValid checks each event's shape, and that each carries one
// identifier an upsert already sent for the same customer, so that events
// never create or merge profiles.
func TestEventsAreValid(t *testing.T) {
	ds := Build(1, 50, now)
	known := map[Identity]bool{}
	for _, p := range append(slices.Clone(ds.First), ds.Links...) {
		for _, id := range p.Identities {
			known[id] = true
		}
	}
	ids := map[string]bool{}
	for _, e := range ds.Events {
		switch {
		case ids[e.MessageID]:
			t.Errorf("messageId %s repeats", e.MessageID)
		case !slices.Contains(eventTypes, e.Type) || !slices.Contains(channels, e.Channel):
			t.Errorf("%s: type %q on channel %q", e.MessageID, e.Type, e.Channel)
		case len(e.Identities) != 1 || !known[e.Identities[0]]:
			t.Errorf("%s: identities %v, want one already upserted", e.MessageID, e.Identities)
		case e.Timestamp.After(now) || e.Timestamp.Before(now.AddDate(-2, 0, -1)):
			t.Errorf("%s: timestamp %v outside the two years before now", e.MessageID, e.Timestamp)
		}
		ids[e.MessageID] = true
		if e.Type == "order_completed" {
			if r, ok := e.Properties["revenue"].(float64); !ok || r <= 0 || e.Properties["currency"] != "THB" {
				t.Errorf("%s: revenue %v %v", e.MessageID, e.Properties["revenue"], e.Properties["currency"])
			}
		}
	}
}

// TestPopulationMakesRFMMeaningful checks the mix that makes quintiles
// and segments interesting: champions, one-time buyers, lapsed customers,
// LINE friends who never bought online, omnichannel buyers, recent
// abandoned checkouts.
func TestPopulationMakesRFMMeaningful(t *testing.T) {
	ds := Build(1, 1000, now)
	orders := map[int]int{}
	recentCheckout := 0
	for _, e := range ds.Events {
		c := customerOf(t, e.MessageID)
		if e.Type == "order_completed" {
			orders[c]++
		}
		if e.Type == "checkout_started" && now.Sub(e.Timestamp) < 7*24*time.Hour {
			recentCheckout++
		}
	}
	per := map[Persona]int{}
	omni, lineNoOnline := 0, 0
	for _, c := range ds.Customers {
		per[c.Persona]++
		if c.BuysOnline && c.BuysOffline {
			omni++
		}
		if c.Line && !c.BuysOnline {
			lineNoOnline++
		}
	}
	for _, p := range personas {
		if per[p.v] < 20 {
			t.Errorf("%d %s customers in 1000", per[p.v], p.v)
		}
	}
	once := 0
	for _, n := range orders {
		if n == 1 {
			once++
		}
	}
	if once < 200 || omni < 50 || lineNoOnline < 100 || recentCheckout < 10 {
		t.Errorf("one-time buyers %d, omnichannel %d, LINE friends not buying online %d, recent checkouts %d",
			once, omni, lineNoOnline, recentCheckout)
	}
}

func customerOf(t *testing.T, messageID string) int {
	t.Helper()
	var seed, c, e int
	if _, err := fmt.Sscanf(messageID, "demo-s%d-c%d-e%d", &seed, &c, &e); err != nil {
		t.Fatalf("messageId %q: %v", messageID, err)
	}
	return c
}
