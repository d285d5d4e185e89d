package profile

import (
	"github.com/cdp-dev/cdp/internal/document"
	"slices"
	"time"
)

// Orders are the values computed from a profile's orders: events of the
// workspace's order types carrying a numeric revenue (see FoldRules).
type Orders struct {
	Count   int64
	Revenue float64
	First   *time.Time
	Last    *time.Time
	// Channels are the channels ordered through, sorted.
	Channels []string
	// Online and Offline count the orders by the kind of their channel;
	// orders without a channel count in neither.
	Online  int64
	Offline int64
	// Days hold the orders of each UTC day of the last RFMWindowMax, for
	// frequency and monetary value over a window.
	Days []Bucket
}

// Bucket counts what happened in one hour or one UTC day: At is the start
// of it in Unix seconds, N how many, Sum the revenue (orders only).
type Bucket struct {
	At  int64
	N   int64
	Sum float64
}

// Tally counts the events that match one event condition (see Condition),
// with per-hour buckets for the last TallyHours hours and per-day buckets
// for the last TallyDays days, so that windowed counts need no events read.
type Tally struct {
	N     int64
	First time.Time
	Last  time.Time
	Hours []Bucket
	Days  []Bucket
}

// How far back buckets are kept: the longest windows a rule may use.
const (
	TallyHours   = 7 * 24
	TallyDays    = 731
	RFMWindowMax = 731
)

// RFM is a profile's recency, frequency and monetary value with their
// scores (1 to 5, by the workspace's quintiles) and label. Nil for a
// profile without orders in the window.
type RFM struct {
	RecencyDays int
	Frequency   int64
	Monetary    float64
	R, F, M     int
	Label       string
}

// Fact is an event as the computed values see it.
type Fact struct {
	Type       string
	Channel    string
	At         time.Time
	Properties map[string]any
}

// Condition is an event condition that profiles keep a tally for: Key
// names it (equal conditions share one), Match tells whether an event
// counts.
type Condition struct {
	Key   string
	Match func(Fact) bool
}

// FoldRules are the workspace's settings the computed values depend on.
type FoldRules struct {
	OrderTypes []string
	Offline    []string // channels whose orders are offline
	Conditions []Condition
}

// Revenue returns an order's revenue: properties.revenue, else
// properties.total, when numeric.
func Revenue(props map[string]any) (float64, bool) {
	for _, k := range []string{"revenue", "total"} {
		if f, ok := document.Number(props[k]); ok {
			return f, true
		}
	}
	return 0, false
}

// IsOrder reports whether the fact is an order under the rules, and its revenue.
func (r *FoldRules) IsOrder(f Fact) (float64, bool) {
	if r == nil || !slices.Contains(r.OrderTypes, f.Type) {
		return 0, false
	}
	return Revenue(f.Properties)
}

// Add folds an event into the computed values (sign 1) or takes one that
// was counted by mistake back out (sign -1: counts and sums only; first
// and last times and channels stay).
func (c *Computed) Add(r *FoldRules, f Fact, sign int64) {
	c.EventCount += sign
	if sign > 0 {
		t := f.At
		if c.FirstSeen == nil || t.Before(*c.FirstSeen) {
			c.FirstSeen = &t
		}
		if c.LastSeen == nil || t.After(*c.LastSeen) {
			c.LastSeen = &t
		}
		c.Channels = addSorted(c.Channels, f.Channel)
	}
	if rev, ok := r.IsOrder(f); ok {
		c.Orders.add(r, f, rev, sign)
	}
	if r == nil {
		return
	}
	for _, cond := range r.Conditions {
		if !cond.Match(f) {
			continue
		}
		if c.Tallies == nil {
			c.Tallies = map[string]*Tally{}
		}
		t := c.Tallies[cond.Key]
		if t == nil {
			t = &Tally{}
			c.Tallies[cond.Key] = t
		}
		t.add(f.At, sign)
	}
}

func (o *Orders) add(r *FoldRules, f Fact, rev float64, sign int64) {
	o.Count += sign
	o.Revenue += float64(sign) * rev
	switch {
	case f.Channel == "":
	case slices.Contains(r.Offline, f.Channel):
		o.Offline += sign
	default:
		o.Online += sign
	}
	o.Days = bump(o.Days, dayOf(f.At), sign, float64(sign)*rev)
	if sign < 0 {
		return
	}
	t := f.At
	if o.First == nil || t.Before(*o.First) {
		o.First = &t
	}
	if o.Last == nil || t.After(*o.Last) {
		o.Last = &t
	}
	o.Channels = addSorted(o.Channels, f.Channel)
}

func (t *Tally) add(at time.Time, sign int64) {
	t.N += sign
	if sign > 0 {
		if t.First.IsZero() || at.Before(t.First) {
			t.First = at
		}
		if at.After(t.Last) {
			t.Last = at
		}
	}
	t.Hours = bump(t.Hours, hourOf(at), sign, 0)
	t.Days = bump(t.Days, dayOf(at), sign, 0)
}

func hourOf(t time.Time) int64 { return t.Unix() - mod(t.Unix(), 3600) }
func dayOf(t time.Time) int64  { return t.Unix() - mod(t.Unix(), 86400) }

func mod(a, b int64) int64 { return ((a % b) + b) % b }

