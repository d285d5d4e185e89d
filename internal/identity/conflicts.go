package identity

import (
	"context"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/page"
)

// Conflicts returns the workspace's refused merges, newest first.
func (s *Service) Conflicts(ctx context.Context, ws auth.Workspace, first *int, after string) (page.Page[*Conflict], error) {
	var out page.Page[*Conflict]
	n, err := page.Size(first)
	if err != nil {
		return out, err
	}
	at, id, ok, err := page.DecodeAt(after)
	if err != nil {
		return out, err
	}
	var from *Conflict
	if ok {
		from = &Conflict{At: at, ID: id}
	}
	items, err := s.conflicts.List(ctx, ws, from, n+1)
	if err != nil {
		return out, err
	}
	out = page.Of(items, n, ok, func(c *Conflict) string { return page.At(c.At, c.ID) })
	out.Total, err = s.conflicts.Count(ctx, ws)
	return out, err
}
