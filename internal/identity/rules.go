package identity

import (
	"cmp"
	"slices"
	"strings"

	"github.com/cdp-dev/cdp/internal/document"
	"github.com/cdp-dev/cdp/internal/errs"
)

// Rule is a workspace's policy for one identifier type.
type Rule struct {
	Type          string
	Priority      int      // higher decides the survivor of a merge; 0..1000
	MaxPerProfile int      // 0 means unlimited; 0..100
	BlockedValues []string // compared trimmed and case-insensitively
}

// Rules is the full policy of a workspace, keyed by type.
type Rules map[string]Rule

// Limits checked by ValidateRule, and the default priority of custom types.
const (
	ruleMaxPriority      = 1000
	ruleMaxPerProfile    = 100
	ruleMaxBlockedValues = 1000
	ruleCustomPriority   = 20
)

var defaultBlocked = []string{
	"", "null", "nil", "undefined", "unknown", "none", "0", "-1", "n/a", "na",
	"nan", "true", "false", "anonymous", "guest", "test", "[object object]",
	"not_authenticated", "distinct_id", "id",
}

// emailDefaultBlocked is the default blocked list of email.
var emailDefaultBlocked = slices.Concat(defaultBlocked, []string{
	"test@test.com", "test@example.com", "example@example.com",
	"noemail@noemail.com", "no@email.com", "none@none.com",
})

// builtinPolicy holds the default priority and max-per-profile of each
// built-in type.
var builtinPolicy = map[string][2]int{
	"crm_id": {100, 1}, "member_id": {90, 1}, "line_uid": {80, 1},
	"email": {70, 5}, "phone": {60, 5},
	"whatsapp": {50, 5}, "messenger_psid": {50, 5}, "instagram_id": {50, 5},
	"device_id": {10, 0}, "anonymous_id": {0, 0},
}

// DefaultBlocked returns the junk values blocked for every type by default.
// The slice is a fresh copy the caller may modify.
func DefaultBlocked() []string { return slices.Clone(defaultBlocked) }

// DefaultRules returns the default rule of every built-in type. The result
// shares no memory with other calls.
func DefaultRules() Rules {
	out := make(Rules, len(builtinPolicy))
	for _, t := range builtinTypes {
		out[t] = defaultRule(t)
	}
	return out
}

// defaultRule returns the built-in default of typ, or the fallback rule of a
// custom type.
func defaultRule(typ string) Rule {
	var none Rules
	p, m := none.policy(typ)
	return Rule{Type: typ, Priority: p, MaxPerProfile: m, BlockedValues: slices.Clone(none.blocked(typ))}
}

// For returns the rule of a type: the configured one, else the built-in
// default, else (custom types) priority 20, unlimited, DefaultBlocked().
func (r Rules) For(typ string) Rule {
	if rule, ok := r[typ]; ok {
		rule.Type = typ
		return rule
	}
	return defaultRule(typ)
}

// policy returns the priority and max-per-profile of typ without copying
// its blocked values.
func (r Rules) policy(typ string) (priority, maxPerProfile int) {
	if rule, ok := r[typ]; ok {
		return rule.Priority, rule.MaxPerProfile
	}
	if p, ok := builtinPolicy[typ]; ok {
		return p[0], p[1]
	}
	return ruleCustomPriority, 0
}

// blocked returns the blocked values of typ without copying them; the
// caller must not modify the result.
func (r Rules) blocked(typ string) []string {
	if rule, ok := r[typ]; ok {
		return rule.BlockedValues
	}
	if typ == "email" {
		return emailDefaultBlocked
	}
	return defaultBlocked
}

// Merge returns a copy of r with the given rules replacing the ones of their
// types. Neither r nor changes is modified.
func (r Rules) Merge(changes []Rule) Rules {
	out := make(Rules, len(r)+len(changes))
	for t, rule := range r {
		rule.BlockedValues = slices.Clone(rule.BlockedValues)
		out[t] = rule
	}
	for _, c := range changes {
		c.BlockedValues = slices.Clone(c.BlockedValues)
		out[c.Type] = c
	}
	return out
}

