// Package workspace keeps the per-workspace settings that other domains read.
package workspace

import (
	"context"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/document"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/identity"
)

// Settings are the settings of one workspace.
type Settings struct {
	ID            auth.Workspace
	DefaultRegion string
	// IdentityRules are the configured rules; types without one use the defaults.
	IdentityRules identity.Rules
	// OrderTypes are the event types that are orders (default
	// order_completed and purchase); OfflineChannels the channels whose
	// orders are offline (default store and pos).
	OrderTypes      []string
	OfflineChannels []string
	// RFMWindowDays is the window of RFM frequency and monetary value
	// (default 365).
	RFMWindowDays int
}

// Defaults of the computed values' settings.
var (
	DefaultOrderTypes      = []string{"order_completed", "purchase"}
	DefaultOfflineChannels = []string{"store", "pos"}
)

// DefaultRFMWindowDays is the RFM window of a workspace that sets none.
const DefaultRFMWindowDays = 365

// Store persists settings.
type Store interface {
	// Get returns the stored settings and whether any were stored.
	Get(ctx context.Context, ws auth.Workspace) (Settings, bool, error)
	// Put stores settings, replacing earlier ones.
	Put(ctx context.Context, s Settings) error
}

// Service reads and changes workspace settings.
type Service struct {
	store         Store
	defaultRegion string
	cache         cache
}

// NewService returns a Service; defaultRegion applies to workspaces that set none.
func NewService(store Store, defaultRegion string) *Service {
	return &Service{store: store, defaultRegion: defaultRegion, cache: newCache()}
}

// Get returns the workspace's settings, with defaults filled in.
func (s *Service) Get(ctx context.Context, ws auth.Workspace) (Settings, error) {
	st, ok, hit := s.cache.get(ws)
	if !hit {
		var err error
		if st, ok, err = s.store.Get(ctx, ws); err != nil {
			return Settings{}, err
		}
		s.cache.put(ws, st, ok)
	}
	if !ok || st.DefaultRegion == "" {
		st.DefaultRegion = s.defaultRegion
	}
	if st.OrderTypes == nil {
		st.OrderTypes = DefaultOrderTypes
	}
	if st.OfflineChannels == nil {
		st.OfflineChannels = DefaultOfflineChannels
	}
	if st.RFMWindowDays <= 0 {
		st.RFMWindowDays = DefaultRFMWindowDays
	}
	st.ID = ws
	return st, nil
}

// Update is a partial change of settings; nil fields stay as they are.
type Update struct {
	DefaultRegion   *string
	OrderTypes      []string // nil: unchanged
	OfflineChannels []string // nil: unchanged
	RFMWindowDays   *int
}

// Update applies a change and returns the new settings.
func (s *Service) Update(ctx context.Context, ws auth.Workspace, u Update) (Settings, error) {
	st, err := s.Get(ctx, ws)
	if err != nil {
		return Settings{}, err
	}
	if u.DefaultRegion != nil {
		r := strings.ToUpper(strings.TrimSpace(*u.DefaultRegion))
		if !phonenumbers.GetSupportedRegions()[r] {
			return Settings{}, errs.Newf(errs.BadInput, "defaultRegion %q is not a region known to phone number metadata: "+
				"want an ISO 3166 alpha-2 code such as TH, US or GB", r).WithField("defaultRegion")
		}
		st.DefaultRegion = r
	}
	if err := applyComputed(&st, u); err != nil {
		return Settings{}, err
	}
	defer s.cache.forget(ws)
	return st, s.store.Put(ctx, st)
}

// IdentityRules returns the workspace's identity rules in force.
func (s *Service) IdentityRules(ctx context.Context, ws auth.Workspace) (identity.Rules, error) {
	st, err := s.Get(ctx, ws)
	if err != nil {
		return nil, err
	}
	if st.IdentityRules == nil {
		return identity.Rules{}, nil
	}
	return st.IdentityRules, nil
}

// SetIdentityRules replaces the rules of the given types and returns every
// rule in force.
func (s *Service) SetIdentityRules(ctx context.Context, ws auth.Workspace, rules []identity.Rule) ([]identity.Rule, error) {
	if len(rules) == 0 || len(rules) > 100 {
		return nil, errs.New(errs.BadInput, "rules must list 1 to 100 rules").WithField("rules")
	}
	for i, r := range rules {
		if err := identity.ValidateRule(r); err != nil {
			return nil, errs.AtIndex(err, i)
		}
	}
	st, err := s.Get(ctx, ws)
	if err != nil {
		return nil, err
	}
	if st.IdentityRules == nil {
		st.IdentityRules = identity.Rules{}
	}
	st.IdentityRules = st.IdentityRules.Merge(rules)
	defer s.cache.forget(ws)
	if err := s.store.Put(ctx, st); err != nil {
		return nil, err
	}
	return st.IdentityRules.List(), nil
}

// IdentitySettings returns what identity resolution reads of the
// workspace: the default phone region and the identity rules in force.
func (s *Service) IdentitySettings(ctx context.Context, ws auth.Workspace) (identity.Settings, error) {
	st, err := s.Get(ctx, ws)
	if err != nil {
		return identity.Settings{}, err
	}
	rules := st.IdentityRules
	if rules == nil {
		rules = identity.Rules{}
	}
	return identity.Settings{Region: st.DefaultRegion, Rules: rules}, nil
}

var _ identity.SettingsSource = (*Service)(nil)

// applyComputed applies the computed values' settings of an update.
func applyComputed(st *Settings, u Update) error {
	for field, names := range map[string][]string{"orderTypes": u.OrderTypes, "offlineChannels": u.OfflineChannels} {
		if len(names) > 50 {
			return errs.Newf(errs.BadInput, "%s: at most 50 names", field).WithField(field)
		}
		for _, n := range names {
			if _, err := document.Name(field, n); err != nil {
				return err
			}
		}
	}
	if u.OrderTypes != nil {
		st.OrderTypes = u.OrderTypes
	}
	if u.OfflineChannels != nil {
		st.OfflineChannels = u.OfflineChannels
	}
	if d := u.RFMWindowDays; d != nil {
		if *d < 1 || *d > 730 {
			return errs.New(errs.BadInput, "rfmWindowDays: 1 to 730").WithField("rfmWindowDays")
		}
		st.RFMWindowDays = *d
	}
	return nil
}
