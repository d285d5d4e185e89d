package store

import (
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cdp-dev/cdp/internal/profile"
)

func packedProfile() *profile.Profile {
	at := time.Date(2026, 11, 11, 10, 0, 0, 0, time.UTC)
	return &profile.Profile{ID: "p1", Workspace: testWS, Version: 1, CreatedAt: at, UpdatedAt: at,
		AppliedBatches: []string{"b1/p1", "b2/p9"},
		Computed: profile.Computed{EventCount: 3, Channels: []string{"web"},
			Orders: profile.Orders{Count: 2, Revenue: 90, First: &at, Last: &at, Days: []profile.Bucket{{At: 20403, N: 2, Sum: 90}}},
			Tallies: map[string]*profile.Tally{"e1": {N: 3, First: at, Last: at,
				Hours: []profile.Bucket{{At: 489682, N: 3}}, Days: []profile.Bucket{{At: 20403, N: 3}}}}}}
}

// A profile's tallies, order days and batch keys are stored as one value
// each, and read back whole.
func TestProfileInternalsArePacked(t *testing.T) {
	st, ctx := testStore(t)
	want := packedProfile()
	raw := rawProfile(t, st, want)
	computed := asMap(raw["computed"])
	if raw["appliedBatches"] != nil || raw["batchList"] != "b1/p1 b2/p9" {
		t.Errorf("batch keys stored as %v / %v", raw["appliedBatches"], raw["batchList"])
	}
	if computed["tallies"] != nil || computed["tallyData"] == nil {
		t.Errorf("tallies stored as %v / %v", computed["tallies"], computed["tallyData"])
	}
	if orders := asMap(computed["orders"]); orders["days"] != nil || orders["dayData"] == nil {
		t.Errorf("order days stored as %v / %v", orders["days"], orders["dayData"])
	}
	st.known = nil // read the document, not what this process remembers
	got, err := st.Profiles().Get(ctx, testWS, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.AppliedBatches, want.AppliedBatches) || !reflect.DeepEqual(got.Computed, want.Computed) {
		t.Fatalf("read back %+v %+v, want %+v %+v", got.AppliedBatches, got.Computed, want.AppliedBatches, want.Computed)
	}
}

// Documents stored before, with arrays, read the same.
func TestProfileInternalsStoredAsArraysStillRead(t *testing.T) {
	st, ctx := testStore(t)
	want := packedProfile()
	d := toProfileDoc(want)
	d.Batches, d.BatchList = want.AppliedBatches, ""
	d.Computed.Tallies, d.Computed.TallyData = unpack[tallyDoc](nil, d.Computed.TallyData), nil
	d.Computed.Orders.Days, d.Computed.Orders.DayData = unpack[bucketDoc](nil, d.Computed.Orders.DayData), nil
	if _, err := st.Raw().Collection(colProfiles).InsertOne(ctx, d); err != nil {
		t.Fatal(err)
	}
	got, err := st.Profiles().Get(ctx, testWS, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.AppliedBatches, want.AppliedBatches) || !reflect.DeepEqual(got.Computed, want.Computed) {
		t.Fatalf("read back %+v %+v, want %+v %+v", got.AppliedBatches, got.Computed, want.AppliedBatches, want.Computed)
	}
}

func asMap(v any) bson.M {
	switch m := v.(type) {
	case bson.M:
		return m
	case map[string]any:
		return m
	case bson.D:
		out := bson.M{}
		for _, e := range m {
			out[e.Key] = e.Value
		}
		return out
	}
	return nil
}
