package segment

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cdp-dev/cdp/internal/document"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/profile"
)

// Limits of a rule.
const (
	maxDepth    = 10
	maxNodes    = 200
	maxInValues = 1000
	maxText     = 1024
)

// pathRe is a dotted path of plain names: no `$`, no empty segment.
var pathRe = regexp.MustCompile(`^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$`)

// validPath checks a dotted path: plain names, at most 10 parts and 256 bytes.
func validPath(p string) bool {
	return len(p) <= 256 && strings.Count(p, ".") < 10 && pathRe.MatchString(p)
}

// computedKinds are the paths a computed condition may use, with the kind
// of value each holds.
var computedKinds = map[string]kind{
	"orderCount": kNumber, "revenue": kNumber, "averageOrderValue": kNumber,
	"firstOrderAt": kTime, "lastOrderAt": kTime, "channelMix": kText, "orderChannels": kText,
	"eventCount": kNumber, "firstSeen": kTime, "lastSeen": kTime, "channels": kText,
	"rfm.recencyDays": kNumber, "rfm.frequency": kNumber, "rfm.monetary": kNumber,
	"rfm.r": kNumber, "rfm.f": kNumber, "rfm.m": kNumber, "rfm.label": kText,
}

type kind int

const (
	kAny kind = iota
	kNumber
	kText
	kTime
)

// Validate checks a rule: exactly one kind per node, known operators and
// paths, values that fit them, bounded size. The error names the path of
// the bad node, e.g. rule.all[1].event.where[0].op.
func Validate(n *Node) error {
	count := 0
	return validateNode(n, "rule", 1, &count)
}

func bad(path, format string, args ...any) error {
	return errs.Newf(errs.BadInput, "%s: %s", path, fmt.Sprintf(format, args...)).WithField(path)
}

func validateNode(n *Node, path string, depth int, count *int) error {
	if n == nil {
		return bad(path, "a condition is required")
	}
	if *count++; *count > maxNodes {
		return bad(path, "a rule has at most %d conditions", maxNodes)
	}
	if depth > maxDepth {
		return bad(path, "a rule nests at most %d levels", maxDepth)
	}
	kinds := 0
	for _, set := range []bool{n.All != nil, n.Any != nil, n.Not != nil, n.Trait != nil, n.Computed != nil,
		n.Event != nil, n.Identity != nil, n.Consent != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return bad(path, "set exactly one of all, any, not, trait, computed, event, identity, consent (got %d)", kinds)
	}
	switch {
	case n.All != nil:
		return validateList(n.All, path+".all", depth, count)
	case n.Any != nil:
		return validateList(n.Any, path+".any", depth, count)
	case n.Not != nil:
		return validateNode(n.Not, path+".not", depth+1, count)
	case n.Trait != nil:
		return validateField(n.Trait, path+".trait", kAny)
	case n.Computed != nil:
		k, ok := computedKinds[n.Computed.Path]
		if !ok {
			return bad(path+".computed.path", "unknown computed value %q", document.Clip(n.Computed.Path))
		}
		return validateField(n.Computed, path+".computed", k)
	case n.Event != nil:
		return validateEvent(n.Event, path+".event")
	case n.Identity != nil:
		if !document.ValidName(n.Identity.Type) {
			return bad(path+".identity.type", "not an identifier type")
		}
	case n.Consent != nil:
		if !document.ValidName(n.Consent.Channel) {
			return bad(path+".consent.channel", "not a channel name")
		}
	}
	return nil
}

func validateList(ns []*Node, path string, depth int, count *int) error {
	if len(ns) == 0 {
		return bad(path, "needs at least one condition")
	}
	for i, c := range ns {
		if err := validateNode(c, fmt.Sprintf("%s[%d]", path, i), depth+1, count); err != nil {
			return err
		}
	}
	return nil
}

