package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/relay"
)

// On MongoDB every profile document names the process that stored it
// (writer) and what that process told its subscribers (reason), so that
// each replica can read the profiles collection's change stream and tell
// its own subscribers of the others' writes. Profile documents are only
// ever inserted or replaced whole by cdp; an update or a delete comes from
// outside it.

// ProfileChanges is the change stream of the profiles collection.
type ProfileChanges struct{ s *Store }

var _ relay.Source = ProfileChanges{}

// ProfileChanges returns the profiles' change stream (MongoDB only: the
// embedded store has none).
func (s *Store) ProfileChanges() ProfileChanges { return ProfileChanges{s} }

// doc converts a profile for a write, naming this process as its writer on
// MongoDB.
func (p Profiles) doc(pr *profile.Profile) profileDoc {
	d := toProfileDoc(pr)
	if p.s.writer != "" {
		d.Writer, d.Reason = p.s.writer, pr.Reason
	}
	return d
}

// Writer names this process in the profile documents it stores.
func (c ProfileChanges) Writer() string { return c.s.writer }

// PreImages turns on changeStreamPreAndPostImages for the profiles
// collection (MongoDB 6.0 or later, and the collMod privilege).
func (c ProfileChanges) PreImages(ctx context.Context) error {
	cmd := bson.D{{Key: "collMod", Value: colProfiles},
		{Key: "changeStreamPreAndPostImages", Value: bson.D{{Key: "enabled", Value: true}}}}
	return classify("enable profile pre-images", c.s.db.RunCommand(ctx, cmd).Err())
}

// changePipeline keeps the kinds of change that touch a document and, of
// the pre-image, what a membership diff needs.
var changePipeline = mongo.Pipeline{
	{{Key: "$match", Value: bson.D{{Key: "operationType", Value: bson.D{{Key: "$in", Value: bson.A{"insert", "replace", "update", "delete"}}}}}}},
	{{Key: "$project", Value: bson.D{{Key: "operationType", Value: 1}, {Key: "fullDocument", Value: 1},
		{Key: "fullDocumentBeforeChange._id", Value: 1}, {Key: "fullDocumentBeforeChange.workspace", Value: 1},
		{Key: "fullDocumentBeforeChange.version", Value: 1}, {Key: "fullDocumentBeforeChange.segments", Value: 1}}}},
}

// Watch streams the profile changes stored after the token (see
// relay.Source).
func (c ProfileChanges) Watch(ctx context.Context, after relay.Token, fn func(relay.Change) error) error {
	opts := options.ChangeStream().SetFullDocument(options.UpdateLookup).SetFullDocumentBeforeChange(options.WhenAvailable)
	if after != nil {
		opts.SetStartAfter(bson.Raw(after))
	}
	cs, err := c.s.coll(colProfiles).Watch(ctx, changePipeline, opts)
	if err != nil {
		return streamError(ctx, err)
	}
	defer func() { _ = cs.Close(context.WithoutCancel(ctx)) }()
	progress := func() error { return fn(relay.Change{Token: token(cs)}) }
	if err := progress(); err != nil {
		return err
	}
	for cs.Next(ctx) {
		var d changeDoc
		if err := cs.Decode(&d); err != nil {
			_ = progress() // resume past the document that cannot be read
			return fmt.Errorf("read profile change: %w", err)
		}
		if err := fn(d.change(token(cs))); err != nil {
			return err
		}
	}
	_ = progress()
	return streamError(ctx, cs.Err())
}

func token(cs *mongo.ChangeStream) relay.Token { return relay.Token(slices.Clone(cs.ResumeToken())) }

// changeDoc is a change event as the pipeline leaves it.
type changeDoc struct {
	Op     string      `bson:"operationType"`
	After  *profileDoc `bson:"fullDocument"`
	Before *profileDoc `bson:"fullDocumentBeforeChange"`
}

func (d changeDoc) change(tok relay.Token) relay.Change {
	c := relay.Change{Token: tok, Insert: d.Op == "insert"}
	if d.After != nil && d.Op != "delete" {
		c.After = fromProfileDoc(*d.After)
		if d.Op == "insert" || d.Op == "replace" { // cdp's own kinds of write
			c.Writer, c.Reason = d.After.Writer, d.After.Reason
		}
	}
	if d.Before != nil {
		c.Before = fromProfileDoc(*d.Before)
	}
	return c
}

// Server error codes of change streams.
var (
	noStreamCodes  = []int{40573, 40324, 59, 115, 238} // not a replica set; unknown stage or command; FerretDB
	lostTokenCodes = []int{286, 280, 260}              // history lost, fatal, invalid resume token
)

// streamError maps a change stream failure to the relay's errors.
func streamError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var se mongo.ServerError
	if errors.As(err, &se) {
		switch {
		case slices.ContainsFunc(noStreamCodes, se.HasErrorCode):
			return fmt.Errorf("watch profiles: %w: %w", relay.ErrUnsupported, err)
		case slices.ContainsFunc(lostTokenCodes, se.HasErrorCode):
			return fmt.Errorf("watch profiles: %w: %w", relay.ErrTokenLost, err)
		}
	}
	if err == nil {
		return errors.New("watch profiles: the stream ended")
	}
	return fmt.Errorf("watch profiles: %w", err)
}
