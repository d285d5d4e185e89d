package demo_test

import (
	"context"
	"testing"

	"github.com/cdp-dev/cdp/internal/demo"
	"github.com/cdp-dev/cdp/internal/server/servertest"
)

func TestMain(m *testing.M) { servertest.Main(m) }

// TestSeedThroughTheAPI seeds 50 customers into a real server twice: the
// first run creates the profiles identity resolution should leave, the
// second stores nothing new.
func TestSeedThroughTheAPI(t *testing.T) {
	srv := servertest.Start(t)
	o := demo.Options{URL: srv.URL, Token: servertest.Token(t, "demo"), Seed: 1, Customers: 50}
	rep, err := demo.Seed(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Profiles != rep.ExpectedProfiles || rep.Profiles < 50 {
		t.Errorf("%d profiles after resolution, want %d (at least one per customer)", rep.Profiles, rep.ExpectedProfiles)
	}
	if rep.Accepted != rep.Events || rep.Duplicates != 0 || !rep.FoldDrained {
		t.Errorf("events: %d sent, %d accepted, %d duplicates, fold drained %v", rep.Events, rep.Accepted, rep.Duplicates, rep.FoldDrained)
	}
	checkSegments(t, rep)

	again, err := demo.Seed(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if again.Profiles != rep.Profiles || again.ProfilesCreated != 0 || again.Merges != 0 {
		t.Errorf("rerun: %d profiles (%d created, %d merges), want %d and none new", again.Profiles,
			again.ProfilesCreated, again.Merges, rep.Profiles)
	}
	if again.Accepted != 0 || again.Duplicates != rep.Events {
		t.Errorf("rerun: %d events accepted, %d duplicates; want 0 and %d", again.Accepted, again.Duplicates, rep.Events)
	}
	for _, s := range again.Segments {
		if !s.Existed {
			t.Errorf("rerun created segment %q again", s.Name)
		}
	}
}

// checkSegments accepts a server without segments or RFM yet, saying so.
func checkSegments(t *testing.T, rep demo.Report) {
	t.Helper()
	switch {
	case demo.Unsupported(rep.RFM):
		t.Logf("skipping the RFM check: %v", rep.RFM)
	case rep.RFM != nil:
		t.Errorf("recomputeRfm: %v", rep.RFM)
	}
	switch {
	case demo.Unsupported(rep.SegmentsErr):
		t.Logf("skipping the segment checks: %v", rep.SegmentsErr)
	case rep.SegmentsErr != nil:
		t.Errorf("createSegment: %v", rep.SegmentsErr)
	case len(rep.Segments) != len(demo.Segments()):
		t.Errorf("%d segments created, want %d", len(rep.Segments), len(demo.Segments()))
	}
	for _, s := range rep.Segments {
		if s.Existed || s.ID == "" || s.Status != "READY" {
			t.Errorf("segment %+v, want created and built (READY)", s)
		}
	}
}
