package relay

import (
	"context"

	"github.com/cdp-dev/cdp/internal/profile"
)

// seen is what the relay last saw of a profile document.
type seen struct {
	version  int64
	segments []string
}

// handle publishes what the writer of a change published: the segments the
// profile entered and left, then the profile itself when the writer told
// its subscribers of it. The replica's own writes were published when they
// were made.
func (r *Relay) handle(ctx context.Context, c Change) {
	before, known := r.before(c)
	r.note(c)
	if c.Writer == r.self && r.self != "" {
		return
	}
	p := c.After
	if p == nil {
		p = &profile.Profile{ID: c.Before.ID, Workspace: c.Before.Workspace, UpdatedAt: r.d.Now().UTC()}
	}
	if known {
		r.d.Stored(ctx, p, before)
	} else {
		r.log.DebugContext(ctx, "profile change without its previous segments; membership not relayed",
			"workspace", p.Workspace, "profile", p.ID)
	}
	if c.After != nil && c.Reason != "" {
		r.d.Changed(ctx, c.After, c.Reason)
	}
}

// before returns the segments the profile was a member of before the
// change, and whether they are known: from the pre-image, else from the
// relay's memory of the version just before.
func (r *Relay) before(c Change) ([]string, bool) {
	switch {
	case c.Insert:
		return nil, true
	case c.Before != nil:
		return c.Before.Segments, true
	case c.After == nil:
		return nil, false
	}
	s, ok := r.seen.Get(key(c.After))
	if ok && s.version == c.After.Version-1 {
		return s.segments, true
	}
	return nil, false
}

// note remembers the profile's segments as the change left them.
func (r *Relay) note(c Change) {
	switch {
	case c.After != nil:
		r.seen.Add(key(c.After), seen{version: c.After.Version, segments: c.After.Segments})
	case c.Before != nil:
		r.seen.Remove(key(c.Before))
	}
}

func key(p *profile.Profile) string { return string(p.Workspace) + "/" + p.ID }
