package resolvers

import (
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/page"
	"github.com/cdp-dev/cdp/model"
)

func toDomainEvents(in []*model.EventInput) []event.Input {
	out := make([]event.Input, len(in))
	for i, e := range in {
		out[i] = event.Input{MessageID: e.MessageID, Type: e.Type, Channel: deref(e.Channel),
			Identities: toDomainRaw(e.Identities), Properties: e.Properties, Timestamp: e.Timestamp}
	}
	return out
}

func toDomainWait(w *model.IngestWait) event.Wait {
	if w != nil && *w == model.IngestWaitStored {
		return event.WaitStored
	}
	return event.WaitApplied
}

func toModelTrackPayload(r event.Result) *model.TrackEventsPayload {
	p := &model.TrackEventsPayload{Accepted: r.Accepted, Duplicates: r.Duplicates, Errors: make([]*model.ItemError, len(r.Errors)),
		Warnings: make([]*model.ItemWarning, len(r.Warnings))}
	for i, w := range r.Warnings {
		p.Warnings[i] = &model.ItemWarning{Index: w.Index, Code: w.Code, Message: w.Message, ConflictID: opt(w.ConflictID)}
	}
	for i, e := range r.Errors {
		p.Errors[i] = toModelItemError(e)
	}
	return p
}

// toModelItemError shows a failed batch item; an internal error's cause
// stays out of the answer.
func toModelItemError(e *errs.Error) *model.ItemError {
	if e == nil {
		return nil
	}
	msg := e.Error()
	if e.Kind == errs.Internal {
		msg = "internal error"
	}
	return &model.ItemError{Index: e.Index, Code: e.Kind.Code(), Message: msg, Field: opt(e.Field)}
}

func toModelEventConnection(pg page.Page[*event.Event]) *model.EventConnection {
	c := &model.EventConnection{Edges: make([]*model.EventEdge, len(pg.Items)), TotalCount: int(pg.Total),
		PageInfo: toModelPageInfo(pg.Cursors, pg.HasNext, pg.HasPrev)}
	for i, e := range pg.Items {
		c.Edges[i] = &model.EventEdge{Cursor: pg.Cursors[i], Node: &model.Event{ID: e.ID, MessageID: e.MessageID,
			Type: e.Type, Channel: opt(e.Channel), Properties: e.Properties, Timestamp: e.Timestamp, ReceivedAt: e.ReceivedAt}}
	}
	return c
}
