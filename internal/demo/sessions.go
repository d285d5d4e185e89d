package demo

import (
	"fmt"
	"time"
)

// sessions adds browsing that bought nothing: browsers browse most, online
// buyers sometimes; some sessions leave a cart, some of those at checkout,
// and some are recent abandoned checkouts, for the abandoned-cart segment.
func (g *eventGen) sessions() {
	channels := g.c.browseChannels()
	if len(channels) == 0 {
		return
	}
	n, recent := 0, 0.0
	switch {
	case g.c.Persona == Browser:
		n, recent = 1+g.r.IntN(5), 0.2
	case g.c.BuysOnline:
		n, recent = g.r.IntN(3), 0.06
	}
	for i := range n {
		carted := chance(g.r, 0.25)
		g.session(i, one(g.r, channels), between(g.r, 0.05, g.c.SinceDays), carted, carted && chance(g.r, 0.6))
	}
	if chance(g.r, recent) {
		g.session(n, one(g.r, channels), between(g.r, 0.1, 6.5), true, true)
	}
}

// session adds one visit d days ago that views products and, when
// carted, leaves a cart, abandoned at checkout when checkout is true.
func (g *eventGen) session(i int, channel string, d float64, carted, checkout bool) {
	items := make([]lineItem, 1+g.r.IntN(3))
	for k := range items {
		items[k] = lineItem{one(g.r, products), 1}
	}
	if !carted {
		g.add("page_viewed", channel, d, 5*time.Minute, map[string]any{"path": one(g.r, pages)})
		for k, it := range items {
			g.add("product_viewed", channel, d, time.Duration(4-k)*time.Minute, map[string]any{"sku": it.SKU, "name": it.Name,
				"category": it.Category, "price": it.Price})
		}
		return
	}
	cart := fmt.Sprintf("C-%d-%d-x%d", g.seed, g.c.Index, i)
	g.funnel(channel, d, cart, items, checkout)
}

// browseChannels are where the customer browses.
func (c *Customer) browseChannels() []string {
	var ch []string
	if c.Web {
		ch = append(ch, "web")
	}
	if c.App {
		ch = append(ch, "app")
	}
	return ch
}

// lineVisits adds the pages LINE friends open from the rich menu.
func (g *eventGen) lineVisits() {
	if !g.c.Line {
		return
	}
	for range 1 + g.r.IntN(3) {
		g.add("page_viewed", "line", between(g.r, 0.05, g.c.SinceDays), 0,
			map[string]any{"path": one(g.r, []string{"/line/coupons", "/line/new-arrivals", "/line/member-card"})})
	}
}
