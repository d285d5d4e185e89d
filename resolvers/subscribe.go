package resolvers

import (
	"context"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/pubsub"
	"github.com/cdp-dev/cdp/internal/segment"
	"github.com/cdp-dev/cdp/model"
)

// subscribeProfiles streams a workspace's profile changes, optionally for
// one profile, mapped by conv, until ctx ends or the bus closes.
func subscribeProfiles[T any](ctx context.Context, bus Bus, w auth.Workspace, id string, conv func(profile.Change) T) (<-chan T, error) {
	in, err := bus.Subscribe(ctx, pubsub.ProfileTopic(string(w)))
	if err != nil {
		return nil, err
	}
	out := make(chan T, 1)
	go func() {
		defer close(out)
		for msg := range in {
			c, ok := msg.(profile.Change)
			if !ok || (id != "" && c.Profile.ID != id) {
				continue
			}
			select {
			case out <- conv(c):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// profileAfter maps a change to the profile it left.
func profileAfter(c profile.Change) *model.Profile { return toModelProfile(c.Profile) }

// profileUpdate maps a change to the profile and its reason.
func profileUpdate(c profile.Change) *model.ProfileUpdate {
	return &model.ProfileUpdate{Profile: toModelProfile(c.Profile), Reason: c.Reason}
}

// subscribeSegments streams a workspace's segment membership changes,
// optionally for one segment, until ctx ends or the bus closes.
func subscribeSegments(ctx context.Context, bus Bus, w auth.Workspace, id string) (<-chan *model.SegmentMembershipChange, error) {
	in, err := bus.Subscribe(ctx, pubsub.SegmentTopic(string(w)))
	if err != nil {
		return nil, err
	}
	out := make(chan *model.SegmentMembershipChange, 1)
	go func() {
		defer close(out)
		for msg := range in {
			c, ok := msg.(segment.Change)
			if !ok || (id != "" && c.SegmentID != id) {
				continue
			}
			select {
			case out <- toModelChange(c):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// memberOf returns the segments among all whose ids the profile lists.
func memberOf(all []*segment.Segment, refs []*model.Segment) []*model.Segment {
	out := []*model.Segment{}
	for _, ref := range refs {
		for _, s := range all {
			if s.ID == ref.ID {
				out = append(out, toModelSegment(s))
			}
		}
	}
	return out
}