func validateEvent(e *EventCond, path string) error {
	if !document.ValidName(e.Type) {
		return bad(path+".type", "not an event type")
	}
	if e.Channel != "" && !document.ValidName(e.Channel) {
		return bad(path+".channel", "not a channel name")
	}
	for i, w := range e.Where {
		if w == nil {
			return bad(fmt.Sprintf("%s.where[%d]", path, i), "a condition is required")
		}
		if err := validateField(w, fmt.Sprintf("%s.where[%d]", path, i), kAny); err != nil {
			return err
		}
	}
	switch {
	case e.WithinDays != 0 && e.WithinHours != 0:
		return bad(path, "set withinDays or withinHours, not both")
	case e.WithinDays < 0 || e.WithinDays > profile.TallyDays-1:
		return bad(path+".withinDays", "must be between 1 and %d", profile.TallyDays-1)
	case e.WithinHours < 0 || e.WithinHours > profile.TallyHours:
		return bad(path+".withinHours", "must be between 1 and %d", profile.TallyHours)
	}
	if c := e.Count; c != nil {
		if !slices.Contains([]Op{EQ, NE, GT, GTE, LT, LTE}, c.Op) {
			return bad(path+".count.op", "a count compares with EQ, NE, GT, GTE, LT or LTE")
		}
		if c.Value < 0 {
			return bad(path+".count.value", "must not be negative")
		}
	}
	return nil
}

func validateField(f *Field, path string, k kind) error {
	if !validPath(f.Path) {
		return bad(path+".path", "a dotted path of letters, digits, _ and - (at most 10 parts)")
	}
	if err := document.ValidateValue(path+".value", f.Value); err != nil {
		if e, ok := errs.As(err); ok {
			return e.WithField(path + ".value")
		}
		return err
	}
	v, vpath := f.Value, path+".value"
	switch f.Op {
	case Exists:
		if _, ok := v.(bool); v != nil && !ok {
			return bad(vpath, "EXISTS takes true, false or no value")
		}
	case EQ, NE, Contains:
		return scalar(v, vpath, k)
	case StartsWith:
		if _, ok := v.(string); !ok {
			return bad(vpath, "STARTS_WITH takes a string")
		}
	case GT, GTE, LT, LTE:
		return ordered(v, vpath, k)
	case In, NotIn:
		vs, ok := v.([]any)
		if !ok || len(vs) == 0 || len(vs) > maxInValues {
			return bad(vpath, "%s takes a list of 1 to %d values", f.Op, maxInValues)
		}
		for i, x := range vs {
			if err := scalar(x, fmt.Sprintf("%s[%d]", vpath, i), k); err != nil {
				return err
			}
		}
	case Between:
		vs, ok := v.([]any)
		if !ok || len(vs) != 2 {
			return bad(vpath, "BETWEEN takes a list of two values, low and high")
		}
		for i, x := range vs {
			if err := ordered(x, fmt.Sprintf("%s[%d]", vpath, i), k); err != nil {
				return err
			}
		}
	default:
		return bad(path+".op", "unknown operator")
	}
	return nil
}

// scalar checks a value compared for equality.
func scalar(v any, path string, k kind) error {
	switch x := v.(type) {
	case string:
		if len(x) > maxText {
			return bad(path, "at most %d bytes", maxText)
		}
		if k == kNumber {
			return bad(path, "takes a number")
		}
		if k == kTime {
			return timeValue(x, path)
		}
	case bool:
		if k != kAny {
			return bad(path, "takes a %s", kindName(k))
		}
	default:
		if _, ok := document.Number(v); !ok {
			return bad(path, "takes a string, number or boolean")
		}
		if k == kText || k == kTime {
			return bad(path, "takes a %s", kindName(k))
		}
	}
	return nil
}

// ordered checks a value compared by order: a number, or a string (an RFC
// 3339 time for time values).
func ordered(v any, path string, k kind) error {
	if _, ok := document.Number(v); ok && k != kText && k != kTime {
		return nil
	}
	if s, ok := v.(string); ok && k != kNumber {
		if k == kTime {
			return timeValue(s, path)
		}
		return nil
	}
	if k == kAny {
		return bad(path, "takes a number or a string")
	}
	return bad(path, "takes a %s", kindName(k))
}

func timeValue(s, path string) error {
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return bad(path, "takes an RFC 3339 time such as 2026-01-31T00:00:00Z")
	}
	return nil
}

func kindName(k kind) string {
	switch k {
	case kText:
		return "string"
	case kTime:
		return "RFC 3339 time"
	}
	return "number"
}
