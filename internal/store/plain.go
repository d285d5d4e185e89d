package store

import (
	"go.mongodb.org/mongo-driver/v2/bson"
)

// plainMap turns a decoded document into plain Go values (map[string]any,
// []any, scalars), whatever bson container types the driver produced.
func plainMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = plain(v)
	}
	return out
}

func plain(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return plainMap(t)
	case bson.M:
		return plainMap(t)
	case bson.D:
		m := make(map[string]any, len(t))
		for _, e := range t {
			m[e.Key] = plain(e.Value)
		}
		return m
	case bson.A:
		return plainSlice(t)
	case []any:
		return plainSlice(t)
	case bson.DateTime:
		return t.Time().UTC()
	default:
		return v
	}
}

func plainSlice(a []any) []any {
	out := make([]any, len(a))
	for i, v := range a {
		out[i] = plain(v)
	}
	return out
}
