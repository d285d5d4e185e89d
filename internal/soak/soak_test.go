package soak

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A short soak runs end to end and reports its numbers.
func TestRunShortSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and an embedded store")
	}
	var out strings.Builder
	err := Run(context.Background(), Options{Duration: 2 * time.Second, Subscribers: 5, Rate: 50}, &out)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"5 subscribers live", "events sent", "goroutines", "heap", "PASS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunRefusesNonPositiveOptions(t *testing.T) {
	for _, o := range []Options{{Subscribers: 1, Rate: 1}, {Duration: time.Second, Rate: 1}, {Duration: time.Second, Subscribers: 1}} {
		if err := Run(context.Background(), o, &strings.Builder{}); err == nil {
			t.Errorf("Run(%+v) = nil, want an error", o)
		}
	}
}
