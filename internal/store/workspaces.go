package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/workspace"
)

// Workspaces stores workspace settings.
type Workspaces struct{ s *Store }

var _ workspace.Store = Workspaces{}

// Workspaces returns the workspace settings store.
func (s *Store) Workspaces() Workspaces { return Workspaces{s} }

type workspaceDoc struct {
	ID            string    `bson:"_id"`
	DefaultRegion string    `bson:"defaultRegion,omitempty"`
	IdentityRules []ruleDoc `bson:"identityRules,omitempty"`
	OrderTypes    []string  `bson:"orderTypes,omitempty"`
	Offline       []string  `bson:"offlineChannels,omitempty"`
	RFMWindowDays int       `bson:"rfmWindowDays,omitempty"`
}

type ruleDoc struct {
	Type          string   `bson:"type"`
	Priority      int      `bson:"priority"`
	MaxPerProfile int      `bson:"maxPerProfile"`
	BlockedValues []string `bson:"blockedValues"`
}

// Get returns the settings and whether any were stored.
func (w Workspaces) Get(ctx context.Context, ws auth.Workspace) (workspace.Settings, bool, error) {
	var d workspaceDoc
	err := w.s.coll(colWorkspaces).FindOne(ctx, bson.D{{Key: "_id", Value: string(ws)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return workspace.Settings{ID: ws}, false, nil
	}
	if err != nil {
		return workspace.Settings{}, false, fmt.Errorf("get workspace: %w", err)
	}
	st := workspace.Settings{ID: ws, DefaultRegion: d.DefaultRegion, IdentityRules: identity.Rules{},
		OrderTypes: d.OrderTypes, OfflineChannels: d.Offline, RFMWindowDays: d.RFMWindowDays}
	for _, r := range d.IdentityRules {
		st.IdentityRules[r.Type] = identity.Rule(r)
	}
	return st, true, nil
}

// Put stores the settings.
func (w Workspaces) Put(ctx context.Context, st workspace.Settings) error {
	d := workspaceDoc{ID: string(st.ID), DefaultRegion: st.DefaultRegion, OrderTypes: st.OrderTypes,
		Offline: st.OfflineChannels, RFMWindowDays: st.RFMWindowDays}
	for _, r := range st.IdentityRules {
		d.IdentityRules = append(d.IdentityRules, ruleDoc(r))
	}
	slices.SortFunc(d.IdentityRules, func(a, b ruleDoc) int { return strings.Compare(a.Type, b.Type) })
	unlock, err := w.s.writeLock(ctx, d.ID)
	if err != nil {
		return fmt.Errorf("put workspace: %w", err)
	}
	defer unlock()
	_, err = w.s.coll(colWorkspaces).ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("put workspace: %w", err)
	}
	return nil
}
