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

// packedList is the document a packed binary value holds.
type packedList[T any] struct {
	L []T `bson:"l"`
}

// pack returns what a document stores of a list written packed: the
// packed value, or the list itself should packing ever fail.
func pack[T any](xs []T) ([]T, []byte) {
	if len(xs) == 0 {
		return nil, nil
	}
	if raw, err := bson.Marshal(packedList[T]{L: xs}); err == nil {
		return nil, raw
	}
	return xs, nil
}

// unpack reads a list from whichever form holds it.
func unpack[T any](xs []T, raw []byte) []T {
	if len(raw) == 0 {
		return xs
	}
	var p packedList[T]
	if err := bson.Unmarshal(raw, &p); err != nil {
		return xs
	}
	return p.L
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
