package demo

import (
	"encoding/json"
	"testing"
)

// TestSegmentRules pins the rule of one segment as the API receives it.
func TestSegmentRules(t *testing.T) {
	segs := Segments()
	if len(segs) != 5 {
		t.Fatalf("%d segments, want 5", len(segs))
	}
	got, err := json.Marshal(segs[3].Rule)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"all":[{"identity":{"exists":true,"type":"line_uid"}},` +
		`{"not":{"computed":{"op":"IN","path":"channelMix","value":["ONLINE_ONLY","OMNICHANNEL"]}}}]}`
	if string(got) != want {
		t.Errorf("LINE friends rule\n got %s\nwant %s", got, want)
	}
	got, _ = json.Marshal(segs[4].Rule)
	want = `{"all":[{"event":{"type":"checkout_started","withinDays":7}},` +
		`{"not":{"event":{"type":"order_completed","withinDays":7}}}]}`
	if string(got) != want {
		t.Errorf("abandoned cart rule\n got %s\nwant %s", got, want)
	}
}
