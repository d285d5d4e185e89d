package event

import (
	"context"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/page"
)

// ListInput selects a page of a profile's events.
type ListInput struct {
	ProfileID string
	First     *int
	After     string
	Types     []string
}

// List returns a profile's events, newest first.
func (s *Service) List(ctx context.Context, ws auth.Workspace, in ListInput) (page.Page[*Event], error) {
	var out page.Page[*Event]
	n, err := page.Size(in.First)
	if err != nil {
		return out, err
	}
	parts, err := page.Decode(in.After, 2)
	if err != nil {
		return out, err
	}
	var after *Cursor
	if parts != nil {
		t, err := time.Parse(time.RFC3339Nano, parts[0])
		if err != nil {
			return out, errs.New(errs.BadInput, "invalid cursor")
		}
		after, out.HasPrev = &Cursor{Timestamp: t, ID: parts[1]}, true
	}
	p, err := s.profiles.Get(ctx, ws, in.ProfileID)
	if err != nil {
		return out, err
	}
	evs, err := s.store.List(ctx, ws, p.IDs(), in.Types, after, n+1)
	if err != nil {
		return out, err
	}
	if len(evs) > n {
		evs, out.HasNext = evs[:n], true
	}
	out.Items = evs
	for _, e := range evs {
		out.Cursors = append(out.Cursors, page.Encode(e.Timestamp.Format(time.RFC3339Nano), e.ID))
	}
	out.Total, err = s.store.Count(ctx, ws, p.IDs(), in.Types)
	return out, err
}
