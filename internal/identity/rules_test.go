package identity

import (
	"slices"
	"strings"
	"testing"

	"github.com/cdp-dev/cdp/internal/errs"
)

func ruleID(t, v string) Identifier { return Identifier{Type: t, Value: v} }

func TestRulesFor(t *testing.T) {
	custom := Rules{"email": {Type: "email", Priority: 5, MaxPerProfile: 2}}
	tests := []struct {
		rules      Rules
		typ        string
		prio, max  int
		blockedLen int
	}{
		{nil, "crm_id", 100, 1, len(DefaultBlocked())},
		{nil, "member_id", 90, 1, len(DefaultBlocked())},
		{nil, "email", 70, 5, len(DefaultBlocked()) + 6},
		{nil, "phone", 60, 5, len(DefaultBlocked())},
		{nil, "whatsapp", 50, 5, len(DefaultBlocked())},
		{nil, "device_id", 10, 0, len(DefaultBlocked())},
		{nil, "anonymous_id", 0, 0, len(DefaultBlocked())},
		{nil, "loyalty_no", 20, 0, len(DefaultBlocked())},
		{DefaultRules(), "loyalty_no", 20, 0, len(DefaultBlocked())},
		{custom, "email", 5, 2, 0},
		{custom, "phone", 60, 5, len(DefaultBlocked())},
	}
	for _, tt := range tests {
		got := tt.rules.For(tt.typ)
		if got.Type != tt.typ || got.Priority != tt.prio || got.MaxPerProfile != tt.max ||
			len(got.BlockedValues) != tt.blockedLen {
			t.Errorf("For(%q) = %+v, want priority %d max %d %d blocked",
				tt.typ, got, tt.prio, tt.max, tt.blockedLen)
		}
	}
	if d := DefaultRules(); len(d) != len(BuiltinTypes()) {
		t.Errorf("DefaultRules has %d rules, want %d", len(d), len(BuiltinTypes()))
	}
	d := Rules(nil).For("crm_id")
	d.BlockedValues[0] = "mutated"
	if Rules(nil).For("crm_id").BlockedValues[0] != "" || DefaultBlocked()[0] != "" {
		t.Error("defaults share memory with callers")
	}
}

func TestRulesMerge(t *testing.T) {
	base := Rules{"email": {Type: "email", Priority: 1, BlockedValues: []string{"a"}}}
	got := base.Merge([]Rule{
		{Type: "phone", Priority: 2},
		{Type: "loyalty_no", Priority: 3},
	})
	if len(base) != 1 || base["email"].Priority != 1 {
		t.Errorf("receiver mutated: %+v", base)
	}
	if got["email"].Priority != 1 || got["phone"].Priority != 2 || got["loyalty_no"].Priority != 3 {
		t.Errorf("Merge = %+v", got)
	}
	if _, ok := got["crm_id"]; ok {
		t.Error("Merge added an unnamed type")
	}
	got["email"].BlockedValues[0] = "b"
	if base["email"].BlockedValues[0] != "a" {
		t.Error("Merge shares blocked values with the receiver")
	}
	again := got.Merge([]Rule{{Type: "email", Priority: 9}})
	if again["email"].Priority != 9 || got["email"].Priority != 1 {
		t.Errorf("Merge replacing email = %+v", again["email"])
	}
}

func TestRulesList(t *testing.T) {
	rules := Rules{
		"email":      {Type: "email", Priority: 200},
		"loyalty_no": {Type: "loyalty_no", Priority: 50},
	}
	var got []string
	for _, r := range rules.List() {
		got = append(got, r.Type)
	}
	want := []string{"email", "crm_id", "member_id", "line_uid", "phone", "instagram_id",
		"loyalty_no", "messenger_psid", "whatsapp", "device_id", "anonymous_id"}
	if !slices.Equal(got, want) {
		t.Errorf("List = %v, want %v", got, want)
	}
}

