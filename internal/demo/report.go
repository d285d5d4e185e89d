package demo

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Print writes the report and what to try next against the endpoint url.
func (r Report) Print(w io.Writer, url string) {
	fmt.Fprintf(w, "seeded %d customers in %s\n", r.Customers, r.Elapsed.Round(time.Second))
	fmt.Fprintf(w, "  personas: %s\n", r.personas())
	fmt.Fprintf(w, "  profiles: %d records sent, %d created a profile, %d merges by identity resolution\n",
		r.ProfileItems, r.ProfilesCreated, r.Merges)
	fmt.Fprintf(w, "            the workspace has %s profiles (%s before; this data alone resolves to %d)\n",
		count(r.Profiles), count(r.ProfilesBefore), r.ExpectedProfiles)
	fmt.Fprintf(w, "  events:   %d sent, %d stored, %d duplicates of an earlier run\n", r.Events, r.Accepted, r.Duplicates)
	fmt.Fprintf(w, "  rfm:      %s\n", outcome(r.RFM, "recomputed"))
	fmt.Fprintf(w, "  segments: %s\n", r.segments())
	fmt.Fprintf(w, "\nnext: POST these to %s with the same token (or open it in a GraphQL client):\n%s", url, nextQueries(r.Example))
	if r.SegmentsErr == nil {
		fmt.Fprint(w, segmentQueries)
	}
}

func (r Report) personas() string {
	var parts []string
	for _, p := range personas {
		parts = append(parts, fmt.Sprintf("%d %s", r.Personas[p.v], p.v))
	}
	return strings.Join(parts, ", ")
}

func (r Report) segments() string {
	var parts []string
	for _, s := range r.Segments {
		state := "created"
		if s.Existed {
			state = "already there"
		}
		parts = append(parts, fmt.Sprintf("\n    %-38s %s, %d members (%s)", s.Name, state, s.Size, s.Status))
	}
	if r.SegmentsErr != nil {
		parts = append(parts, "\n    "+outcome(r.SegmentsErr, ""))
	}
	return strings.Join(parts, "")
}

func count(n int) string {
	if n < 0 {
		return "unknown"
	}
	return fmt.Sprint(n)
}

// outcome describes a step that may be missing from today's server.
func outcome(err error, ok string) string {
	switch {
	case err == nil:
		return ok
	case Unsupported(err):
		return "skipped, the server does not have it yet: " + err.Error()
	case errors.Is(err, errTimedOut):
		return "not finished: " + err.Error()
	default:
		return "FAILED: " + err.Error()
	}
}

const segmentQueries = `  { rfmSummary { scored boundaries { recency frequency monetary } labels { label count revenue } } }
  { segments { id name size status } }
  { segmentMembers(segmentId: "<id>", first: 5) { totalCount edges { node { traits computed { channelMix rfm { label } } } } } }
`

func nextQueries(ex Identity) string {
	return fmt.Sprintf(`  { profiles(filter: {traits: [{key: "city", value: "Chiang Mai"}]}) { totalCount } }
  { profileByIdentity(type: %q, value: %q) {
      traits identities { type value } computed { eventCount channels lastSeen }
      events(first: 5, types: ["order_completed"]) { edges { node { channel properties timestamp } } } } }
  { profiles(first: 5, filter: {identityType: "line_uid"}) { totalCount edges { node { id traits } } } }
`, ex.Type, ex.Value)
}
