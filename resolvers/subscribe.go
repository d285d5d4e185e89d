package resolvers

import (
	"context"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/pubsub"
	"github.com/cdp-dev/cdp/model"
)

// ProfileChange is the message published on a workspace's profile topic.
type ProfileChange struct {
	Profile *profile.Profile
	Reason  string
}

// PublishProfileChanges returns the profile change hook that feeds the
// profileUpdated subscription.
func PublishProfileChanges(bus *pubsub.Bus) profile.ChangeHook {
	return func(_ context.Context, p *profile.Profile, reason string) {
		bus.Publish(ProfileTopic(p.Workspace), ProfileChange{Profile: p, Reason: reason})
	}
}

// subscribeProfiles streams a workspace's profile changes, optionally for
// one profile, until ctx ends or the bus closes.
func subscribeProfiles(ctx context.Context, bus *pubsub.Bus, w auth.Workspace, id string) (<-chan *model.ProfileUpdate, error) {
	in, err := bus.Subscribe(ctx, ProfileTopic(w))
	if err != nil {
		return nil, err
	}
	out := make(chan *model.ProfileUpdate, 1)
	go func() {
		defer close(out)
		for msg := range in {
			c, ok := msg.(ProfileChange)
			if !ok || (id != "" && c.Profile.ID != id) {
				continue
			}
			select {
			case out <- &model.ProfileUpdate{Profile: toModelProfile(c.Profile), Reason: c.Reason}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
