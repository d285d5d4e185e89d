package server_test

import (
	"fmt"
	"testing"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// BenchmarkMerge measures one identify that merges two existing profiles,
// end to end over HTTP: resolution, the merge record, leases, moving
// identifiers and events, folding, release.
func BenchmarkMerge(b *testing.B) {
	s := Start(b)
	tok := Token(b, "acme")
	q := `mutation($in: IdentifyInput!) { identify(input: $in) { mergedProfileIds } }`
	in := func(pairs ...string) map[string]any {
		return map[string]any{"in": map[string]any{"identities": ids(pairs...)}}
	}
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		email, line := fmt.Sprintf("b%d@example.com", i), fmt.Sprintf("U%d", i)
		s.MustDo(b, tok, q, in("email", email))
		s.MustDo(b, tok, q, in("line_uid", line))
		b.StartTimer()
		d := s.MustDo(b, tok, q, in("email", email, "line_uid", line))
		if len(Get(d, "identify", "mergedProfileIds").([]any)) != 1 {
			b.Fatal("no merge")
		}
	}
}

// BenchmarkIdentify measures identify of a known customer with a trait change.
func BenchmarkIdentify(b *testing.B) {
	s := Start(b)
	tok := Token(b, "acme")
	for i := 0; b.Loop(); i++ {
		s.MustDo(b, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "same@example.com"), "traits": map[string]any{"n": i}}})
	}
}

// BenchmarkTrackEvents100 measures a batch of 100 events over 10 customers.
func BenchmarkTrackEvents100(b *testing.B) {
	s := Start(b)
	tok := Token(b, "acme")
	for i := 0; b.Loop(); i++ {
		evs := make([]any, 100)
		for j := range evs {
			evs[j] = map[string]any{"messageId": fmt.Sprintf("m%d-%d", i, j), "type": "page_view", "channel": "web",
				"identities": ids("anonymous_id", fmt.Sprintf("a%d", (i*100+j)%1000))}
		}
		s.MustDo(b, tok, trackQ, map[string]any{"ev": evs})
	}
}
