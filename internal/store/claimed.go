package store

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/bits-and-blooms/bloom/v3"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// On the embedded store every identifier is claimed through this process
// (the data directory is locked), so the process can know which
// identifiers nobody has claimed without asking the store: a Bloom filter
// of the claimed keys of each database answers "certainly not claimed" for
// most unknown identifiers, and Owners skips their lookups. An import of
// new customers did one lookup per customer for nothing.
//
// Every claim adds its key before its insert, and the filter of a database
// exists from the first claim or lookup on; the keys stored before it are
// read once in the background (Owners asks the store until then). A
// released identifier stays in the filter (a lookup finds nothing), and a
// false positive costs the lookup that was made before. Should a key ever
// be missing, resolution still claims it with an insert that only one
// request can win, and the loser reads the holder.

// claimedEstimate is the fewest keys a filter is sized for; one holds about
// 1.2 bytes per key at 1% false positives, and degrades into lookups past
// its size.
const claimedEstimate = 100_000

// claimedFilter is one database's filter.
type claimedFilter struct {
	mu      sync.RWMutex
	f       *bloom.BloomFilter
	loading atomic.Bool // the stored keys are being, or were, read
	ready   atomic.Bool // they have been read: the filter can answer
}

// claimedFilters holds the filters of the databases of one embedded store,
// by database name. A sync.Map: every identifier lookup reads it.
type claimedFilters struct{ by sync.Map }

func newClaimedFilters() *claimedFilters { return &claimedFilters{} }

// filter returns the database's filter, creating it; nil on MongoDB.
func (x Identities) filter() *claimedFilter {
	all := x.s.claimed
	if all == nil {
		return nil
	}
	name := x.s.db.Name()
	if f, ok := all.by.Load(name); ok {
		return f.(*claimedFilter)
	}
	f, _ := all.by.LoadOrStore(name, &claimedFilter{f: bloom.NewWithEstimates(claimedEstimate, 0.01)})
	return f.(*claimedFilter)
}

// add records keys about to be claimed.
func (f *claimedFilter) add(keys ...string) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range keys {
		f.f.AddString(k)
	}
}

// unclaimed reports whether key is certainly not claimed. Before the
// stored keys are read it knows nothing, and starts reading them.
func (x Identities) unclaimed(key string) bool {
	f := x.filter()
	if f == nil {
		return false
	}
	if !f.ready.Load() {
		if f.loading.CompareAndSwap(false, true) {
			go x.load(f)
		}
		return false
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	return !f.f.TestString(key)
}

// load adds every stored key to f and makes it answer; after a failure
// (the store shutting down, say) the next lookup tries again.
func (x Identities) load(f *claimedFilter) {
	type key struct {
		ID string `bson:"_id"`
	}
	opts := options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}})
	err := eachDoc(context.Background(), x.c(), bson.D{}, opts, func(k key) string { return k.ID }, func(k string) error {
		f.add(k)
		return nil
	})
	if err != nil {
		f.loading.Store(false)
		return
	}
	f.ready.Store(true)
}
