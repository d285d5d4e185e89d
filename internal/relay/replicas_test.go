package relay_test

import (
	"context"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cdp-dev/cdp/internal/server/servertest"
	"github.com/cdp-dev/cdp/internal/store"
)

// openShared opens the MongoDB of MONGODB_URI as one replica does, on the
// database db, or skips the test when there is no replica set to open.
func openShared(t *testing.T, db string) *store.Store {
	t.Helper()
	uri := os.Getenv("MONGODB_URI")
	if uri == "" {
		t.Skip("MONGODB_URI is not set: this test needs a MongoDB replica set (6.0 or later)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, store.Options{URI: uri, Database: db, Logger: servertest.Quiet()})
	if err != nil {
		t.Fatalf("open %s: %v", db, err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	var hello struct {
		SetName string `bson:"setName"`
		Msg     string `bson:"msg"`
	}
	if err := st.Raw().RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		t.Fatalf("hello: %v", err)
	}
	if hello.SetName == "" && hello.Msg != "isdbgrid" {
		t.Skip("MONGODB_URI is not a replica set or a sharded cluster: no change streams")
	}
	return st
}

// TestReplicasSeeEachOthersSegmentEntries runs two replicas on one MongoDB:
// a subscriber on replica B sees a profile enter a segment, and the
// profile's update with its reason, when the write goes through replica A.
func TestReplicasSeeEachOthersSegmentEntries(t *testing.T) {
	db := servertest.DBName(t)
	stA, stB := openShared(t, db), openShared(t, db)
	t.Cleanup(func() { _ = stA.Drop(context.Background()) })
	a := servertest.StartWith(t, servertest.Options{Store: stA})
	b := servertest.StartWith(t, servertest.Options{Store: stB})
	tok := servertest.Token(t, "acme")
	seg := servertest.Str(a.MustDo(t, tok, `mutation($in: SegmentInput!) { createSegment(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"name": "pro", "rule": map[string]any{"trait": map[string]any{"path": "plan", "op": "EQ", "value": "pro"}}}}),
		"createSegment", "id")
	waitReady(t, a, tok, seg)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	members := b.SSE(t, ctx, tok, `subscription { segmentMembershipChanged { segmentId profileId entered } }`)
	profiles := b.SSE(t, ctx, tok, `subscription { profileChanged { reason profile { id traits } } }`)
	if err := b.App.WaitSubscribers(ctx, 2); err != nil {
		t.Fatal(err)
	}
	d := a.MustDo(t, tok, `mutation($in: IdentifyInput!) { identify(input: $in) { profile { id } } }`, map[string]any{"in": map[string]any{
		"identities": []any{map[string]any{"type": "email", "value": "ann@example.com"}}, "traits": map[string]any{"plan": "pro"}}})
	ann := servertest.Str(d, "identify", "profile", "id")

	servertest.Expect(t, ctx, members, seg, ann, `"entered":true`)
	servertest.Expect(t, ctx, profiles, ann, `"reason":"identify"`, `"plan":"pro"`)
}

// waitReady blocks until the segment's build is done.
func waitReady(t *testing.T, s *servertest.Server, tok, id string) {
	t.Helper()
	for range 600 {
		d := s.MustDo(t, tok, `query($id: ID!) { segment(id: $id) { status } }`, map[string]any{"id": id})
		if servertest.Str(d, "segment", "status") == "READY" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("segment %s never became READY", id)
}