func TestRulesBlocked(t *testing.T) {
	custom := Rules{"member_id": {Type: "member_id", BlockedValues: []string{" VIP "}}}
	tests := []struct {
		rules Rules
		id    Identifier
		want  bool
	}{
		{nil, ruleID("crm_id", "NULL"), true},
		{nil, ruleID("crm_id", " Undefined "), true},
		{nil, ruleID("crm_id", "000"), true},
		{nil, ruleID("crm_id", "-"), true},
		{nil, ruleID("crm_id", "0-0"), true},
		{nil, ruleID("crm_id", "-1"), true},
		{nil, ruleID("crm_id", ""), true},
		{nil, ruleID("crm_id", "[object Object]"), true},
		{nil, ruleID("crm_id", "Test"), true},
		{nil, ruleID("crm_id", "test@test.com"), false},
		{nil, ruleID("crm_id", "1000"), false},
		{nil, ruleID("crm_id", "C-42"), false},
		{nil, ruleID("email", "Test@Test.com"), true},
		{nil, ruleID("email", "no@email.com"), true},
		{nil, ruleID("email", "jane@example.com"), false},
		{nil, ruleID("loyalty_no", "guest"), true},
		{custom, ruleID("member_id", "vip"), true},
		{custom, ruleID("member_id", "null"), false},
		{custom, ruleID("member_id", "00"), true},
	}
	for _, tt := range tests {
		if got := tt.rules.Blocked(tt.id); got != tt.want {
			t.Errorf("Blocked(%v) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestRulesSplit(t *testing.T) {
	ids := []Identifier{ruleID("email", "a@b.co"), ruleID("crm_id", "null"), ruleID("phone", "+6591234567"),
		ruleID("device_id", "000")}
	usable, blocked := Rules(nil).Split(ids)
	if !slices.Equal(usable, []Identifier{ids[0], ids[2]}) || !slices.Equal(blocked, []Identifier{ids[1], ids[3]}) {
		t.Errorf("Split = %v, %v", usable, blocked)
	}
}

func manyRuleIDs(typ string, n int) []Identifier {
	var out []Identifier
	for i := range n {
		out = append(out, ruleID(typ, strings.Repeat("x", i+1)))
	}
	return out
}

func TestRulesOver(t *testing.T) {
	tests := []struct {
		name string
		ids  []Identifier
		want []string
	}{
		{"one crm_id", manyRuleIDs("crm_id", 1), nil},
		{"two crm_id", manyRuleIDs("crm_id", 2), []string{"crm_id"}},
		{"repeated crm_id", []Identifier{ruleID("crm_id", "1"), ruleID("crm_id", "1")}, nil},
		{"five emails", manyRuleIDs("email", 5), nil},
		{"six emails", manyRuleIDs("email", 6), []string{"email"}},
		{"sorted", slices.Concat(manyRuleIDs("email", 6), manyRuleIDs("member_id", 2), manyRuleIDs("crm_id", 2)),
			[]string{"crm_id", "email", "member_id"}},
		{"anonymous unlimited", manyRuleIDs("anonymous_id", 50), nil},
		{"custom unlimited", manyRuleIDs("loyalty_no", 50), nil},
	}
	for _, tt := range tests {
		if got := Rules(nil).Over(tt.ids); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Over = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRulesTop(t *testing.T) {
	custom := Rules{"device_id": {Type: "device_id", Priority: 500}}
	tests := []struct {
		rules Rules
		ids   []Identifier
		want  Identifier
		ok    bool
	}{
		{nil, nil, Identifier{}, false},
		{nil, []Identifier{ruleID("email", "a@b.co"), ruleID("crm_id", "1")}, ruleID("crm_id", "1"), true},
		{nil, []Identifier{ruleID("whatsapp", "1"), ruleID("instagram_id", "2")}, ruleID("whatsapp", "1"), true},
		{nil, []Identifier{ruleID("email", "a@b.co"), ruleID("email", "c@d.co")}, ruleID("email", "a@b.co"), true},
		{nil, []Identifier{ruleID("anonymous_id", "a"), ruleID("loyalty_no", "b")}, ruleID("loyalty_no", "b"), true},
		{custom, []Identifier{ruleID("crm_id", "1"), ruleID("device_id", "d")}, ruleID("device_id", "d"), true},
	}
	for _, tt := range tests {
		got, ok := tt.rules.Top(tt.ids)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Top(%v) = %v, %v; want %v, %v", tt.ids, got, ok, tt.want, tt.ok)
		}
	}
}

func TestValidateRule(t *testing.T) {
	long := strings.Repeat("x", MaxValueLen+1)
	tests := []struct {
		rule  Rule
		field string
	}{
		{Rule{Type: "email", Priority: 1000, MaxPerProfile: 100, BlockedValues: []string{"x"}}, ""},
		{Rule{Type: "loyalty_no"}, ""},
		{Rule{Type: "Bad-Type"}, "rules.type"},
		{Rule{Type: ""}, "rules.type"},
		{Rule{Type: "email", Priority: -1}, "rules.priority"},
		{Rule{Type: "email", Priority: 1001}, "rules.priority"},
		{Rule{Type: "email", MaxPerProfile: -1}, "rules.maxPerProfile"},
		{Rule{Type: "email", MaxPerProfile: 101}, "rules.maxPerProfile"},
		{Rule{Type: "email", BlockedValues: make([]string, 1001)}, "rules.blockedValues"},
		{Rule{Type: "email", BlockedValues: []string{"ok", long}}, "rules.blockedValues"},
	}
	for _, tt := range tests {
		err := ValidateRule(tt.rule)
		e, ok := errs.As(err)
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("ValidateRule(%q) = %v, want nil", tt.rule.Type, err)
		case tt.field != "" && (!ok || e.Kind != errs.BadInput || e.Field != tt.field):
			t.Errorf("ValidateRule(%q) = %#v, want BadInput on %s", tt.rule.Type, err, tt.field)
		}
	}
}
