package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cdp-dev/cdp/internal/profile"
)

// ReplaceMany stores each ps[i] whose stored version is still versions[i],
// with one bulk write per chunk of chunkEmbedded profiles; stale[i] reports
// a profile that was not stored because its version moved.
func (p Profiles) ReplaceMany(ctx context.Context, ps []*profile.Profile, versions []int64) ([]bool, error) {
	stale := make([]bool, len(ps))
	for lo := 0; lo < len(ps); lo += chunkEmbedded {
		hi := min(len(ps), lo+chunkEmbedded)
		replace := p.replaceChunk
		if p.s.serial != nil {
			replace = p.replaceChunkSerial
		}
		if err := replace(ctx, ps[lo:hi], versions[lo:hi], stale[lo:hi]); err != nil {
			return stale, err
		}
	}
	return stale, nil
}

// replaceChunk is one bulk write on MongoDB: each replacement filters by
// version; when some did not match, the stored versions tell which.
func (p Profiles) replaceChunk(ctx context.Context, ps []*profile.Profile, versions []int64, stale []bool) error {
	models := make([]mongo.WriteModel, len(ps))
	ids := make([]string, len(ps))
	for i, pr := range ps {
		ids[i] = pr.ID
		models[i] = mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: pr.ID},
			{Key: "workspace", Value: string(pr.Workspace)}, {Key: "version", Value: versions[i]}}).SetReplacement(p.doc(pr))
	}
	r, err := p.c().BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	if err != nil {
		return classify("replace profiles", err)
	}
	if r.MatchedCount == int64(len(ps)) {
		return nil
	}
	type versionDoc struct {
		ID      string `bson:"_id"`
		Version int64  `bson:"version"`
	}
	now, err := findAll(ctx, p.c(), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "version", Value: 1}}), func(d versionDoc) versionDoc { return d })
	if err != nil {
		return fmt.Errorf("replace profiles: %w", err)
	}
	stored := map[string]int64{}
	for _, d := range now {
		stored[d.ID] = d.Version
	}
	for i, pr := range ps {
		stale[i] = stored[pr.ID] != pr.Version // a later writer's version is stale too: rewriting is harmless
	}
	return nil
}

// replaceChunkSerial is replaceSerial for a chunk: the versions are
// checked under the documents' locks, then one bulk write by _id.
func (p Profiles) replaceChunkSerial(ctx context.Context, ps []*profile.Profile, versions []int64, stale []bool) error {
	release, err := p.s.enter(ctx, len(ps))
	if err != nil {
		return fmt.Errorf("replace profiles: %w", err)
	}
	defer release()
	ids := make([]string, len(ps))
	for i, pr := range ps {
		ids[i] = pr.ID
	}
	defer p.s.serial.lockAll(ids)()
	var models []mongo.WriteModel
	var written []*profile.Profile
	var docs []bson.Raw
	for i, pr := range ps {
		cur, known := p.s.recall(pr)
		if !known {
			var d struct {
				Version int64 `bson:"version"`
			}
			if err := getByID(ctx, p.c(), pr.Workspace, pr.ID, &d); err != nil && !notFound(err) {
				return fmt.Errorf("replace profiles: %w", err)
			}
			cur = d.Version
		}
		if stale[i] = cur != versions[i]; stale[i] {
			continue
		}
		doc, err := p.raw(pr)
		if err != nil {
			return fmt.Errorf("replace profiles: %w", err)
		}
		models = append(models, mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: pr.ID}}).SetReplacement(doc))
		written, docs = append(written, pr), append(docs, doc)
	}
	if len(models) == 0 {
		return nil
	}
	if _, err := p.c().BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
		for _, pr := range written {
			p.s.forget(pr)
		}
		return classify("replace profiles", err)
	}
	for i, pr := range written {
		p.s.remember(pr, pr.Version, docs[i])
	}
	return nil
}
