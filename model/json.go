// Package model holds the GraphQL models: generated ones and the hand-written
// ones bound in gqlgen.yml.
package model

import (
	"encoding/json"
	"io"

	"github.com/cdp-dev/cdp/internal/errs"
)

// JSON is a free-form JSON object (traits, properties).
type JSON map[string]any

// UnmarshalGQL accepts an object; anything else is an input error. The
// object's keys, depth and size are checked by the domain with
// document.Validate, once per item, so that one bad item of a batch
// (upsertProfiles, trackEvents) fails alone instead of the whole request.
func (j *JSON) UnmarshalGQL(v any) error {
	switch m := v.(type) {
	case map[string]any:
		*j = m
		return nil
	case nil:
		*j = nil
		return nil
	default:
		return errs.Newf(errs.BadInput, "JSON must be an object, got %s", kind(v))
	}
}

// MarshalGQL writes the object as JSON; a nil object is written as {}.
func (j JSON) MarshalGQL(w io.Writer) {
	if j == nil {
		_, _ = io.WriteString(w, "{}")
		return
	}
	b, err := json.Marshal(map[string]any(j))
	if err != nil {
		_, _ = io.WriteString(w, "{}")
		return
	}
	_, _ = w.Write(b)
}

func kind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}
