package arch

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/cdp-dev/cdp/"

// allowed lists, for each package whose imports are policed, the module
// packages it may import. Domain packages form one chain:
// resolvers -> segment -> event -> identity -> profile -> {document, errs,
// page, auth}; segment -> rfm (pure scoring); workspace -> identity;
// imports -> {event, identity}; relay -> profile (it calls the profile
// write hooks, so it needs no segment or pubsub import); store implements
// the domain packages' interfaces, relay's change stream among them.
// Anything else between these packages is a sideways or upward import.
var allowed = map[string][]string{
	"resolvers":          {"graph", "model", "internal/segment", "internal/event", "internal/imports", "internal/identity", "internal/profile", "internal/workspace", "internal/pubsub", "internal/document", "internal/errs", "internal/page", "internal/auth"},
	"internal/segment":   {"internal/event", "internal/rfm", "internal/identity", "internal/profile", "internal/document", "internal/errs", "internal/page", "internal/auth"},
	"internal/rfm":       {},
	"internal/event":     {"internal/identity", "internal/profile", "internal/document", "internal/errs", "internal/page", "internal/auth"},
	"internal/identity":  {"internal/profile", "internal/document", "internal/errs", "internal/page", "internal/auth"},
	"internal/profile":   {"internal/document", "internal/errs", "internal/page", "internal/auth"},
	"internal/workspace": {"internal/identity", "internal/document", "internal/errs", "internal/auth"},
	"internal/imports":   {"internal/event", "internal/identity", "internal/document", "internal/errs", "internal/auth"},
	"internal/relay":     {"internal/profile", "internal/document", "internal/errs", "internal/auth"},
	"internal/store":     {"internal/segment", "internal/relay", "internal/rfm", "internal/event", "internal/imports", "internal/identity", "internal/profile", "internal/workspace", "internal/document", "internal/errs", "internal/page", "internal/auth"},
	"internal/document":  {"internal/errs"},
	"internal/page":      {"internal/errs"},
	"internal/auth":      {"internal/errs"},
	"internal/pubsub":    {"internal/errs"},
	"internal/errs":      {},
}

type listed struct {
	ImportPath string
	Imports    []string
}

// TestImportsFlowOneWay fails on any import between the policed packages
// that the layering does not allow.
func TestImportsFlowOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var p listed
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, module)
		ok, policed := allowed[name]
		if !policed {
			continue
		}
		seen++
		for _, imp := range p.Imports {
			dep, inModule := strings.CutPrefix(imp, module)
			if inModule && !slices.Contains(ok, dep) {
				t.Errorf("%s imports %s: not allowed by the layering", name, dep)
			}
		}
	}
	if seen != len(allowed) {
		t.Errorf("go list showed %d of the %d policed packages", seen, len(allowed))
	}
}
