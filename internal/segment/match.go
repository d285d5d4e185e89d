package segment

import (
	"github.com/cdp-dev/cdp/internal/document"
	"strings"
	"time"
)

// match applies a field condition to the value found at its path. A list
// value matches when one of its elements does (NE and NOT_IN: when none
// does). A missing value matches only NE, NOT_IN and EXISTS false.
func match(f *Field, v any, present bool) bool {
	switch f.Op {
	case Exists:
		want, _ := f.Value.(bool)
		return present == (f.Value == nil || want)
	case NE:
		return !present || !anyOf(v, func(x any) bool { return equal(x, f.Value) })
	case NotIn:
		return !present || !anyOf(v, func(x any) bool { return inList(x, f.Value) })
	}
	if !present {
		return false
	}
	return anyOf(v, func(x any) bool { return test(f, x) })
}

func test(f *Field, x any) bool {
	switch f.Op {
	case EQ:
		return equal(x, f.Value)
	case In:
		return inList(x, f.Value)
	case Contains:
		if s, ok := x.(string); ok {
			sub, ok := f.Value.(string)
			return ok && strings.Contains(s, sub)
		}
		return equal(x, f.Value)
	case StartsWith:
		s, ok := x.(string)
		pre, ok2 := f.Value.(string)
		return ok && ok2 && strings.HasPrefix(s, pre)
	case GT, GTE, LT, LTE:
		c, ok := compare(x, f.Value)
		return ok && cmpHolds(c, f.Op)
	case Between:
		vs, _ := f.Value.([]any)
		if len(vs) != 2 {
			return false
		}
		lo, ok1 := compare(x, vs[0])
		hi, ok2 := compare(x, vs[1])
		return ok1 && ok2 && lo >= 0 && hi <= 0
	}
	return false
}

// anyOf applies fn to v, or to each element when v is a list.
func anyOf(v any, fn func(any) bool) bool {
	if list, ok := v.([]any); ok {
		for _, x := range list {
			if fn(x) {
				return true
			}
		}
		return false
	}
	return fn(v)
}

func inList(x, list any) bool {
	vs, _ := list.([]any)
	for _, v := range vs {
		if equal(x, v) {
			return true
		}
	}
	return false
}

func equal(x, v any) bool {
	c, ok := compare(x, v)
	if ok {
		return c == 0
	}
	if b, ok := x.(bool); ok {
		w, ok := v.(bool)
		return ok && b == w
	}
	return false
}

// compare orders x against the rule's value v: numbers with numbers, times
// with RFC 3339 strings, strings with strings.
func compare(x, v any) (int, bool) {
	if a, ok := document.Number(x); ok {
		b, ok := document.Number(v)
		if !ok {
			return 0, false
		}
		return cmpFloat(a, b), true
	}
	switch a := x.(type) {
	case time.Time:
		s, ok := v.(string)
		if !ok {
			return 0, false
		}
		b, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return 0, false
		}
		return a.Compare(b), true
	case string:
		b, ok := v.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(a, b), true
	}
	return 0, false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareNum(a float64, op Op, b float64) bool {
	if op == EQ || op == NE {
		return (a == b) == (op == EQ)
	}
	return cmpHolds(cmpFloat(a, b), op)
}

func cmpHolds(c int, op Op) bool {
	switch op {
	case GT:
		return c > 0
	case GTE:
		return c >= 0
	case LT:
		return c < 0
	case LTE:
		return c <= 0
	}
	return false
}
