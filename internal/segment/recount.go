package segment

import (
	"context"
	"strings"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/profile"
)

// counts are a workspace's computed values counted again from its stored
// events in one pass over them, for a build that recounts every profile: a
// read of events per page of profiles would cost, on the embedded store,
// one read by _id per event on top of one lookup per page.
//
// A profile whose count may be off is left out (dirty, or written since
// its version was read), and a page counts those from their own events.
type counts struct {
	version map[string]int64             // profile id: version before the events were read
	owner   map[string]string            // profile or absorbed id: profile id
	c       map[string]*profile.Computed // profile id: values counted
	dirty   map[string]bool              // profile id: has events of a batch not folded yet
}

// countAll counts the computed values of every live profile of the
// workspace from its events, under rules.
//
// Batches open before the pass are left out (their profiles are dirty);
// batches opened during it are found afterwards and their profiles made
// dirty too. A batch folded during the pass wrote its profiles, whose
// versions then differ.
func (s *Service) countAll(ctx context.Context, ws auth.Workspace, rules *profile.FoldRules) (*counts, error) {
	k := &counts{version: map[string]int64{}, owner: map[string]string{}, c: map[string]*profile.Computed{}, dirty: map[string]bool{}}
	before, err := s.d.Events.OpenBatches(ctx)
	if err != nil {
		return nil, err
	}
	err = s.eachPage(ctx, ws, func(ps []*profile.Profile) error {
		for _, p := range ps {
			k.version[p.ID] = p.Version
			for _, id := range p.IDs() {
				k.owner[id] = p.ID
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.d.Events.EachEvent(ctx, ws, func(e *event.Event) error {
		pid, ok := k.owner[e.ProfileID]
		switch {
		case !ok || e.Type == "":
		case e.Batch != "" && before[batchKey(ws, e.Batch)]:
			k.dirty[pid] = true
		default:
			c := k.c[pid]
			if c == nil {
				c = &profile.Computed{Channels: []string{}}
				k.c[pid] = c
			}
			c.Add(rules, e.Fact(), 1)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return k, s.dirtyOpened(ctx, ws, before, k)
}

// dirtyOpened marks dirty the profiles of the batches opened while the
// events were read: countAll counted their events, which the fold counts
// again unless the profile changes meanwhile.
func (s *Service) dirtyOpened(ctx context.Context, ws auth.Workspace, before map[string]bool, k *counts) error {
	after, err := s.d.Events.OpenBatches(ctx)
	if err != nil {
		return err
	}
	var opened []string
	prefix := string(ws) + "/"
	for key := range after {
		if !before[key] && strings.HasPrefix(key, prefix) {
			opened = append(opened, strings.TrimPrefix(key, prefix))
		}
	}
	if len(opened) == 0 {
		return nil
	}
	evs, err := s.d.Events.EventsOfBatches(ctx, ws, opened)
	if err != nil {
		return err
	}
	for _, e := range evs {
		if pid, ok := k.owner[e.ProfileID]; ok {
			k.dirty[pid] = true
		}
	}
	return nil
}

// of returns the page's counted values; the profiles it cannot vouch for
// are counted from their own events, in one read.
func (k *counts) of(ctx context.Context, s *Service, ws auth.Workspace, ps []*profile.Profile, rules *profile.FoldRules) ([]profile.Computed, error) {
	out := make([]profile.Computed, len(ps))
	var again []*profile.Profile
	var at []int
	for i, p := range ps {
		v, seen := k.version[p.ID]
		switch {
		case !seen || v != p.Version || k.dirty[p.ID]:
			again, at = append(again, p), append(at, i)
		case k.c[p.ID] != nil:
			out[i] = *k.c[p.ID]
		default:
			out[i] = profile.Computed{Channels: []string{}}
		}
	}
	if len(again) == 0 {
		return out, nil
	}
	fresh, err := s.recompute(ctx, ws, again, rules)
	for j, i := range at {
		if err == nil {
			out[i] = fresh[j]
		}
	}
	return out, err
}

func batchKey(ws auth.Workspace, batch string) string {
	return event.BatchRef{Workspace: ws, Batch: batch}.Key()
}
