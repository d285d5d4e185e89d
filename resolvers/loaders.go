package resolvers

import (
	"context"
	"strings"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/model"
)

// eventsKey is one Profile.events field to resolve: the profile and the
// field's arguments (types joined, so that the key is comparable).
type eventsKey struct {
	ProfileID string
	First     int
	HasFirst  bool
	After     string
	Types     string
	Total     bool
}

// loaders batch the field resolutions of one operation.
type loaders struct {
	events *dataloadgen.Loader[eventsKey, *model.EventConnection]
}

type loadersKey struct{}

// WithLoaders returns ctx with fresh per-operation loaders: the
// Profile.events fields of a profile list are read together (see
// event.Service.ListMany) instead of one store query per profile.
func (r *Resolver) WithLoaders(ctx context.Context) context.Context {
	l := &loaders{events: dataloadgen.NewLoader(r.fetchEvents, dataloadgen.WithWait(time.Millisecond), dataloadgen.WithBatchCapacity(100))}
	return context.WithValue(ctx, loadersKey{}, l)
}

func (r *Resolver) fetchEvents(ctx context.Context, keys []eventsKey) ([]*model.EventConnection, []error) {
	ins := make([]event.ListInput, len(keys))
	for i, k := range keys {
		ins[i] = event.ListInput{ProfileID: k.ProfileID, After: k.After, Total: k.Total}
		if k.HasFirst {
			first := k.First
			ins[i].First = &first
		}
		if k.Types != "" {
			ins[i].Types = strings.Split(k.Types, "\x00")
		}
	}
	out := make([]*model.EventConnection, len(keys))
	errs := make([]error, len(keys))
	pages, failed, err := r.Deps.Events.ListMany(ctx, ws(ctx), ins)
	for i := range keys {
		switch {
		case err != nil:
			errs[i] = err
		case failed[i] != nil:
			errs[i] = failed[i]
		default:
			out[i] = toModelEventConnection(pages[i])
		}
	}
	return out, errs
}

// profileEvents resolves one Profile.events field, through the operation's
// loader when there is one.
func (r *Resolver) profileEvents(ctx context.Context, id string, first *int, after *string, types []string) (*model.EventConnection, error) {
	k := eventsKey{ProfileID: id, After: deref(after), Types: strings.Join(types, "\x00"), Total: requested(ctx, "totalCount")}
	if first != nil {
		k.First, k.HasFirst = *first, true
	}
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l.events.Load(ctx, k)
	}
	conn, errs := r.fetchEvents(ctx, []eventsKey{k})
	return conn[0], errs[0]
}
