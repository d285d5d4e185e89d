package profile

import (
	"context"
	"errors"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/document"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/page"
)

// maxHops bounds how many mergedInto pointers a read follows.
const maxHops = 4

// Get returns a live profile; the id of an absorbed profile returns the
// profile it was merged into.
func (s *Service) Get(ctx context.Context, ws auth.Workspace, id string) (*Profile, error) {
	p, err := s.Follow(ctx, ws, id)
	if err == nil && (p.Erasing || p.Erased) {
		return nil, ErrNotFound
	}
	return p, err
}

// Follow reads a profile and follows mergedInto to the live one; it reports
// erasing and erased profiles as they are.
func (s *Service) Follow(ctx context.Context, ws auth.Workspace, id string) (*Profile, error) {
	for range maxHops {
		p, err := s.store.Get(ctx, ws, id)
		if err != nil {
			return nil, err
		}
		if p.MergedInto == "" {
			return p, nil
		}
		id = p.MergedInto
	}
	return nil, errs.Newf(errs.Internal, "profile %s: merge chain too long", id)
}

// Find is Get with a missing profile reported as nil, not an error.
func (s *Service) Find(ctx context.Context, ws auth.Workspace, id string) (*Profile, error) {
	p, err := s.Get(ctx, ws, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return p, err
}

// Stored returns the profile document with the id as it is stored: no
// pointer is followed, and absorbed, erasing and erased profiles are returned.
func (s *Service) Stored(ctx context.Context, ws auth.Workspace, id string) (*Profile, error) {
	return s.store.Get(ctx, ws, id)
}

func (s *Service) live(ctx context.Context, ws auth.Workspace, id string) (string, error) {
	p, err := s.Get(ctx, ws, id)
	if err != nil {
		return "", err
	}
	return p.ID, nil
}

// ListInput selects a page of profiles.
type ListInput struct {
	First        *int
	After        string
	Traits       map[string]any
	IdentityType string
	// Segment keeps the members of the segment.
	Segment string
	// Total asks for the number of matching profiles too (a second query).
	Total bool
}

// List returns a page of live profiles in creation order.
func (s *Service) List(ctx context.Context, ws auth.Workspace, in ListInput) (page.Page[*Profile], error) {
	var out page.Page[*Profile]
	n, err := page.Size(in.First)
	if err != nil {
		return out, err
	}
	f, err := s.filter(in)
	if err != nil {
		return out, err
	}
	after, err := page.Decode(in.After, 1)
	if err != nil {
		return out, err
	}
	from := ""
	if after != nil {
		from = after[0]
	}
	items, err := s.store.List(ctx, ws, f, from, n+1)
	if err != nil {
		return out, err
	}
	out = page.Of(items, n, after != nil, func(p *Profile) string { return page.Encode(p.ID) })
	if in.Total {
		out.Total, err = s.store.Count(ctx, ws, f)
	}
	return out, err
}

func (s *Service) filter(in ListInput) (Filter, error) {
	f := Filter{Traits: map[string]any{}}
	for k, v := range in.Traits {
		if err := document.Path("filter.traits", k); err != nil {
			return f, err
		}
		if err := document.ValidateValue("filter.traits", v); err != nil {
			return f, err
		}
		f.Traits[k] = v
	}
	if in.IdentityType != "" {
		if !document.ValidName(in.IdentityType) {
			return f, errs.New(errs.BadInput, "unknown identity type format").WithField("filter.identityType")
		}
		f.IdentityType = in.IdentityType
	}
	f.Segment = in.Segment
	return f, nil
}
