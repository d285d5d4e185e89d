package profile

import (
	"context"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/page"
)

// Conflicts returns the workspace's refused merges, newest first.
func (s *Service) Conflicts(ctx context.Context, ws auth.Workspace, first *int, after string) (page.Page[*Conflict], error) {
	var out page.Page[*Conflict]
	n, err := page.Size(first)
	if err != nil {
		return out, err
	}
	parts, err := page.Decode(after, 2)
	if err != nil {
		return out, err
	}
	var from *Conflict
	if parts != nil {
		at, err := time.Parse(time.RFC3339Nano, parts[0])
		if err != nil {
			return out, errs.New(errs.BadInput, "invalid cursor")
		}
		from, out.HasPrev = &Conflict{At: at, ID: parts[1]}, true
	}
	items, err := s.conflicts.List(ctx, ws, from, n+1)
	if err != nil {
		return out, err
	}
	if len(items) > n {
		items, out.HasNext = items[:n], true
	}
	out.Items = items
	for _, c := range items {
		out.Cursors = append(out.Cursors, page.Encode(c.At.Format(time.RFC3339Nano), c.ID))
	}
	out.Total, err = s.conflicts.Count(ctx, ws)
	return out, err
}
