package segment

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/profile"
)

// FuzzValidate feeds rules, as JSON trees, to the rule validator: it never
// panics, refuses with BAD_USER_INPUT naming a path under "rule", and what
// it accepts keeps the rule language's limits (checked here independently)
// and evaluates against a profile, and against its own event tallies,
// without panicking.
func FuzzValidate(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var n Node
		if dec.Decode(&n) != nil {
			return
		}
		if err := Validate(&n); err != nil {
			e, ok := errs.As(err)
			if !ok || e.Kind != errs.BadInput || !strings.HasPrefix(e.Field, "rule") {
				t.Fatalf("refusal is not a BAD_USER_INPUT naming a path: %v", err)
			}
			return
		}
		nodes := 0
		checkAcceptedNode(t, &n, 1, &nodes)
		n.prepare()
		Eval(&n, customer(n.Events()...), now)
		Eval(&n, &profile.Profile{}, now)
	})
}

// checkAcceptedNode walks an accepted rule and fails on what the language
// forbids.
func checkAcceptedNode(t *testing.T, n *Node, depth int, nodes *int) {
	*nodes++
	if depth > maxDepth || *nodes > maxNodes {
		t.Fatalf("accepted depth %d, %d nodes", depth, *nodes)
	}
	kinds := 0
	for _, set := range []bool{len(n.All) > 0, len(n.Any) > 0, n.Not != nil, n.Trait != nil, n.Computed != nil,
		n.Event != nil, n.Identity != nil, n.Consent != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		t.Fatalf("accepted a node with %d kinds", kinds)
	}
	for _, f := range n.fields() {
		if f.Path == "" || strings.HasPrefix(f.Path, "$") || strings.Contains(f.Path, "..") || len(f.Path) > 256 {
			t.Fatalf("accepted path %q", f.Path)
		}
	}
	for _, c := range append(append([]*Node{}, n.All...), n.Any...) {
		checkAcceptedNode(t, c, depth+1, nodes)
	}
	if n.Not != nil {
		checkAcceptedNode(t, n.Not, depth+1, nodes)
	}
}

// fields lists a node's own field comparisons (not its children's).
func (n *Node) fields() []*Field {
	var fs []*Field
	for _, f := range []*Field{n.Trait, n.Computed} {
		if f != nil {
			fs = append(fs, f)
		}
	}
	if n.Event != nil {
		fs = append(fs, n.Event.Where...)
	}
	return fs
}
