// Package model holds the GraphQL models: generated ones and the hand-written
// ones bound in gqlgen.yml.
package model

import (
	"encoding/json"
	"fmt"
	"io"
)

// JSON is a free-form JSON object (traits, properties).
type JSON map[string]any

// UnmarshalGQL accepts an object; anything else is an input error.
func (j *JSON) UnmarshalGQL(v any) error {
	switch m := v.(type) {
	case map[string]any:
		*j = m
		return nil
	case nil:
		*j = nil
		return nil
	default:
		return fmt.Errorf("JSON must be an object, got %T", v)
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
