package store_test

import (
	"fmt"
	"testing"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
)

// TestCompatProfilesReplaceMany writes 1,000 profiles in bulk, one of them
// changed meanwhile, then checks what was stored, and that the segments
// filter and the re-evaluation query see it.
func TestCompatProfilesReplaceMany(t *testing.T) {
	st, ctx := open(t)
	ws := auth.Workspace("acme")
	ps := make([]*profile.Profile, 1000)
	for i := range ps {
		ps[i] = full(ws, fmt.Sprintf("p%04d", i))
	}
	if err := st.Profiles().InsertMany(ctx, ps); err != nil {
		t.Fatal(err)
	}
	moved := *ps[7]
	moved.Version++
	if err := st.Profiles().Replace(ctx, &moved, ps[7].Version); err != nil {
		t.Fatal(err)
	}
	versions := make([]int64, len(ps))
	next := make([]*profile.Profile, len(ps))
	for i, p := range ps {
		c := *p
		versions[i], c.Version = p.Version, p.Version+1
		c.Segments = []string{"s1"}
		next[i] = &c
	}
	stale, err := st.Profiles().ReplaceMany(ctx, next, versions)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range stale {
		if s != (i == 7) {
			t.Fatalf("stale[%d] = %v", i, s)
		}
	}
	n, err := st.Profiles().Count(ctx, ws, profile.Filter{Segment: "s1"})
	if err != nil || n != 999 {
		t.Fatalf("members of s1 = %d, %v; want 999", n, err)
	}
	got, err := st.Profiles().Get(ctx, ws, "p0999")
	if err != nil || got.Version != ps[999].Version+1 || len(got.Segments) != 1 {
		t.Fatalf("p0999 = %+v, %v", got, err)
	}
}
