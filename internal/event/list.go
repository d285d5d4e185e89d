package event

import (
	"context"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/page"
)

// ListInput selects a page of a profile's events.
type ListInput struct {
	ProfileID string
	First     *int
	After     string
	Types     []string
	// Total asks for the number of matching events too (a second query).
	Total bool
}

// List returns a profile's events, newest first.
func (s *Service) List(ctx context.Context, ws auth.Workspace, in ListInput) (page.Page[*Event], error) {
	var out page.Page[*Event]
	n, err := page.Size(in.First)
	if err != nil {
		return out, err
	}
	at, id, ok, err := page.DecodeAt(in.After)
	if err != nil {
		return out, err
	}
	var after *Cursor
	if ok {
		after = &Cursor{Timestamp: at, ID: id}
	}
	p, err := s.profiles.Get(ctx, ws, in.ProfileID)
	if err != nil {
		return out, err
	}
	evs, err := s.store.List(ctx, ws, p.IDs(), in.Types, after, n+1)
	if err != nil {
		return out, err
	}
	out = page.Of(evs, n, ok, func(e *Event) string { return page.At(e.Timestamp, e.ID) })
	if in.Total {
		out.Total, err = s.store.Count(ctx, ws, p.IDs(), in.Types)
	}
	return out, err
}