// List returns every rule of r plus the defaults of the built-in types r
// lacks, sorted by descending Priority then Type.
func (r Rules) List() []Rule {
	out := make([]Rule, 0, len(r)+len(builtinTypes))
	for t := range r {
		out = append(out, r.For(t))
	}
	for _, t := range builtinTypes {
		if _, ok := r[t]; !ok {
			out = append(out, defaultRule(t))
		}
	}
	slices.SortFunc(out, func(a, b Rule) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), strings.Compare(a.Type, b.Type))
	})
	return out
}

// Blocked reports whether id's value is blocked by its type's rule: its
// trimmed, lower-cased value is one of the rule's BlockedValues (also trimmed
// and lower-cased), or it is made only of '0' and '-' (e.g. "000", "0-0").
func (r Rules) Blocked(id Identifier) bool {
	v := strings.ToLower(strings.TrimSpace(id.Value))
	if v != "" && strings.Trim(v, "0-") == "" {
		return true
	}
	for _, b := range r.blocked(id.Type) {
		if strings.ToLower(strings.TrimSpace(b)) == v {
			return true
		}
	}
	return false
}

// ValidateRule checks a rule from a client: a valid type, Priority 0..1000,
// MaxPerProfile 0..100, at most 1000 blocked values of at most 256 bytes
// each. Failures are errs.BadInput naming the offending field.
func ValidateRule(r Rule) error {
	switch {
	case !ValidType(r.Type):
		return errs.Newf(errs.BadInput,
			"invalid identity type %q: types match [a-z][a-z0-9_]{0,31}", document.Clip(r.Type)).
			WithField("rules.type")
	case r.Priority < 0 || r.Priority > ruleMaxPriority:
		return errs.Newf(errs.BadInput, "priority of %q must be between 0 and %d, got %d",
			r.Type, ruleMaxPriority, r.Priority).WithField("rules.priority")
	case r.MaxPerProfile < 0 || r.MaxPerProfile > ruleMaxPerProfile:
		return errs.Newf(errs.BadInput, "maxPerProfile of %q must be between 0 and %d, got %d",
			r.Type, ruleMaxPerProfile, r.MaxPerProfile).WithField("rules.maxPerProfile")
	case len(r.BlockedValues) > ruleMaxBlockedValues:
		return errs.Newf(errs.BadInput, "%q has %d blocked values, max %d",
			r.Type, len(r.BlockedValues), ruleMaxBlockedValues).WithField("rules.blockedValues")
	}
	for _, b := range r.BlockedValues {
		if len(b) > MaxValueLen {
			return errs.Newf(errs.BadInput, "blocked value %q of %q is too long: %d bytes, max %d",
				document.Clip(b), r.Type, len(b), MaxValueLen).WithField("rules.blockedValues")
		}
	}
	return nil
}

// Split separates blocked identifiers from usable ones, preserving order.
func (r Rules) Split(ids []Identifier) (usable, blocked []Identifier) {
	for _, id := range ids {
		if r.Blocked(id) {
			blocked = append(blocked, id)
		} else {
			usable = append(usable, id)
		}
	}
	return usable, blocked
}

// Over returns, for a set of identifiers meant to sit on one profile, the
// types whose number of distinct identifiers exceeds their MaxPerProfile,
// sorted. Repeated identifiers count once.
func (r Rules) Over(ids []Identifier) []string {
	counts := map[string]int{}
	for _, id := range Dedupe(ids) {
		counts[id.Type]++
	}
	var over []string
	for t, n := range counts {
		if _, limit := r.policy(t); limit > 0 && n > limit {
			over = append(over, t)
		}
	}
	slices.Sort(over)
	return over
}

// Top returns the identifier of ids whose type has the highest Priority;
// ties go to the first in ids. ok is false when ids is empty.
func (r Rules) Top(ids []Identifier) (top Identifier, ok bool) {
	best := 0
	for _, id := range ids {
		if p, _ := r.policy(id.Type); !ok || p > best {
			top, best, ok = id, p, true
		}
	}
	return top, ok
}