// bump adds n and sum to the bucket starting at at, keeping buckets sorted
// and dropping those that fall to zero.
func bump(bs []Bucket, at, n int64, sum float64) []Bucket {
	i, found := slices.BinarySearchFunc(bs, at, func(b Bucket, at int64) int { return cmp64(b.At, at) })
	if !found {
		if n <= 0 {
			return bs
		}
		bs = slices.Insert(bs, i, Bucket{At: at})
	}
	bs[i].N += n
	bs[i].Sum += sum
	if bs[i].N <= 0 {
		bs = slices.Delete(bs, i, i+1)
	}
	return bs
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func addSorted(s []string, v string) []string {
	if v == "" || slices.Contains(s, v) {
		return s
	}
	s = append(slices.Clone(s), v)
	slices.Sort(s)
	return s
}

// Prune drops the buckets older than the longest window a rule may use,
// as of now. Counts and sums without a window keep everything.
func (c *Computed) Prune(now time.Time) {
	hours, days := now.Unix()-TallyHours*3600, now.Unix()-TallyDays*86400
	for _, t := range c.Tallies {
		t.Hours = dropBefore(t.Hours, hours)
		t.Days = dropBefore(t.Days, days)
	}
	c.Orders.Days = dropBefore(c.Orders.Days, now.Unix()-RFMWindowMax*86400)
}

func dropBefore(bs []Bucket, at int64) []Bucket {
	i := 0
	for i < len(bs) && bs[i].At+86400 <= at {
		i++
	}
	if i == 0 {
		return bs
	}
	return slices.Clone(bs[i:])
}

// Within counts what the buckets hold in the window of length w that ends
// at now: a bucket counts while any of it is inside the window. Hour
// buckets serve windows up to TallyHours, day buckets longer ones. It also
// returns when the count can next drop (zero when never).
func (t *Tally) Within(now time.Time, w time.Duration) (n int64, changes time.Time) {
	bs, size := t.Days, int64(86400)
	if w <= TallyHours*time.Hour {
		bs, size = t.Hours, 3600
	}
	return within(bs, size, now, w)
}

func within(bs []Bucket, size int64, now time.Time, w time.Duration) (n int64, changes time.Time) {
	from := now.Add(-w).Unix()
	for _, b := range bs {
		if b.At+size <= from || b.At > now.Unix() {
			continue
		}
		n += b.N
		if at := time.Unix(b.At+size, 0).Add(w); changes.IsZero() || at.Before(changes) {
			changes = at
		}
	}
	return n, changes.UTC()
}

// Window returns the orders and revenue of the window of days ending at now.
func (o *Orders) Window(now time.Time, days int) (n int64, revenue float64) {
	from := now.Add(-time.Duration(days) * 24 * time.Hour).Unix()
	for _, b := range o.Days {
		if b.At+86400 > from && b.At <= now.Unix() {
			n += b.N
			revenue += b.Sum
		}
	}
	return n, revenue
}

// ChannelMix classifies the profile by where it ordered: ONLINE_ONLY,
// OFFLINE_ONLY, OMNICHANNEL or NONE.
func (o *Orders) ChannelMix() string {
	switch {
	case o.Online > 0 && o.Offline > 0:
		return "OMNICHANNEL"
	case o.Online > 0:
		return "ONLINE_ONLY"
	case o.Offline > 0:
		return "OFFLINE_ONLY"
	}
	return "NONE"
}

// AverageOrderValue is revenue per order, 0 without orders.
func (o *Orders) AverageOrderValue() float64 {
	if o.Count <= 0 {
		return 0
	}
	return o.Revenue / float64(o.Count)
}

// foldOrders adds an absorbed profile's orders to the survivor's.
func foldOrders(a, b Orders) Orders {
	a.Count += b.Count
	a.Revenue += b.Revenue
	a.Online += b.Online
	a.Offline += b.Offline
	a.First = earliest(a.First, b.First)
	a.Last = latest(a.Last, b.Last)
	for _, ch := range b.Channels {
		a.Channels = addSorted(a.Channels, ch)
	}
	a.Days = mergeBuckets(a.Days, b.Days)
	return a
}

// foldTallies adds an absorbed profile's tallies to the survivor's.
func foldTallies(a, b map[string]*Tally) map[string]*Tally {
	if len(b) == 0 {
		return a
	}
	out := make(map[string]*Tally, len(a)+len(b))
	for k, t := range a {
		c := t.clone()
		out[k] = &c
	}
	for k, t := range b {
		mine := out[k]
		if mine == nil {
			c := t.clone()
			out[k] = &c
			continue
		}
		mine.N += t.N
		if mine.First.IsZero() || (!t.First.IsZero() && t.First.Before(mine.First)) {
			mine.First = t.First
		}
		if t.Last.After(mine.Last) {
			mine.Last = t.Last
		}
		mine.Hours, mine.Days = mergeBuckets(mine.Hours, t.Hours), mergeBuckets(mine.Days, t.Days)
	}
	return out
}

func (t *Tally) clone() Tally {
	c := *t
	c.Hours, c.Days = slices.Clone(t.Hours), slices.Clone(t.Days)
	return c
}

// Clone returns a copy of c that can be changed without changing c.
func (c Computed) Clone() Computed { return cloneComputed(c) }

// cloneComputed copies c deeply enough that a write may change the copy.
func cloneComputed(c Computed) Computed {
	c.Channels = slices.Clone(c.Channels)
	c.Orders.Channels, c.Orders.Days = slices.Clone(c.Orders.Channels), slices.Clone(c.Orders.Days)
	c.Tallies = foldTallies(nil, c.Tallies)
	if c.RFM != nil {
		r := *c.RFM
		c.RFM = &r
	}
	return c
}

func mergeBuckets(a, b []Bucket) []Bucket {
	out := slices.Clone(a)
	for _, x := range b {
		out = bump(out, x.At, x.N, x.Sum)
	}
	return out
}

func earliest(a, b *time.Time) *time.Time {
	if b != nil && (a == nil || b.Before(*a)) {
		return b
	}
	return a
}

func latest(a, b *time.Time) *time.Time {
	if b != nil && (a == nil || b.After(*a)) {
		return b
	}
	return a
}
