package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/profile"
)

// Profiles stores profiles.
type Profiles struct{ s *Store }

var _ profile.Store = Profiles{}

// Profiles returns the profile store.
func (s *Store) Profiles() Profiles { return Profiles{s} }

func (p Profiles) c() *mongo.Collection { return p.s.coll(colProfiles) }

// Get returns a profile or profile.ErrNotFound.
func (p Profiles) Get(ctx context.Context, ws auth.Workspace, id string) (*profile.Profile, error) {
	var d profileDoc
	if raw, ok := p.s.recallDoc(ws, id); ok {
		if err := bson.Unmarshal(raw, &d); err != nil {
			return nil, fmt.Errorf("get profile: %w", err)
		}
		return fromProfileDoc(d), nil
	}
	err := getByID(ctx, p.c(), ws, id, &d)
	if notFound(err) {
		return nil, profile.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get profile: %w", err)
	}
	return fromProfileDoc(d), nil
}

// Insert stores a new profile.
func (p Profiles) Insert(ctx context.Context, pr *profile.Profile) error {
	doc, err := p.raw(pr)
	if err != nil {
		return fmt.Errorf("insert profile: %w", err)
	}
	_, err = p.c().InsertOne(ctx, doc)
	if err == nil {
		p.s.remember(pr, pr.Version, doc)
	}
	return classify("insert profile", err)
}

// raw encodes a profile's document once, for the write and for what this
// process remembers of it.
func (p Profiles) raw(pr *profile.Profile) (bson.Raw, error) { return bson.Marshal(p.doc(pr)) }

// Replace stores pr if its stored version is still version.
func (p Profiles) Replace(ctx context.Context, pr *profile.Profile, version int64) error {
	if p.s.serial != nil {
		return p.replaceSerial(ctx, pr, version)
	}
	filter := bson.D{{Key: "_id", Value: pr.ID}, {Key: "workspace", Value: string(pr.Workspace)}, {Key: "version", Value: version}}
	r, err := p.c().ReplaceOne(ctx, filter, p.doc(pr))
	if err != nil {
		return classify("replace profile", err)
	}
	if r.MatchedCount == 0 {
		return profile.ErrStale
	}
	return nil
}

// replaceSerial is Replace on the embedded store: the version is checked
// under an in-process lock and the write filters by _id alone.
func (p Profiles) replaceSerial(ctx context.Context, pr *profile.Profile, version int64) error {
	unlock, err := p.s.writeLock(ctx, pr.ID)
	if err != nil {
		return fmt.Errorf("replace profile: %w", err)
	}
	defer unlock()
	cur, known := p.s.recall(pr)
	if !known {
		var d struct {
			Version int64 `bson:"version"`
		}
		if err := getByID(ctx, p.c(), pr.Workspace, pr.ID, &d); err != nil {
			if !notFound(err) {
				return fmt.Errorf("replace profile: %w", err)
			}
			return profile.ErrStale
		}
		cur = d.Version
	}
	if cur != version {
		return profile.ErrStale
	}
	doc, err := p.raw(pr)
	if err != nil {
		return fmt.Errorf("replace profile: %w", err)
	}
	if err := p.s.combine.of(p.c()).replace(ctx, p.c(), pr.ID, doc); err != nil {
		p.s.forget(pr)
		return classify("replace profile", err)
	}
	p.s.remember(pr, pr.Version, doc)
	return nil
}

// List returns live profiles matching f with ids above after, in id order.
func (p Profiles) List(ctx context.Context, ws auth.Workspace, f profile.Filter, after string, limit int) ([]*profile.Profile, error) {
	if cond, args, ok := p.sideFilter(ws, f); ok {
		if after != "" {
			cond += " AND " + sqlIDJSON + " > json_quote(?)"
			args = append(args, after)
		}
		return p.indexed(ctx, fmt.Sprintf("%s ORDER BY %s LIMIT %d", cond, sqlIDJSON, limit), args...)
	}
	q := profileFilter(ws, f)
	if after != "" {
		q = append(q, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit))
	return findAll(ctx, p.c(), q, opts, fromProfileDoc)
}

