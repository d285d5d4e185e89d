package imports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cdp-dev/cdp/internal/document"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/identity"
)

// The rows of an import: the fields of GraphQL's EventInput and
// IdentifyInput, and no others.

type identityRow struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type eventRow struct {
	MessageID  string         `json:"messageId"`
	Type       string         `json:"type"`
	Channel    string         `json:"channel"`
	Identities []identityRow  `json:"identities"`
	Properties map[string]any `json:"properties"`
	Timestamp  *string        `json:"timestamp"`
}

type profileRow struct {
	Identities []identityRow  `json:"identities"`
	Traits     map[string]any `json:"traits"`
	Source     string         `json:"source"`
	Timestamp  *string        `json:"timestamp"`
}

// parseEvent decodes an events row. Its error is a rejection reason.
func parseEvent(text []byte) (event.Input, error) {
	var r eventRow
	if err := decode(text, &r); err != nil {
		return event.Input{}, err
	}
	ts, err := parseTime(r.Timestamp)
	if err != nil {
		return event.Input{}, err
	}
	return event.Input{MessageID: r.MessageID, Type: r.Type, Channel: r.Channel, Identities: raw(r.Identities),
		Properties: r.Properties, Timestamp: ts}, nil
}

// parseProfile decodes a profiles row. Its error is a rejection reason.
func parseProfile(text []byte) (identity.IdentifyInput, error) {
	var r profileRow
	if err := decode(text, &r); err != nil {
		return identity.IdentifyInput{}, err
	}
	ts, err := parseTime(r.Timestamp)
	if err != nil {
		return identity.IdentifyInput{}, err
	}
	return identity.IdentifyInput{Identities: raw(r.Identities), Traits: r.Traits, Source: r.Source, Timestamp: ts}, nil
}

func raw(ids []identityRow) []identity.RawIdentity {
	out := make([]identity.RawIdentity, len(ids))
	for i, id := range ids {
		out[i] = identity.RawIdentity(id)
	}
	return out
}

// parseTime reads an RFC 3339 time, as GraphQL's Time scalar does.
func parseTime(s *string) (*time.Time, error) {
	if s == nil {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return nil, errors.New("timestamp must be an RFC 3339 time")
	}
	return &t, nil
}

// decode reads one JSON object into row, refusing unknown fields and
// anything after the object. Numbers stay json.Number, as in GraphQL
// variables. Errors name fields and positions, never values.
func decode(text []byte, row any) error {
	if t := bytes.TrimLeft(text, " \t"); len(t) == 0 || t[0] != '{' {
		return errors.New("a row must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(row); err != nil {
		return decodeReason(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("a row must be one JSON object: the line goes on after it")
	}
	return nil
}

// decodeReason rewords a decoding error without the values it may quote.
func decodeReason(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d of the line", syn.Offset)
	case errors.As(err, &typ):
		want, got := kindOf(typ.Type.Kind().String()), article(typ.Value)
		if typ.Field == "" {
			return fmt.Errorf("%s where the row needs %s", got, want)
		}
		return fmt.Errorf("field %q must be %s, not %s", document.Clip(typ.Field), want, got)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("invalid JSON: the line ends inside the object")
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("unknown field %s", document.Clip(f))
	}
	return errors.New("invalid JSON")
}

// kindOf names a Go kind as JSON does.
func kindOf(k string) string {
	switch k {
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "ptr", "string":
		return "a string"
	}
	return article(k)
}

// article puts "a" or "an" before a JSON kind.
func article(kind string) string {
	if kind != "" && strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}
