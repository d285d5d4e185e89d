package resolvers

import (
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/page"
	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/model"
)

func toDomainRaw(in []*model.IdentityInput) []identity.RawIdentity {
	out := make([]identity.RawIdentity, len(in))
	for i, id := range in {
		out[i] = identity.RawIdentity{Type: id.Type, Value: id.Value}
	}
	return out
}

func toDomainIdentify(in *model.IdentifyInput) identity.IdentifyInput {
	return identity.IdentifyInput{Identities: toDomainRaw(in.Identities), Traits: in.Traits,
		Source: deref(in.Source), Timestamp: in.Timestamp}
}

func toModelPayload(r identity.Result) *model.IdentifyPayload {
	return &model.IdentifyPayload{Profile: toModelProfile(r.Profile), Created: r.Created, MergedProfileIds: nonNilStrings(r.MergedIDs),
		Warnings: toModelWarnings(r.Warnings), Error: toModelItemError(r.Err)}
}

func toModelProfile(p *profile.Profile) *model.Profile {
	if p == nil {
		return nil
	}
	m := &model.Profile{ID: p.ID, Traits: p.Traits, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		Identities: make([]*model.Identity, len(p.Identities)), Consent: make([]*model.Consent, len(p.Consent)),
		Computed: toModelComputed(p.Computed), Segments: make([]*model.Segment, len(p.Segments))}
	for i, id := range p.Segments {
		m.Segments[i] = &model.Segment{ID: id} // the Segments resolver fills in the rest
	}
	for i, id := range p.Identities {
		m.Identities[i] = &model.Identity{Type: id.Type, Value: id.Value, Source: opt(id.Source),
			FirstSeen: id.FirstSeen, LastSeen: id.LastSeen}
	}
	for i, c := range p.Consent {
		mc := &model.Consent{Channel: c.Channel, Purpose: c.Purpose, Granted: c.Granted, Source: opt(c.Source),
			UpdatedAt: c.UpdatedAt, History: make([]*model.ConsentChange, len(c.History))}
		for j, h := range c.History {
			mc.History[j] = &model.ConsentChange{Granted: h.Granted, Source: opt(h.Source), At: h.At}
		}
		m.Consent[i] = mc
	}
	return m
}

func toDomainList(first *int, after *string, f *model.ProfileFilter, total bool) profile.ListInput {
	in := profile.ListInput{First: first, After: deref(after), Traits: map[string]any{}, Total: total}
	if f != nil {
		in.IdentityType = deref(f.IdentityType)
		for _, t := range f.Traits {
			in.Traits[t.Key] = t.Value
		}
	}
	return in
}

func toModelProfileConnection(pg page.Page[*profile.Profile]) *model.ProfileConnection {
	c := &model.ProfileConnection{Edges: make([]*model.ProfileEdge, len(pg.Items)), TotalCount: int(pg.Total),
		PageInfo: toModelPageInfo(pg.Cursors, pg.HasNext, pg.HasPrev)}
	for i, p := range pg.Items {
		c.Edges[i] = &model.ProfileEdge{Node: toModelProfile(p), Cursor: pg.Cursors[i]}
	}
	return c
}

func toModelPageInfo(cursors []string, next, prev bool) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: next, HasPreviousPage: prev}
	if len(cursors) > 0 {
		pi.StartCursor, pi.EndCursor = &cursors[0], &cursors[len(cursors)-1]
	}
	return pi
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
