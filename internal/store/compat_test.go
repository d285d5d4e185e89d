package store_test

// The store compatibility test (shared/DESIGN.md, Storage): every query
// shape internal/store issues, run through the adapters' public methods
// against the embedded FerretDB on a fresh database, with its results
// checked. FerretDB v1 implements a subset of MongoDB; this is where we learn
// that a shape is outside it.
//
// A NEW QUERY SHAPE IS ADDED HERE: whoever adds or changes a query in
// internal/store adds its line below and a test in the file of its
// collection, in the same commit.
//
// Shapes, by collection (test that runs each):
//
// every collection
//   - point read {_id}, workspace checked in Go (getByID)      the *PointReads tests
//   - bulk of UpdateOne {_id} $set, one statement per id       TestCompatIdentities, TestCompatEventsBatches,
//     (updateEach)                                              TestCompatEventsMove; 1,000 ids: the *AThousand tests
//   - createIndexes, listIndexes, create, SQLite _id index     TestCompatEnsureIndexes
//
// workspaces (compat_test.go)
//   - FindOne {_id}                                            TestCompatWorkspaces
//   - ReplaceOne {_id} upsert                                  TestCompatWorkspaces
//
// instances (heartbeats of processes sharing a MongoDB)
//   - ReplaceOne {_id} upsert, FindOne {_id}                   profile's TestLeaseOfADeadReplicaIsFinishedAtOnce
//
// profiles (compat_profiles_test.go)
//   - InsertOne; duplicate _id is errs.Conflict                TestCompatProfilesPointReads
//   - ReplaceOne {_id} after a version check (embedded CAS:    TestCompatProfilesReplace
//     from memory when this process wrote it last, else read)
//     (MongoDB's ReplaceOne {_id, workspace, version} runs only against a MongoDB URI)
//   - Find {workspace, mergedInto $exists false, erasing $ne,  TestCompatProfilesListAndCount
//     erased $ne, traits.<path>, identities.type, _id $gt},
//     sort _id, limit; CountDocuments on the same filter
//   - Find {erasing: true}, limit, any workspace               TestCompatProfilesErasing
//
// identities (compat_identities_test.go)
//   - InsertOne claim; on duplicate FindOne {_id}              TestCompatIdentities
//   - DeleteOne {_id} after a holder check                     TestCompatIdentities
//   - DeleteMany {workspace, profileId}                        TestCompatIdentities
//
// events (compat_events_test.go)
//   - InsertMany unordered, duplicates reported by index       TestCompatEventsInsert
//   - Find {applied: false}, limit, any workspace (legacy)     TestCompatEventsBatches
//   - batches: InsertOne marker, FindOne {_id}, DeleteOne       TestCompatEventsBatches
//     {_id}, Find all sort at limit; events Find {workspace,
//     batch}
//   - Find {workspace, profileId | profileId $in, type $in,    TestCompatEventsList
//     $or [{timestamp $lt}, {timestamp, _id $lt}]},
//     sort timestamp -1, _id -1, limit; CountDocuments
//   - CountDocuments, Find sort timestamp ±1 limit 1,          TestCompatEventsRecount
//     Distinct channel (Recount)
//   - Find {workspace, profileId, receivedAt $gte,             TestCompatEventsMove
//     identities.value $in} with a projection
//   - erase to tombstones: UpdateMany {workspace, profileId};   TestCompatEventsAThousand
//     embedded: erasures journal ReplaceOne upsert / FindOne /
//     DeleteOne, DeleteMany {_id range, workspace, profileId},
//     InsertMany tombstones with duplicates
//
// merges and conflicts (compat_records_test.go)
//   - InsertOne merge record; duplicate is errs.Conflict       TestCompatMerges
//   - ReplaceOne {_id}                                         TestCompatMerges
//   - Find {status $nin}, sort at, limit, any workspace        TestCompatMerges
//   - Find {workspace, involved: id}, sort at -1, _id -1       TestCompatMerges
//   - UpdateMany {workspace, involved} $set + $unset           TestCompatMerges, TestCompatPurgers
//   - InsertOne conflict, duplicate ignored                    TestCompatConflicts
//   - Find {workspace, $or [{at $lt}, {at, _id $lt}]},         TestCompatConflicts
//     sort at -1, _id -1, limit; CountDocuments {workspace}
//   - UpdateMany {workspace, profileIds: id} $set              TestCompatConflicts, TestCompatPurgers
//
// imports (bulk import jobs, compat_imports_test.go)
//   - InsertOne, FindOne {_id}                                 TestCompatImports
//   - embedded: FindOne {_id} then UpdateOne {_id} under the    TestCompatImports
//     job's lock; MongoDB: UpdateOne {_id, status, chunks} or
//     {_id, pending.cN $exists}: $set (dotted) + $inc (dotted)
//     + $push $each; $unset pending.cN + $inc; $set status
//   - Find {status, node}, any workspace                       TestCompatImports

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/server/servertest"
	"github.com/cdp-dev/cdp/internal/store"
	"github.com/cdp-dev/cdp/internal/workspace"
)

// The package's TestMain is in bulk_test.go (package store); these tests
// take fresh databases of servertest's shared embedded store.

const (
	acme  auth.Workspace = "acme"
	other auth.Workspace = "other"
)

// open returns a fresh database with the product's indexes, and a context
// without a deadline, as the product's HTTP requests have (see
// TestCompatEventsRecountUnderADeadline for why that matters).
func open(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st := servertest.Store(t)
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	return st, ctx
}

// bounded is ctx with a deadline, for writes that may never return on the
// embedded store: they fail the test instead of hanging the binary.
func bounded(t *testing.T, ctx context.Context) context.Context {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// ts returns a time m minutes after a fixed origin, at the millisecond
// precision the store keeps.
func ts(m int) time.Time {
	return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(m) * time.Minute)
}

func TestCompatEnsureIndexes(t *testing.T) {
	st, ctx := open(t) // creates them on an empty database
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatalf("second EnsureIndexes: %v", err)
	}
	if _, err := st.Profiles().Count(ctx, acme, profile.Filter{}); err != nil {
		t.Fatalf("query after EnsureIndexes: %v", err)
	}
}

func TestCompatWorkspaces(t *testing.T) {
	st, ctx := open(t)
	w := st.Workspaces()
	got, ok, err := w.Get(ctx, acme)
	if err != nil || ok || got.ID != acme || got.DefaultRegion != "" || len(got.IdentityRules) != 0 {
		t.Fatalf("Get before Put = %+v, %v, %v; want empty settings, not stored", got, ok, err)
	}
	want := workspace.Settings{ID: acme, DefaultRegion: "TH", IdentityRules: identity.Rules{
		"crm_id":       {Type: "crm_id", Priority: 100, MaxPerProfile: 1, BlockedValues: []string{"0"}},
		"loyalty_card": {Type: "loyalty_card", Priority: 5, MaxPerProfile: 2, BlockedValues: []string{"LC-000", "n/a"}},
	}}
	for _, region := range []string{"TH", "US"} { // an insert, then a replace of the same _id
		want.DefaultRegion = region
		if err := w.Put(ctx, want); err != nil {
			t.Fatalf("Put %s: %v", region, err)
		}
		got, ok, err = w.Get(ctx, acme)
		if err != nil || !ok || !reflect.DeepEqual(got, want) {
			t.Fatalf("Get after Put = %+v, %v, %v\nwant %+v", got, ok, err, want)
		}
	}
	if got, ok, err := w.Get(ctx, other); err != nil || ok || got.DefaultRegion != "" {
		t.Errorf("another workspace = %+v, %v, %v", got, ok, err)
	}
}
