package store_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
)

var (
	email = identity.Identifier{Type: "email", Value: "ann@example.com"}
	line  = identity.Identifier{Type: "line_uid", Value: "U1"}
	phone = identity.Identifier{Type: "phone", Value: "+66812345678"}
	crm   = identity.Identifier{Type: "crm_id", Value: "C1"}
)

func TestCompatIdentities(t *testing.T) {
	st, ctx := open(t)
	x := st.Identities()
	owners := func(ws auth.Workspace) map[identity.Identifier]string {
		t.Helper()
		got, err := x.Owners(ctx, ws, []identity.Identifier{email, line, phone, crm})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	claim := func(ws auth.Workspace, id identity.Identifier, pid, want string) {
		t.Helper()
		if got, err := x.Claim(ctx, ws, id, pid); err != nil || got != want {
			t.Fatalf("Claim(%s, %s, %s) = %q, %v; want %q", ws, id, pid, got, err, want)
		}
	}
	expect := func(ws auth.Workspace, want map[identity.Identifier]string) {
		t.Helper()
		if got := owners(ws); !reflect.DeepEqual(got, want) {
			t.Fatalf("Owners(%s) = %v, want %v", ws, got, want)
		}
	}

	// InsertOne claims; a duplicate _id reads the holder with FindOne {_id}.
	claim(acme, email, "p1", "p1")
	claim(acme, line, "p1", "p1")
	claim(acme, phone, "p1", "p1")
	claim(acme, email, "p1", "p1")  // again: already ours
	claim(acme, email, "p2", "p1")  // someone else's
	claim(other, email, "q1", "q1") // the same identifier in another workspace
	expect(acme, map[identity.Identifier]string{email: "p1", line: "p1", phone: "p1"})
	expect(other, map[identity.Identifier]string{email: "q1"})

	// Bulk UpdateOne {_id} $set moves identifiers; an unclaimed one is not created.
	if err := x.Assign(ctx, acme, []identity.Identifier{line, phone, crm}, "p2"); err != nil {
		t.Fatal(err)
	}
	expect(acme, map[identity.Identifier]string{email: "p1", line: "p2", phone: "p2"})
	expect(other, map[identity.Identifier]string{email: "q1"})

	// DeleteOne {_id} after the holder check.
	for _, c := range []struct {
		id  identity.Identifier
		pid string
	}{{line, "p1"}, {phone, "p2"}, {crm, "p2"}} {
		if err := x.Release(ctx, acme, c.id, c.pid); err != nil {
			t.Fatalf("Release(%s, %s): %v", c.id, c.pid, err)
		}
	}
	expect(acme, map[identity.Identifier]string{email: "p1", line: "p2"})
	claim(acme, phone, "p3", "p3") // a released identifier can be claimed again

	// DeleteMany {workspace, profileId}.
	claim(other, line, "p2", "p2") // same profile id, other workspace: kept
	if n, err := x.DeleteByProfile(ctx, acme, "p2"); err != nil || n != 1 {
		t.Fatalf("DeleteByProfile = %d, %v; want 1", n, err)
	}
	expect(acme, map[identity.Identifier]string{email: "p1", phone: "p3"})
	expect(other, map[identity.Identifier]string{email: "q1", line: "p2"})
	if n, err := x.DeleteByProfile(ctx, acme, "nobody"); err != nil || n != 0 {
		t.Errorf("DeleteByProfile of nobody = %d, %v", n, err)
	}
}

// TestCompatIdentitiesAssignAThousand moves the identifiers of a profile
// holding 1,000 of them, as a merge does (device_id and anonymous_id have
// no limit per profile).
func TestCompatIdentitiesAssignAThousand(t *testing.T) {
	st, ctx := open(t)
	ctx = bounded(t, ctx)
	x := st.Identities()
	ids := make([]identity.Identifier, 1000)
	for i := range ids {
		ids[i] = identity.Identifier{Type: "device_id", Value: fmt.Sprintf("d%04d", i)}
		if _, err := x.Claim(ctx, acme, ids[i], "p1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Assign(ctx, acme, ids, "p2"); err != nil {
		t.Fatalf("Assign of 1,000: %v", err)
	}
	got, err := x.Owners(ctx, acme, ids)
	if err != nil || len(got) != len(ids) || got[ids[999]] != "p2" {
		t.Fatalf("Owners after Assign: %d, %v", len(got), err)
	}
	if n, err := x.DeleteByProfile(ctx, acme, "p2"); err != nil || n != 1000 {
		t.Errorf("DeleteByProfile = %d, %v; want 1000", n, err)
	}
}
