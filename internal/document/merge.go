package document

import (
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Merge deep-merges patch into base and returns a new map (inputs are not
// modified): nested objects merge key by key, a nil value in patch removes
// the key, anything else replaces.
//
// changed lists, sorted, the dotted paths the patch touched: every leaf it
// set (even to an equal value) and every key it removed (even one that was
// absent). Nested objects report their leaf paths, so
// {"address":{"city":"X"}} gives ["address.city"]; a patch object with no
// keys that creates or replaces a non-object value reports its own path. A
// path that replaces an object with a scalar covers that object's former
// descendants.
//
// base may hold bson.D, bson.M and bson.A values as decoded by the MongoDB
// driver; like everything else in the result they are converted to
// map[string]any and []any.
func Merge(base, patch map[string]any) (merged map[string]any, changed []string) {
	merged = Clone(base)
	if merged == nil {
		merged = map[string]any{}
	}
	changed = mergeInto(merged, patch, "", nil)
	slices.Sort(changed)
	return merged, changed
}

// mergeInto applies patch to dst in place (dst is owned by the caller) and
// appends the touched paths to changed.
func mergeInto(dst, patch map[string]any, prefix string, changed []string) []string {
	for k, pv := range patch {
		path := join(prefix, k)
		if pv == nil {
			delete(dst, k)
			changed = append(changed, path)
			continue
		}
		if pm, ok := asMap(pv); ok {
			sub, ok := dst[k].(map[string]any) // dst is already normalized
			if !ok {
				sub = map[string]any{}
				dst[k] = sub
				if len(pm) == 0 {
					changed = append(changed, path)
				}
			}
			changed = mergeInto(sub, pm, path, changed)
			continue
		}
		dst[k] = cloneValue(pv)
		changed = append(changed, path)
	}
	return changed
}

// Clone deep-copies a document. Nested bson.D and bson.M values become
// map[string]any and bson.A values become []any; a nil doc gives nil.
func Clone(doc map[string]any) map[string]any {
	if doc == nil {
		return nil
	}
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		out[k] = cloneValue(v)
	}
	return out
}

// cloneValue deep-copies v, normalizing driver container types.
func cloneValue(v any) any {
	if m, ok := asMap(v); ok {
		return Clone(m)
	}
	switch x := v.(type) {
	case []any:
		return cloneSlice(x)
	case bson.A:
		return cloneSlice(x)
	case []byte:
		return slices.Clone(x)
	}
	return v
}

func cloneSlice(s []any) []any {
	if s == nil {
		return nil
	}
	out := make([]any, len(s))
	for i, e := range s {
		out[i] = cloneValue(e)
	}
	return out
}

// asMap returns v as a map when it is an object: map[string]any, bson.M or
// bson.D (later duplicate keys win). The result of a bson.D conversion is
// fresh; the others share v's storage.
func asMap(v any) (map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case bson.M:
		return map[string]any(x), true
	case bson.D:
		if x == nil {
			return nil, true
		}
		m := make(map[string]any, len(x))
		for _, e := range x {
			m[e.Key] = e.Value
		}
		return m, true
	}
	return nil, false
}
