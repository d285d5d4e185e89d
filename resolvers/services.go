package resolvers

import (
	"context"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/imports"
	"github.com/cdp-dev/cdp/internal/page"
	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/segment"
	"github.com/cdp-dev/cdp/internal/workspace"
)

// Profiles is what the resolvers use of the profile aggregate.
type Profiles interface {
	Find(ctx context.Context, ws auth.Workspace, id string) (*profile.Profile, error)
	List(ctx context.Context, ws auth.Workspace, in profile.ListInput) (page.Page[*profile.Profile], error)
	SetConsent(ctx context.Context, ws auth.Workspace, in profile.ConsentInput) (*profile.Profile, error)
	Erase(ctx context.Context, ws auth.Workspace, id string) (profile.DeletionReport, error)
}

// Identities is what the resolvers use of identity resolution.
type Identities interface {
	Identify(ctx context.Context, ws auth.Workspace, actor string, in identity.IdentifyInput) (identity.Result, error)
	Upsert(ctx context.Context, ws auth.Workspace, actor string, ins []identity.IdentifyInput) ([]identity.Result, error)
	ByIdentity(ctx context.Context, ws auth.Workspace, raw identity.RawIdentity) (*profile.Profile, error)
	MergeProfiles(ctx context.Context, ws auth.Workspace, actor, survivorID string, ids []string, reason string) (*profile.Profile, error)
	Unmerge(ctx context.Context, ws auth.Workspace, mergeID string) ([]*profile.Profile, error)
	Conflicts(ctx context.Context, ws auth.Workspace, first *int, after string) (page.Page[*identity.Conflict], error)
	History(ctx context.Context, ws auth.Workspace, profileID string) ([]*identity.MergeRecord, error)
}

// Events is what the resolvers use of event ingest.
type Events interface {
	Track(ctx context.Context, ws auth.Workspace, actor string, ins []event.Input, wait event.Wait) (event.Result, error)
	Status() event.Status
	List(ctx context.Context, ws auth.Workspace, in event.ListInput) (page.Page[*event.Event], error)
	ListMany(ctx context.Context, ws auth.Workspace, ins []event.ListInput) ([]page.Page[*event.Event], []error, error)
}

// Imports is what the resolvers use of bulk imports.
type Imports interface {
	// Get returns the workspace's job with the id, or nil when there is none.
	Get(ctx context.Context, ws auth.Workspace, id string) (*imports.Job, error)
}

// Workspaces is what the resolvers use of workspace settings.
type Workspaces interface {
	Get(ctx context.Context, ws auth.Workspace) (workspace.Settings, error)
	Update(ctx context.Context, ws auth.Workspace, u workspace.Update) (workspace.Settings, error)
	IdentityRules(ctx context.Context, ws auth.Workspace) (identity.Rules, error)
	SetIdentityRules(ctx context.Context, ws auth.Workspace, rules []identity.Rule) ([]identity.Rule, error)
}

// Segments is what the resolvers use of segments and RFM.
type Segments interface {
	Create(ctx context.Context, ws auth.Workspace, in segment.Input) (*segment.Segment, error)
	Update(ctx context.Context, ws auth.Workspace, id string, in segment.Input) (*segment.Segment, error)
	Delete(ctx context.Context, ws auth.Workspace, id string) error
	Get(ctx context.Context, ws auth.Workspace, id string) (*segment.Segment, error)
	List(ctx context.Context, ws auth.Workspace) ([]*segment.Segment, error)
	Size(ctx context.Context, ws auth.Workspace, id string) (int64, error)
	Preview(ctx context.Context, ws auth.Workspace, rule *segment.Node, sample *int) (segment.Preview, error)
	Members(ctx context.Context, ws auth.Workspace, id string, in profile.ListInput) (page.Page[*profile.Profile], error)
	RecomputeRFM(ctx context.Context, ws auth.Workspace) (segment.RFMSummary, error)
	RFMSummary(ctx context.Context, ws auth.Workspace) (segment.RFMSummary, error)
	SettingsChanged(ctx context.Context, ws auth.Workspace) error
}

// Bus is the realtime fan-out the subscriptions read.
type Bus interface {
	Subscribe(ctx context.Context, topic string) (<-chan any, error)
}
