// Package segment keeps segments: rules over what a profile holds (traits,
// computed values, event tallies, identifiers, consent), whose membership is
// evaluated at every profile write, built over existing profiles in the
// background and swept when time windows lapse.
package segment

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Node is one node of a rule: exactly one of its fields is set.
type Node struct {
	All      []*Node       `json:"all,omitempty"`
	Any      []*Node       `json:"any,omitempty"`
	Not      *Node         `json:"not,omitempty"`
	Trait    *Field        `json:"trait,omitempty"`
	Computed *Field        `json:"computed,omitempty"`
	Event    *EventCond    `json:"event,omitempty"`
	Identity *IdentityCond `json:"identity,omitempty"`
	Consent  *ConsentCond  `json:"consent,omitempty"`
}

// Op is a comparison operator.
type Op string

// The operators of a rule.
const (
	EQ         Op = "EQ"
	NE         Op = "NE"
	GT         Op = "GT"
	GTE        Op = "GTE"
	LT         Op = "LT"
	LTE        Op = "LTE"
	In         Op = "IN"
	NotIn      Op = "NOT_IN"
	Contains   Op = "CONTAINS"
	StartsWith Op = "STARTS_WITH"
	Exists     Op = "EXISTS"
	Between    Op = "BETWEEN"
)

// Field compares the value at Path with Value.
type Field struct {
	Path  string `json:"path"`
	Op    Op     `json:"op"`
	Value any    `json:"value,omitempty"`
}

// EventCond matches profiles by how many of their events of Type (on
// Channel, with properties matching Where) happened, in a window or ever.
// Without Count it means at least once.
type EventCond struct {
	Type        string     `json:"type"`
	Channel     string     `json:"channel,omitempty"`
	Where       []*Field   `json:"where,omitempty"`
	Count       *CountCond `json:"count,omitempty"`
	WithinDays  int        `json:"withinDays,omitempty"`
	WithinHours int        `json:"withinHours,omitempty"`
	// key caches Key once prepare ran: evaluation runs at every write.
	key string
}

// CountCond compares a number of events.
type CountCond struct {
	Op    Op  `json:"op"`
	Value int `json:"value"`
}

// IdentityCond matches profiles holding (or not) an identifier of Type.
type IdentityCond struct {
	Type   string `json:"type"`
	Exists bool   `json:"exists"`
}

// ConsentCond matches profiles by their consent for a channel (the default
// purpose): Granted false also matches a profile that never decided.
type ConsentCond struct {
	Channel string `json:"channel"`
	Granted bool   `json:"granted"`
}

// Key names what an event condition counts (type, channel and where, not
// the count or window), so that equal conditions share one tally.
func (e *EventCond) Key() string {
	if e.key != "" {
		return e.key
	}
	b, _ := json.Marshal(struct {
		T string   `json:"t"`
		C string   `json:"c"`
		W []*Field `json:"w"`
	}{e.Type, e.Channel, e.Where})
	sum := sha256.Sum256(b)
	return "e" + hex.EncodeToString(sum[:8])
}

// Events returns the rule's event conditions, depth first.
func (n *Node) Events() []*EventCond {
	if n == nil {
		return nil
	}
	var out []*EventCond
	if n.Event != nil {
		out = append(out, n.Event)
	}
	for _, c := range append(append(n.All, n.Any...), n.Not) {
		out = append(out, c.Events()...)
	}
	return out
}

// Windowed reports whether the rule has a condition with a time window.
func (n *Node) Windowed() bool {
	for _, e := range n.Events() {
		if e.WithinDays > 0 || e.WithinHours > 0 {
			return true
		}
	}
	return false
}

// prepare computes what evaluation would otherwise compute at every write
// (the event conditions' keys). Call it before the rule is shared.
func (n *Node) prepare() *Node {
	for _, e := range n.Events() {
		e.key = ""
		e.key = e.Key()
	}
	return n
}
