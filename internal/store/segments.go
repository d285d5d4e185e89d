package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/rfm"
	"github.com/cdp-dev/cdp/internal/segment"
)

// Segments stores segments and RFM states.
type Segments struct{ s *Store }

var _ segment.Store = Segments{}

// Segments returns the segment store.
func (s *Store) Segments() Segments { return Segments{s} }

type segmentDoc struct {
	ID          string `bson:"_id"`
	Workspace   string `bson:"workspace"`
	Name        string `bson:"name"`
	Description string `bson:"description,omitempty"`
	// Rule is kept as JSON text: rule values are free-form and their keys
	// are never field names.
	Rule      string    `bson:"rule"`
	Status    string    `bson:"status"`
	Version   int64     `bson:"version"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

func toSegmentDoc(s *segment.Segment) (segmentDoc, error) {
	rule, err := json.Marshal(s.Rule)
	if err != nil {
		return segmentDoc{}, fmt.Errorf("encode segment rule: %w", err)
	}
	return segmentDoc{ID: s.ID, Workspace: string(s.Workspace), Name: s.Name, Description: s.Description, Rule: string(rule),
		Status: s.Status, Version: s.Version, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}, nil
}

func fromSegmentDoc(d segmentDoc) *segment.Segment {
	s := &segment.Segment{ID: d.ID, Workspace: auth.Workspace(d.Workspace), Name: d.Name, Description: d.Description,
		Status: d.Status, Version: d.Version, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
	var n segment.Node
	if json.Unmarshal([]byte(d.Rule), &n) == nil {
		s.Rule = &n
	}
	return s
}

func (x Segments) c() *mongo.Collection { return x.s.coll(colSegments) }

// Insert stores a new segment.
func (x Segments) Insert(ctx context.Context, s *segment.Segment) error {
	d, err := toSegmentDoc(s)
	if err != nil {
		return err
	}
	_, err = x.c().InsertOne(ctx, d)
	return classify("insert segment", err)
}

// Replace stores s over the stored segment of the same id.
func (x Segments) Replace(ctx context.Context, s *segment.Segment) error {
	d, err := toSegmentDoc(s)
	if err != nil {
		return err
	}
	r, err := x.c().ReplaceOne(ctx, bson.D{{Key: "_id", Value: s.ID}, {Key: "workspace", Value: string(s.Workspace)}}, d)
	if err != nil {
		return fmt.Errorf("replace segment: %w", err)
	}
	if r.MatchedCount == 0 {
		return segment.ErrNotFound
	}
	return nil
}

// Delete removes a segment.
func (x Segments) Delete(ctx context.Context, ws auth.Workspace, id string) error {
	r, err := x.c().DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "workspace", Value: string(ws)}})
	if err != nil {
		return fmt.Errorf("delete segment: %w", err)
	}
	if r.DeletedCount == 0 {
		return segment.ErrNotFound
	}
	return nil
}

// List returns the workspace's segments by id.
func (x Segments) List(ctx context.Context, ws auth.Workspace) ([]*segment.Segment, error) {
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})
	return findAll(ctx, x.c(), bson.D{{Key: "workspace", Value: string(ws)}}, opts, fromSegmentDoc)
}

// Building returns the segments of any workspace still being built.
func (x Segments) Building(ctx context.Context) ([]*segment.Segment, error) {
	return findAll(ctx, x.c(), bson.D{{Key: "status", Value: segment.Building}}, nil, fromSegmentDoc)
}

// SetReady marks the segment ready if its rule is still at version.
func (x Segments) SetReady(ctx context.Context, ws auth.Workspace, id string, version int64) error {
	q := bson.D{{Key: "_id", Value: id}, {Key: "workspace", Value: string(ws)}, {Key: "version", Value: version}}
	_, err := x.c().UpdateOne(ctx, q, set(bson.E{Key: "status", Value: segment.Ready}))
	if err != nil {
		return fmt.Errorf("segment ready: %w", err)
	}
	return nil
}

type rfmDocState struct {
	ID         string     `bson:"_id"`
	Workspace  string     `bson:"workspace"`
	Recency    [4]float64 `bson:"recency"`
	Frequency  [4]float64 `bson:"frequency"`
	Monetary   [4]float64 `bson:"monetary"`
	WindowDays int        `bson:"windowDays"`
	At         time.Time  `bson:"at"`
}

// RFM returns the workspace's RFM state, nil when it has none.
func (x Segments) RFM(ctx context.Context, ws auth.Workspace) (*segment.RFMState, error) {
	var d rfmDocState
	err := getByID(ctx, x.s.coll(colRFM), ws, string(ws), &d)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get RFM state: %w", err)
	}
	return &segment.RFMState{Workspace: ws, WindowDays: d.WindowDays, At: d.At.UTC(),
		Boundaries: rfm.Boundaries{Recency: d.Recency, Frequency: d.Frequency, Monetary: d.Monetary}}, nil
}

// PutRFM stores the workspace's RFM state.
func (x Segments) PutRFM(ctx context.Context, st *segment.RFMState) error {
	d := rfmDocState{ID: string(st.Workspace), Workspace: string(st.Workspace), Recency: st.Boundaries.Recency,
		Frequency: st.Boundaries.Frequency, Monetary: st.Boundaries.Monetary, WindowDays: st.WindowDays, At: st.At}
	_, err := x.s.coll(colRFM).ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("put RFM state: %w", err)
	}
	return nil
}
