package store

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// FerretDB parses every value of a stored document whenever it updates
// the document: a profile's replacement costs about 5 µs per value it held
// (measured: a profile of the bench's segment_cost scenario, with two
// tallies and 17 segments, cost 0.69-0.83 ms to replace against 0.58-0.60
// without its tallies). A profile's event tallies, order days and applied
// batches are internal state that no query looks into, and they grow to
// hundreds of values (a tally keeps up to 168 hourly and 731 daily
// buckets, a profile up to 128 batch keys). So each is written as one
// value: the tallies and the order days as a BSON document in a binary
// value, the batch keys as one space-separated string. Documents written
// before hold them as arrays; reading takes either.

// packedTallies is the document TallyData holds.
type packedTallies struct {
	T []tallyDoc `bson:"t"`
}

// packedBuckets is the document DayData holds.
type packedBuckets struct {
	B []bucketDoc `bson:"b"`
}

// packTallies returns what a computedDoc stores of the tallies: packed,
// or as the array should packing ever fail.
func packTallies(ts []tallyDoc) ([]tallyDoc, []byte) {
	if len(ts) == 0 {
		return nil, nil
	}
	if raw, err := bson.Marshal(packedTallies{T: ts}); err == nil {
		return nil, raw
	}
	return ts, nil
}

// unpackTallies reads the tallies from whichever form holds them.
func unpackTallies(ts []tallyDoc, raw []byte) []tallyDoc {
	if len(raw) == 0 {
		return ts
	}
	var p packedTallies
	if err := bson.Unmarshal(raw, &p); err != nil {
		return ts
	}
	return p.T
}

// packBuckets is packTallies for order days.
func packBuckets(bs []bucketDoc) ([]bucketDoc, []byte) {
	if len(bs) == 0 {
		return nil, nil
	}
	if raw, err := bson.Marshal(packedBuckets{B: bs}); err == nil {
		return nil, raw
	}
	return bs, nil
}

// unpackBuckets is unpackTallies for order days.
func unpackBuckets(bs []bucketDoc, raw []byte) []bucketDoc {
	if len(raw) == 0 {
		return bs
	}
	var p packedBuckets
	if err := bson.Unmarshal(raw, &p); err != nil {
		return bs
	}
	return p.B
}

// packKeys returns what a profileDoc stores of the applied batch keys: one
// string, or the array when a key holds a space (batch and profile ids
// never do).
func packKeys(keys []string) ([]string, string) {
	for _, k := range keys {
		if k == "" || strings.Contains(k, " ") {
			return keys, ""
		}
	}
	return nil, strings.Join(keys, " ")
}

// unpackKeys reads the batch keys from whichever form holds them.
func unpackKeys(keys []string, list string) []string {
	if list == "" {
		return keys
	}
	return strings.Split(list, " ")
}
