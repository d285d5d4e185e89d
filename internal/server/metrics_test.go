package server

import (
	"fmt"
	"testing"
)

// TestOperationLabelIsBounded checks that clients cannot grow the metrics'
// operation label without bound: past the first names, "other".
func TestOperationLabelIsBounded(t *testing.T) {
	var o operationNames
	for i := range maxOperationNames {
		if got := o.label(fmt.Sprint("op", i)); got != fmt.Sprint("op", i) {
			t.Fatalf("name %d: %q", i, got)
		}
	}
	for _, tt := range []struct{ in, want string }{{"op7", "op7"}, {"fresh", "other"}, {"anonymous", "anonymous"}, {"", ""}} {
		if got := o.label(tt.in); got != tt.want {
			t.Errorf("label(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
