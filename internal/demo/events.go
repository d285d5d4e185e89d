package demo

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// eventGen builds one customer's events with messageIds derived from the
// seed, so that sending them again stores nothing new.
type eventGen struct {
	c    *Customer
	r    *rand.Rand
	seed uint64
	now  time.Time
	evs  []Event
}

// events returns the customer's events: orders (online ones after a
// browsing and checkout funnel), browsing sessions, some ending in an
// abandoned cart, and visits from the LINE rich menu.
func (c *Customer) events(r *rand.Rand, seed uint64, now time.Time) []Event {
	g := &eventGen{c: c, r: r, seed: seed, now: now}
	for i, o := range c.orders(r) {
		g.order(i, o)
	}
	g.sessions()
	g.lineVisits()
	return g.evs
}

// add appends one event at d days before now, minus back minutes.
func (g *eventGen) add(typ, channel string, d float64, back time.Duration, props map[string]any) {
	id := g.identity(channel)
	g.evs = append(g.evs, Event{
		MessageID:  fmt.Sprintf("demo-s%d-c%d-e%d", g.seed, g.c.Index, len(g.evs)),
		Type:       typ,
		Channel:    channel,
		Identities: []Identity{id},
		Properties: props,
		Timestamp:  daysBefore(g.now, d).Add(-back),
	})
}

// identity is the one identifier the channel sends its events with.
func (g *eventGen) identity(channel string) Identity {
	switch channel {
	case "web":
		return Identity{"anonymous_id", g.c.AnonymousID}
	case "app":
		return Identity{"device_id", g.c.DeviceID}
	case "line":
		return Identity{"line_uid", g.c.LineUID}
	default: // store, pos
		return Identity{"member_id", g.c.MemberID}
	}
}

// order adds an order, after its funnel when it was placed online.
func (g *eventGen) order(n int, o order) {
	cart := fmt.Sprintf("C-%d-%d-%d", g.seed, g.c.Index, n)
	if o.channel == "web" || o.channel == "app" || o.channel == "line" {
		g.funnel(o.channel, o.daysAgo, cart, o.items, true)
	}
	items := make([]any, len(o.items))
	for i, it := range o.items {
		items[i] = map[string]any{"sku": it.SKU, "name": it.Name, "category": it.Category, "price": it.Price, "quantity": it.qty}
	}
	g.add("order_completed", o.channel, o.daysAgo, 0, map[string]any{
		"orderId": fmt.Sprintf("SO-%d-%d-%d", g.seed, g.c.Index, n), "cartId": cart,
		"revenue": o.revenue(), "currency": "THB", "items": items,
	})
}

// funnel adds a visit that views the items, puts them in a cart and, when
// checkout is true, starts checking out, ending before d days ago.
func (g *eventGen) funnel(channel string, d float64, cart string, items []lineItem, checkout bool) {
	if chance(g.r, 0.3) {
		g.add("page_viewed", channel, d, 15*time.Minute, map[string]any{"path": one(g.r, pages)})
	}
	value := 0.0
	for i, it := range items {
		if i == 0 { // the rest came from recommendations in the cart
			g.add("product_viewed", channel, d, time.Duration(10-i)*time.Minute, map[string]any{"sku": it.SKU,
				"name": it.Name, "category": it.Category, "price": it.Price})
		}
		value += it.Price * float64(it.qty)
	}
	g.add("cart_updated", channel, d, 5*time.Minute, map[string]any{"cartId": cart, "itemCount": len(items), "value": value, "currency": "THB"})
	if checkout {
		g.add("checkout_started", channel, d, 2*time.Minute, map[string]any{"cartId": cart, "value": value, "currency": "THB"})
	}
}
