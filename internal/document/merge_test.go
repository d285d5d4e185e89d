package document

import (
	"reflect"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

type obj = map[string]any

func TestMerge(t *testing.T) {
	tests := []struct {
		name        string
		base, patch obj
		want        obj
		changed     []string
	}{
		{"nil inputs", nil, nil, obj{}, nil},
		{"add top-level", obj{"a": 1.0}, obj{"b": "x"}, obj{"a": 1.0, "b": "x"}, []string{"b"}},
		{"deep merge",
			obj{"name": "A", "address": obj{"city": "Bangkok", "zip": "10110"}},
			obj{"address": obj{"city": "Chiang Mai", "geo": obj{"lat": 18.8}}},
			obj{"name": "A", "address": obj{"city": "Chiang Mai", "zip": "10110", "geo": obj{"lat": 18.8}}},
			[]string{"address.city", "address.geo.lat"}},
		{"null removes top-level", obj{"a": 1.0, "b": 2.0}, obj{"a": nil}, obj{"b": 2.0}, []string{"a"}},
		{"null removes nested",
			obj{"address": obj{"city": "X", "zip": "1"}}, obj{"address": obj{"zip": nil}},
			obj{"address": obj{"city": "X"}}, []string{"address.zip"}},
		{"null on absent key", obj{"a": 1.0}, obj{"z": nil}, obj{"a": 1.0}, []string{"z"}},
		{"replace object with scalar", obj{"address": obj{"city": "X"}}, obj{"address": "none"},
			obj{"address": "none"}, []string{"address"}},
		{"replace scalar with object", obj{"address": "none"}, obj{"address": obj{"city": "X", "gone": nil}},
			obj{"address": obj{"city": "X"}}, []string{"address.city", "address.gone"}},
		{"empty object creates", obj{"a": 1.0}, obj{"a": obj{}}, obj{"a": obj{}}, []string{"a"}},
		{"empty object into object", obj{"a": obj{"x": 1.0}}, obj{"a": obj{}}, obj{"a": obj{"x": 1.0}}, nil},
		{"array replaces", obj{"tags": []any{"a", "b"}}, obj{"tags": []any{"c"}}, obj{"tags": []any{"c"}}, []string{"tags"}},
		{"bson base",
			obj{"address": bson.D{{Key: "city", Value: "X"}, {Key: "zip", Value: "1"}},
				"tags": bson.A{"a", bson.M{"k": "v"}}, "m": bson.M{"x": 1}},
			obj{"address": obj{"zip": "2"}},
			obj{"address": obj{"city": "X", "zip": "2"}, "tags": []any{"a", obj{"k": "v"}}, "m": obj{"x": 1}},
			[]string{"address.zip"}},
		{"bson patch", obj{"a": obj{"x": 1}}, obj{"a": bson.D{{Key: "y", Value: 2}}},
			obj{"a": obj{"x": 1, "y": 2}}, []string{"a.y"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			baseCopy, patchCopy := Clone(tc.base), Clone(tc.patch)
			got, changed := Merge(tc.base, tc.patch)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("merged = %#v, want %#v", got, tc.want)
			}
			if !reflect.DeepEqual(changed, tc.changed) {
				t.Errorf("changed = %q, want %q", changed, tc.changed)
			}
			if !reflect.DeepEqual(Clone(tc.base), baseCopy) || !reflect.DeepEqual(Clone(tc.patch), patchCopy) {
				t.Error("Merge modified its inputs")
			}
		})
	}
}

func TestMergeDoesNotAlias(t *testing.T) {
	base := obj{"a": obj{"x": 1.0}, "list": []any{obj{"k": "v"}}}
	patch := obj{"p": obj{"q": []any{1.0}}}
	got, _ := Merge(base, patch)
	got["a"].(obj)["x"] = 2.0
	got["list"].([]any)[0].(obj)["k"] = "changed"
	got["p"].(obj)["q"].([]any)[0] = 9.0
	if base["a"].(obj)["x"] != 1.0 || base["list"].([]any)[0].(obj)["k"] != "v" {
		t.Errorf("result aliases base: %v", base)
	}
	if patch["p"].(obj)["q"].([]any)[0] != 1.0 {
		t.Errorf("result aliases patch: %v", patch)
	}
}

func TestClone(t *testing.T) {
	if Clone(nil) != nil {
		t.Error("Clone(nil) != nil")
	}
	src := obj{"a": obj{"b": []any{1.0, obj{"c": "d"}}}, "raw": []byte("xy")}
	c := Clone(src)
	if !reflect.DeepEqual(c, src) {
		t.Fatalf("Clone = %#v, want %#v", c, src)
	}
	c["a"].(obj)["b"].([]any)[1].(obj)["c"] = "changed"
	c["raw"].([]byte)[0] = 'z'
	if src["a"].(obj)["b"].([]any)[1].(obj)["c"] != "d" || string(src["raw"].([]byte)) != "xy" {
		t.Error("Clone shares storage with its source")
	}
}
