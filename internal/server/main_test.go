package server_test

import (
	"testing"

	"github.com/cdp-dev/cdp/internal/server/servertest"
)

func TestMain(m *testing.M) { servertest.Main(m) }

// Shared operations.
const (
	identifyQ = `mutation($in: IdentifyInput!) { identify(input: $in) { created mergedProfileIds
		profile { id traits identities { type value source } computed { eventCount channels firstSeen lastSeen } } } }`
	trackQ = `mutation($ev: [EventInput!]!) { trackEvents(events: $ev) { accepted duplicates errors { index code message } } }`
	countQ = `{ profiles { totalCount } }`
)

func ids(pairs ...string) []any {
	out := []any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, map[string]any{"type": pairs[i], "value": pairs[i+1]})
	}
	return out
}
