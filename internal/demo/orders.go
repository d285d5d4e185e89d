package demo

import (
	"math"
	"math/rand/v2"
	"slices"
)

// order is one purchase, before it becomes events.
type order struct {
	daysAgo float64
	channel string // web, app, line (online); store, pos (offline)
	items   []lineItem
}

type lineItem struct {
	product
	qty int
}

// revenue is what the order brought, in whole baht.
func (o order) revenue() float64 {
	total := 0.0
	for _, it := range o.items {
		total += it.Price * float64(it.qty)
	}
	return math.Round(total)
}

// orders draws the customer's purchases, oldest first.
func (c *Customer) orders(r *rand.Rand) []order {
	days := c.orderDays(r)
	out := make([]order, len(days))
	for i, d := range days {
		out[i] = order{daysAgo: d, channel: c.orderChannel(r), items: c.basket(r)}
	}
	return out
}

// orderDays draws when the customer ordered, in days before now, oldest first.
func (c *Customer) orderDays(r *rand.Rand) []float64 {
	var days []float64
	switch c.Persona {
	case Champion:
		days = every(r, between(r, 0.05, 10), 12, 30, c.SinceDays, 0)
	case Loyal:
		days = every(r, between(r, 0.05, 40), 25, 55, c.SinceDays, 0)
	case Potential:
		days = every(r, between(r, 0.05, 30), 15, 45, c.SinceDays, 2+r.IntN(3))
	case Newcomer:
		days = []float64{between(r, 0.05, c.SinceDays)}
	case OneTime:
		days = []float64{between(r, 20, c.SinceDays)}
	case Lapsed:
		days = every(r, between(r, 120, 400), 20, 60, c.SinceDays, 3+r.IntN(10))
	case LineFriend:
		if c.BuysOffline {
			days = every(r, between(r, 0.05, c.SinceDays), 60, 240, c.SinceDays, 1+r.IntN(3))
		}
	}
	slices.Reverse(days)
	return days
}

// every returns order days from last back to since (or at most limit orders
// when limit > 0), lo to hi days apart, newest first.
func every(r *rand.Rand, last, lo, hi, since float64, limit int) []float64 {
	var days []float64
	for d := last; d <= since && (limit == 0 || len(days) < limit); d += between(r, lo, hi) {
		days = append(days, d)
	}
	if len(days) == 0 {
		days = append(days, min(last, since))
	}
	return days
}

// orderChannel draws where one order was placed.
func (c *Customer) orderChannel(r *rand.Rand) string {
	var online []weighted[string]
	if c.Web {
		online = append(online, weighted[string]{"web", 60})
	}
	if c.App {
		online = append(online, weighted[string]{"app", 40})
	}
	if c.Line {
		online = append(online, weighted[string]{"line", 15})
	}
	offline := []weighted[string]{{"pos", 70}, {"store", 30}}
	switch {
	case !c.BuysOnline || len(online) == 0:
		return pick(r, offline)
	case !c.BuysOffline || chance(r, 0.5):
		return pick(r, online)
	default:
		return pick(r, offline)
	}
}

// basket draws the articles of one order; better customers buy more.
func (c *Customer) basket(r *rand.Rand) []lineItem {
	n := 1 + r.IntN(3)
	if c.Persona == Champion || c.Persona == Loyal {
		n = 2 + r.IntN(4)
	}
	items := make([]lineItem, n)
	for i := range items {
		items[i] = lineItem{one(r, products), 1 + r.IntN(2)}
	}
	return items
}
