package server

import (
	"github.com/cdp-dev/cdp/graph"
	"github.com/cdp-dev/cdp/internal/page"
	"github.com/cdp-dev/cdp/model"
)

// weighConnections makes each list field with a first argument cost its
// items' fields times first, so a page of 100 costs 100 times one item.
func weighConnections(c *graph.ComplexityRoot) {
	c.Query.Profiles = func(child int, first *int, _ *string, _ *model.ProfileFilter) int { return perPage(child, first) }
	c.Query.IdentityConflicts = func(child int, first *int, _ *string) int { return perPage(child, first) }
	c.Profile.Events = func(child int, first *int, _ *string, _ []string) int { return perPage(child, first) }
	c.ImportJob.Rejections = func(child int, first *int) int { return perPage(child, first) }
	c.Query.SegmentMembers = func(child int, _ string, first *int, _ *string) int { return perPage(child, first) }
	c.Query.PreviewSegment = func(child int, _ model.ConditionInput, sample *int) int { return perPage(child, sample) }
}

// perPage is one for the field plus its selections once per item asked for.
func perPage(child int, first *int) int {
	n := page.Default
	if first != nil {
		n = *first
	}
	return 1 + child*max(n, 1)
}