// Each hands fn the workspace's live profiles, size at a time, read by one
// query in no particular order. Workspace-wide jobs use it rather than
// pages of List: on the embedded store a page of List is read one profile
// at a time by _id (sidelookup.go), where one cursor reads the whole
// workspace at once. A profile written while Each runs may be handed over
// twice or not at all; its write evaluated it anyway.
func (p Profiles) Each(ctx context.Context, ws auth.Workspace, size int, fn func([]*profile.Profile) error) error {
	chunk := make([]*profile.Profile, 0, size)
	opts := options.Find().SetBatchSize(int32(size))
	err := eachDoc(ctx, p.c(), profileFilter(ws, profile.Filter{}), opts, fromProfileDoc, func(pr *profile.Profile) error {
		if chunk = append(chunk, pr); len(chunk) < size {
			return nil
		}
		full := chunk
		chunk = make([]*profile.Profile, 0, size)
		return fn(full)
	})
	if err != nil || len(chunk) == 0 {
		return err
	}
	return fn(chunk)
}

// Count counts live profiles matching f.
func (p Profiles) Count(ctx context.Context, ws auth.Workspace, f profile.Filter) (int64, error) {
	if cond, args, ok := p.sideFilter(ws, f); ok {
		return p.s.sideCount(ctx, colProfiles, cond, args)
	}
	n, err := p.c().CountDocuments(ctx, profileFilter(ws, f))
	if err != nil {
		return 0, fmt.Errorf("count profiles: %w", err)
	}
	return n, nil
}

// Erasing returns profiles of any workspace whose erasure was interrupted.
func (p Profiles) Erasing(ctx context.Context, limit int) ([]*profile.Profile, error) {
	if p.s.side != nil { // by cdp's own index (sidelookup.go)
		return p.indexed(ctx, fmt.Sprintf("%s = 1 LIMIT %d", sqlErasing, limit))
	}
	return findAll(ctx, p.c(), bson.D{{Key: "erasing", Value: true}}, options.Find().SetLimit(int64(limit)), fromProfileDoc)
}

// indexed reads the profiles an embedded lookup finds (sidelookup.go), in
// its order.
func (p Profiles) indexed(ctx context.Context, cond string, args ...any) ([]*profile.Profile, error) {
	ids, err := p.s.sideIDs(ctx, colProfiles, cond, args)
	if err != nil {
		return nil, err
	}
	return readByIDs(ctx, p.c(), ids, nil, fromProfileDoc)
}

// sideFilter returns, on the embedded store, the SQL condition of
// profileFilter for the side reader (sidelookup.go), when it has one. Pages
// then follow FerretDB's own _id index, and a page reads about as many
// documents as it returns instead of the whole collection. A filter on a
// dotted trait path, or on a value other than a string, a number or a
// boolean, is left to FerretDB: its matching through arrays of documents
// and of whole documents SQL does not copy.
func (p Profiles) sideFilter(ws auth.Workspace, f profile.Filter) (string, []any, bool) {
	if p.s.side == nil {
		return "", nil, false
	}
	cond := fmt.Sprintf("%s = ? AND %s IS NULL AND %s IS NOT 1 AND %s IS NOT 1", sqlWorkspace, sqlMergedInto, sqlErasing, sqlErased)
	args := []any{string(ws)}
	for _, k := range slices.Sorted(maps.Keys(f.Traits)) {
		match, arg, ok := sqlValue(f.Traits[k])
		if !ok || !plainKey(k) {
			return "", nil, false
		}
		// json_each goes through an array and gives a scalar as itself: a
		// trait matches as in MongoDB when it equals the value or is an
		// array holding it.
		cond += fmt.Sprintf(` AND EXISTS (SELECT 1 FROM json_each(_ferretdb_sjson, '$.traits."%s"') WHERE %s)`, k, match)
		args = append(args, arg...)
	}
	if f.IdentityType != "" {
		cond += " AND EXISTS (SELECT 1 FROM json_each(_ferretdb_sjson, '$.identities') WHERE value->>'$.type' = ?)"
		args = append(args, f.IdentityType)
	}
	if f.Segment != "" {
		cond += " AND EXISTS (SELECT 1 FROM json_each(_ferretdb_sjson, '$.segments') WHERE value = ?)"
		args = append(args, f.Segment)
	}
	return cond, args, true
}

