package segment

import (
	"strings"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/profile"
)

var now = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

// customer is a profile with traits, an identifier, consent and orders
// folded by the default rules plus the tallies of conds.
func customer(conds ...*EventCond) *profile.Profile {
	fr := &profile.FoldRules{OrderTypes: []string{"order_completed"}, Offline: []string{"pos"}}
	for _, c := range conds {
		fr.Conditions = append(fr.Conditions, profile.Condition{Key: c.Key(), Match: c.matcher()})
	}
	p := &profile.Profile{Traits: map[string]any{"tier": "gold", "address": map[string]any{"city": "Bangkok"}, "age": 31.0,
		"tags": []any{"vip", "line"}},
		Identities: []profile.Identity{{Type: "line_uid", Value: "U1"}},
		Consent:    []profile.Consent{{Channel: "line", Purpose: profile.DefaultPurpose, Granted: true}}}
	for _, f := range []profile.Fact{
		{Type: "order_completed", Channel: "web", At: now.Add(-48 * time.Hour), Properties: map[string]any{"revenue": 100.0}},
		{Type: "order_completed", Channel: "pos", At: now.Add(-40 * 24 * time.Hour), Properties: map[string]any{"total": 250.0}},
		{Type: "page_view", Channel: "web", At: now.Add(-2 * time.Hour), Properties: map[string]any{"path": "/sale/tv"}},
	} {
		p.Computed.Add(fr, f, 1)
	}
	return p
}

func TestEval(t *testing.T) {
	f := func(path string, op Op, v any) *Field { return &Field{Path: path, Op: op, Value: v} }
	recent := &EventCond{Type: "order_completed", WithinDays: 30}
	sale := &EventCond{Type: "page_view", Where: []*Field{f("path", StartsWith, "/sale")}, WithinHours: 3}
	twice := &EventCond{Type: "order_completed", Count: &CountCond{Op: GTE, Value: 2}}
	tests := []struct {
		name string
		rule *Node
		want bool
	}{
		{"trait EQ", &Node{Trait: f("tier", EQ, "gold")}, true},
		{"nested trait", &Node{Trait: f("address.city", In, []any{"Phuket", "Bangkok"})}, true},
		{"list CONTAINS", &Node{Trait: f("tags", Contains, "vip")}, true},
		{"missing NE", &Node{Trait: f("nope", NE, 1.0)}, true},
		{"missing EXISTS false", &Node{Trait: f("nope", Exists, false)}, true},
		{"BETWEEN", &Node{Trait: f("age", Between, []any{30.0, 40.0})}, true},
		{"GT on text is text order", &Node{Trait: f("tier", GT, "a")}, true},
		{"computed revenue", &Node{Computed: f("revenue", EQ, 350.0)}, true},
		{"channel mix", &Node{Computed: f("channelMix", EQ, "OMNICHANNEL")}, true},
		{"last order after", &Node{Computed: f("lastOrderAt", GT, "2026-06-01T00:00:00Z")}, true},
		{"no RFM yet", &Node{Computed: f("rfm.label", Exists, nil)}, false},
		{"event in window", &Node{Event: recent}, true},
		{"event where, hours", &Node{Event: sale}, true},
		{"event count", &Node{Event: twice}, true},
		{"identity", &Node{Identity: &IdentityCond{Type: "email", Exists: false}}, true},
		{"consent", &Node{Consent: &ConsentCond{Channel: "line", Granted: true}}, true},
		{"consent never given", &Node{Consent: &ConsentCond{Channel: "sms", Granted: false}}, true},
		{"all/not", &Node{All: []*Node{{Trait: f("tier", EQ, "gold")}, {Not: &Node{Event: recent}}}}, false},
		{"any", &Node{Any: []*Node{{Trait: f("tier", EQ, "silver")}, {Event: twice}}}, true},
	}
	p := customer(recent, sale, twice)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Validate(tt.rule); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if got, _ := Eval(tt.rule, p, now); got != tt.want {
				t.Errorf("Eval = %v; want %v", got, tt.want)
			}
		})
	}
}

// TestWindowLapses: the answer changes when the window passes the event,
// at the time Eval announced.
func TestWindowLapses(t *testing.T) {
	recent := &EventCond{Type: "order_completed", WithinDays: 30}
	rule := &Node{Event: recent}
	p := customer(recent)
	ok, next := Eval(rule, p, now)
	if !ok || next.IsZero() {
		t.Fatalf("now: %v, next %v; want a member with a time to look again", ok, next)
	}
	if ok, _ := Eval(rule, p, next.Add(-time.Second)); !ok {
		t.Errorf("a second before the announced time: not a member")
	}
	if ok, _ := Eval(rule, p, next); ok {
		t.Errorf("at the announced time %v: still a member", next)
	}
}

func TestValidateNamesThePath(t *testing.T) {
	for _, tt := range []struct {
		rule *Node
		path string
	}{
		{&Node{}, "rule"},
		{&Node{All: []*Node{}}, "rule.all"},
		{&Node{Any: []*Node{{Computed: &Field{Path: "x", Op: EQ, Value: 1.0}}}}, "rule.any[0].computed.path"},
		{&Node{Computed: &Field{Path: "revenue", Op: GT, Value: "a lot"}}, "rule.computed.value"},
		{&Node{Computed: &Field{Path: "lastOrderAt", Op: GT, Value: "yesterday"}}, "rule.computed.value"},
		{&Node{Trait: &Field{Path: "a..b", Op: EQ, Value: 1.0}}, "rule.trait.path"},
		{&Node{Trait: &Field{Path: "a", Op: "LIKE", Value: 1.0}}, "rule.trait.op"},
		{&Node{Trait: &Field{Path: "a", Op: EQ, Value: map[string]any{"$gt": 1.0}}}, "rule.trait.value"},
		{&Node{Event: &EventCond{Type: "x", WithinHours: 500}}, "rule.event.withinHours"},
		{&Node{Event: &EventCond{Type: "x", Count: &CountCond{Op: In, Value: 1}}}, "rule.event.count.op"},
	} {
		err := Validate(tt.rule)
		if err == nil || !containsField(err, tt.path) {
			t.Errorf("Validate(%+v) = %v; want the path %s", tt.rule, err, tt.path)
		}
	}
}

// containsField reports whether err names path, or a field under it.
func containsField(err error, path string) bool {
	e, ok := errs.As(err)
	return ok && e.Kind == errs.BadInput && (e.Field == path || strings.HasPrefix(e.Field, path+"."))
}
