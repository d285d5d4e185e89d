package store

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/identity"
)

func set(fields ...bson.E) bson.D { return bson.D{{Key: "$set", Value: bson.D(fields)}} }

// Reassign points the events at another profile.
func (x Events) Reassign(ctx context.Context, ws auth.Workspace, ids []string, profileID string) error {
	return classify("reassign events", x.s.updateEach(ctx, x.c(), ids, set(bson.E{Key: "profileId", Value: profileID})))
}

// MoveReceivedWith points the events of from received since `since` with any
// of ids and none of keep at profile to.
func (x Events) MoveReceivedWith(ctx context.Context, ws auth.Workspace, from, to string, since time.Time, ids, keep []identity.Identifier) error {
	if len(ids) == 0 {
		return nil
	}
	evs, err := x.receivedSince(ctx, ws, from, since, ids)
	if err != nil {
		return err
	}
	var move []string
	for _, e := range evs {
		mine := slices.ContainsFunc(e.Identities, func(i identity.Identifier) bool { return slices.Contains(ids, i) })
		theirs := slices.ContainsFunc(e.Identities, func(i identity.Identifier) bool { return slices.Contains(keep, i) })
		if mine && !theirs {
			move = append(move, e.ID)
		}
	}
	if len(move) == 0 {
		return nil
	}
	return x.Reassign(ctx, ws, move, to)
}

// receivedSince returns the events of profile from received since `since`
// that may carry one of ids, with their identifiers: those carrying one
// of their values, or on the embedded store every such event of the
// profile, found by cdp's own index (sidelookup.go). The caller makes the
// exact (type, value) match, as FerretDB does not match whole subdocuments
// inside arrays.
func (x Events) receivedSince(ctx context.Context, ws auth.Workspace, from string, since time.Time, ids []identity.Identifier) ([]*event.Event, error) {
	proj := bson.D{{Key: "_id", Value: 1}, {Key: "identities", Value: 1}}
	if x.s.side != nil {
		return x.indexed(ctx, eventQuery{workspace: string(ws), profiles: []string{from}, receivedAtLeast: &since}, proj)
	}
	values := make([]string, len(ids))
	for i, id := range ids {
		values[i] = id.Value
	}
	q := bson.D{{Key: "workspace", Value: string(ws)}, {Key: "profileId", Value: from},
		{Key: "receivedAt", Value: bson.D{{Key: "$gte", Value: since}}}, {Key: "identities.value", Value: bson.D{{Key: "$in", Value: values}}}}
	return x.find(ctx, q, options.Find().SetProjection(proj))
}