// sqlValue returns the json_each condition matching v as MongoDB's
// equality does, and its arguments: strings match text, numbers match
// numbers of any kind, booleans match booleans only.
func sqlValue(v any) (string, []any, bool) {
	switch v := v.(type) {
	case string:
		return "type = 'text' AND value = ?", []any{v}, true
	case bool:
		if v {
			return "type = 'true'", nil, true
		}
		return "type = 'false'", nil, true
	case int, int32, int64, float64:
		return "type IN ('integer', 'real') AND value = ?", []any{v}, true
	}
	return "", nil, false
}

// plainKey reports whether k is a trait key a JSON path can name as it is:
// one level, letters, digits, '_' and '-'.
func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func profileFilter(ws auth.Workspace, f profile.Filter) bson.D {
	q := bson.D{{Key: "workspace", Value: string(ws)}, {Key: "mergedInto", Value: bson.D{{Key: "$exists", Value: false}}},
		{Key: "erasing", Value: bson.D{{Key: "$ne", Value: true}}}, {Key: "erased", Value: bson.D{{Key: "$ne", Value: true}}}}
	for k, v := range f.Traits {
		q = append(q, bson.E{Key: "traits." + k, Value: v})
	}
	if f.IdentityType != "" {
		q = append(q, bson.E{Key: "identities.type", Value: f.IdentityType})
	}
	if f.Segment != "" {
		q = append(q, bson.E{Key: "segments", Value: f.Segment})
	}
	return q
}

// Due returns up to limit live profiles of any workspace whose segment
// time windows lapse at or before now.
func (p Profiles) Due(ctx context.Context, now time.Time, limit int) ([]*profile.Profile, error) {
	if p.s.side != nil { // by cdp's own index (sidelookup.go)
		cond := fmt.Sprintf("%[1]s <= ? AND %[2]s IS NULL AND %[3]s IS NOT 1 ORDER BY %[1]s LIMIT %[4]d",
			sqlReevaluate, sqlMergedInto, sqlErased, limit)
		return p.indexed(ctx, cond, now.UnixMilli())
	}
	q := bson.D{{Key: "reevaluate", Value: bson.D{{Key: "$lte", Value: now}}},
		{Key: "mergedInto", Value: bson.D{{Key: "$exists", Value: false}}}, {Key: "erased", Value: bson.D{{Key: "$ne", Value: true}}}}
	return findAll(ctx, p.c(), q, options.Find().SetSort(bson.D{{Key: "reevaluate", Value: 1}}).SetLimit(int64(limit)), fromProfileDoc)
}

// Workspaces returns the workspaces that hold profiles.
func (p Profiles) Workspaces(ctx context.Context) ([]auth.Workspace, error) {
	raw, err := p.c().Distinct(context.WithoutCancel(ctx), "workspace", bson.D{}).Raw()
	if err != nil {
		return nil, fmt.Errorf("profile workspaces: %w", err)
	}
	vals, err := raw.Values()
	if err != nil {
		return nil, fmt.Errorf("profile workspaces: %w", err)
	}
	var out []auth.Workspace
	for _, v := range vals {
		if s, ok := v.StringValueOK(); ok {
			out = append(out, auth.Workspace(s))
		}
	}
	return out, nil
}

// classify maps a duplicate key to errs.Conflict and wraps everything else.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if mongo.IsDuplicateKeyError(err) {
		return errs.Wrap(errs.Conflict, "already exists", err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// InsertMany stores new profiles with one unordered InsertMany.
func (p Profiles) InsertMany(ctx context.Context, ps []*profile.Profile) error {
	docs := make([]any, len(ps))
	for i, pr := range ps {
		doc, err := p.raw(pr)
		if err != nil {
			return fmt.Errorf("insert profiles: %w", err)
		}
		docs[i] = doc
	}
	if _, err := p.c().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
		return classify("insert profiles", err)
	}
	for i, pr := range ps {
		p.s.remember(pr, pr.Version, docs[i].(bson.Raw))
	}
	return nil
}
