package store

import (
	"slices"
	"strings"
	"time"

	"github.com/cdp-dev/cdp/internal/profile"
)

type computedDoc struct {
	FirstSeen  *time.Time `bson:"firstSeen,omitempty"`
	LastSeen   *time.Time `bson:"lastSeen,omitempty"`
	EventCount int64      `bson:"eventCount"`
	Channels   []string   `bson:"channels"`
	Orders     *ordersDoc `bson:"orders,omitempty"`
	// Tallies are a list keyed by value: condition keys are not field
	// names. They are written packed into TallyData (see packed.go);
	// Tallies is what versions before stored, read still.
	Tallies   []tallyDoc `bson:"tallies,omitempty"`
	TallyData []byte     `bson:"tallyData,omitempty"`
	RFM       *rfmDoc    `bson:"rfm,omitempty"`
}

type ordersDoc struct {
	Count    int64      `bson:"count"`
	Revenue  float64    `bson:"revenue"`
	First    *time.Time `bson:"first,omitempty"`
	Last     *time.Time `bson:"last,omitempty"`
	Channels []string   `bson:"channels,omitempty"`
	Online   int64      `bson:"online"`
	Offline  int64      `bson:"offline"`
	// Days are written packed into DayData (see packed.go); Days is what
	// versions before stored, read still.
	Days    []bucketDoc `bson:"days,omitempty"`
	DayData []byte      `bson:"dayData,omitempty"`
}

// bucketDoc is a bucket with short field names: profiles carry many.
// (FerretDB v1 refuses nested arrays, so it is not a tuple.)
type bucketDoc struct {
	At  int64   `bson:"a"`
	N   int64   `bson:"n"`
	Sum float64 `bson:"s,omitempty"`
}

type tallyDoc struct {
	Key   string      `bson:"key"`
	N     int64       `bson:"n"`
	First time.Time   `bson:"first"`
	Last  time.Time   `bson:"last"`
	Hours []bucketDoc `bson:"hours,omitempty"`
	Days  []bucketDoc `bson:"days,omitempty"`
}

type rfmDoc struct {
	RecencyDays int     `bson:"recencyDays"`
	Frequency   int64   `bson:"frequency"`
	Monetary    float64 `bson:"monetary"`
	R           int     `bson:"r"`
	F           int     `bson:"f"`
	M           int     `bson:"m"`
	Label       string  `bson:"label"`
}

func toComputedDoc(c profile.Computed) computedDoc {
	d := computedDoc{FirstSeen: c.FirstSeen, LastSeen: c.LastSeen, EventCount: c.EventCount, Channels: nonNil(c.Channels)}
	if o := c.Orders; o.Count != 0 || len(o.Days) > 0 {
		d.Orders = &ordersDoc{Count: o.Count, Revenue: o.Revenue, First: o.First, Last: o.Last, Channels: o.Channels,
			Online: o.Online, Offline: o.Offline}
		d.Orders.Days, d.Orders.DayData = pack(toBuckets(o.Days))
	}
	var tallies []tallyDoc
	for k, t := range c.Tallies {
		tallies = append(tallies, tallyDoc{Key: k, N: t.N, First: t.First, Last: t.Last,
			Hours: toBuckets(t.Hours), Days: toBuckets(t.Days)})
	}
	slices.SortFunc(tallies, func(a, b tallyDoc) int { return strings.Compare(a.Key, b.Key) })
	d.Tallies, d.TallyData = pack(tallies)
	if r := c.RFM; r != nil {
		d.RFM = &rfmDoc{RecencyDays: r.RecencyDays, Frequency: r.Frequency, Monetary: r.Monetary, R: r.R, F: r.F, M: r.M, Label: r.Label}
	}
	return d
}

func fromComputedDoc(d computedDoc) profile.Computed {
	c := profile.Computed{FirstSeen: utcPtr(d.FirstSeen), LastSeen: utcPtr(d.LastSeen), EventCount: d.EventCount, Channels: nonNil(d.Channels)}
	if o := d.Orders; o != nil {
		c.Orders = profile.Orders{Count: o.Count, Revenue: o.Revenue, First: utcPtr(o.First), Last: utcPtr(o.Last),
			Channels: o.Channels, Online: o.Online, Offline: o.Offline, Days: fromBuckets(unpack(o.Days, o.DayData))}
	}
	if tallies := unpack(d.Tallies, d.TallyData); len(tallies) > 0 {
		c.Tallies = make(map[string]*profile.Tally, len(tallies))
		for _, t := range tallies {
			c.Tallies[t.Key] = &profile.Tally{N: t.N, First: t.First.UTC(), Last: t.Last.UTC(),
				Hours: fromBuckets(t.Hours), Days: fromBuckets(t.Days)}
		}
	}
	if r := d.RFM; r != nil {
		c.RFM = &profile.RFM{RecencyDays: r.RecencyDays, Frequency: r.Frequency, Monetary: r.Monetary, R: r.R, F: r.F, M: r.M, Label: r.Label}
	}
	return c
}

func toBuckets(bs []profile.Bucket) []bucketDoc {
	if len(bs) == 0 {
		return nil
	}
	out := make([]bucketDoc, len(bs))
	for i, b := range bs {
		out[i] = bucketDoc(b)
	}
	return out
}

func fromBuckets(ds []bucketDoc) []profile.Bucket {
	if len(ds) == 0 {
		return nil
	}
	out := make([]profile.Bucket, len(ds))
	for i, d := range ds {
		out[i] = profile.Bucket(d)
	}
	return out
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
