package event

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/document"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/profile"
)

// Input is one event as a client sends it.
type Input struct {
	MessageID  string
	Type       string
	Channel    string
	Identities []identity.RawIdentity
	Properties map[string]any
	Timestamp  *time.Time
}

// Result is the outcome of a trackEvents call.
type Result struct {
	Accepted   int
	Duplicates int
	Errors     []*errs.Error // each carries the item's Index
	Warnings   []ItemWarning
}

// ItemWarning is a warning about one item of a batch.
type ItemWarning struct {
	Index int
	identity.Warning
}

// Service ingests events.
type Service struct {
	store      Store
	identities *identity.Service
	profiles   *profile.Service
	newID      func() string
}

// NewService returns a Service that resolves events' identifiers through
// identities and reads profiles through profiles; newID names batches.
func NewService(store Store, identities *identity.Service, profiles *profile.Service, newID func() string) *Service {
	return &Service{store: store, identities: identities, profiles: profiles, newID: newID}
}

// Track stores a batch of events. Invalid items are reported by index and the
// valid ones are stored; a repeated messageId is counted as a duplicate. An
// error return means the stored events may not all be applied yet: retrying
// the same batch completes them.
func (s *Service) Track(ctx context.Context, ws auth.Workspace, actor string, ins []Input) (Result, error) {
	var res Result
	if len(ins) > identity.MaxBatch {
		return res, errs.Newf(errs.BadInput, "at most %d events per call", identity.MaxBatch)
	}
	set, err := s.identities.Settings(ctx, ws)
	if err != nil {
		return res, err
	}
	evs, read := s.prepare(ctx, ws, set, actor, ins, &res)
	batch := s.newID()
	for _, e := range evs {
		e.Batch = batch
	}
	if len(evs) == 0 {
		return res, nil
	}
	// The mark first: a crash after the insert leaves it for Recover.
	if err := s.store.OpenBatch(ctx, ws, batch); err != nil {
		return res, err
	}
	dup, err := s.store.Insert(ctx, evs)
	if err != nil {
		return res, err
	}
	fresh, retried, err := s.split(ctx, ws, evs, dup, batch)
	if err != nil {
		return res, err
	}
	res.Accepted, res.Duplicates = len(fresh), res.Duplicates+len(evs)-len(fresh)
	if err := s.apply(ctx, ws, set.Rules, fresh, true, read); err != nil {
		return res, err
	}
	if err := s.store.CloseBatch(ctx, ws, batch); err != nil {
		return res, err
	}
	for _, b := range retried { // a retry finishes what the first delivery left
		if err := s.repairBatch(ctx, ws, b); err != nil {
			return res, err
		}
	}
	return res, nil
}

// split separates the events this call stored from duplicates, and returns
// the batches of earlier deliveries of the duplicates that are still marked.
func (s *Service) split(ctx context.Context, ws auth.Workspace, evs []*Event, dup []bool, batch string) ([]*Event, []string, error) {
	fresh := make([]*Event, 0, len(evs))
	var retried []string
	seen := map[string]bool{batch: true}
	for i, e := range evs {
		if !dup[i] {
			fresh = append(fresh, e)
			continue
		}
		stored, err := s.store.Get(ctx, ws, e.ID)
		if err != nil {
			return nil, nil, err
		}
		if stored == nil || stored.Batch == "" || seen[stored.Batch] {
			continue // erased, stored by an earlier version, or already looked at
		}
		seen[stored.Batch] = true
		open, err := s.store.BatchOpen(ctx, ws, stored.Batch)
		if err != nil {
			return nil, nil, err
		}
		if open {
			retried = append(retried, stored.Batch)
		}
	}
	return fresh, retried, nil
}

// prepare validates the items and resolves their profiles; failures become
// item errors. It also returns the profiles resolution read, by id, for the
// writes that follow.
func (s *Service) prepare(ctx context.Context, ws auth.Workspace, set identity.Settings, actor string, ins []Input, res *Result) ([]*Event, map[string]*profile.Profile) {
	now := s.identities.Now()
	seen := map[string]bool{}
	read := map[string]*profile.Profile{}
	resolved := map[string]identity.Resolution{} // by identifier set: one resolve per customer per batch
	var evs []*Event
	for i, in := range ins {
		e, warns, err := validate(ws, set, in, now)
		if err == nil && seen[e.ID] {
			res.Duplicates++
			continue
		}
		if err == nil {
			key := setKey(e.Identities)
			r, ok := resolved[key]
			if !ok {
				if r, err = s.identities.Resolve(ctx, ws, set, actor, e.Identities, identity.Sighting{Source: e.Channel, At: e.Timestamp}); err == nil {
					resolved[key] = identity.Resolution{ProfileID: r.ProfileID, Warnings: r.Warnings, Attached: r.Attached}
					if _, ok := read[r.ProfileID]; !ok && r.Profile != nil {
						read[r.ProfileID] = r.Profile
					}
				}
			}
			// Received after its resolution, so an unmerge can tell which
			// events came after a merge. An event resolved to a profile that
			// a later item merges stays under that id: it is the
			// survivor's through Absorbed, and goes back with an unmerge.
			e.ProfileID, e.Attached, e.ReceivedAt = r.ProfileID, r.Attached, s.identities.Now()
			warns = append(warns, r.Warnings...)
		}
		for _, w := range warns {
			res.Warnings = append(res.Warnings, ItemWarning{Index: i, Warning: w})
		}
		if err != nil {
			res.Errors = append(res.Errors, errs.AtIndex(err, i))
			continue
		}
		seen[e.ID] = true
		evs = append(evs, e)
	}
	return evs, read
}

func validate(ws auth.Workspace, set identity.Settings, in Input, now time.Time) (*Event, []identity.Warning, error) {
	mid := strings.TrimSpace(in.MessageID)
	if mid == "" || len(mid) > 256 {
		return nil, nil, errs.New(errs.BadInput, "messageId must be 1 to 256 characters").WithField("messageId")
	}
	typ := strings.TrimSpace(in.Type)
	if typ == "" || len(typ) > 128 {
		return nil, nil, errs.New(errs.BadInput, "type must be 1 to 128 characters").WithField("type")
	}
	channel := ""
	if in.Channel != "" {
		var err error
		if channel, err = document.Name("channel", in.Channel); err != nil {
			return nil, nil, err
		}
	}
	if err := document.Validate("properties", in.Properties); err != nil {
		return nil, nil, err
	}
	ts, err := document.Timestamp(in.Timestamp, now)
	if err != nil {
		return nil, nil, err
	}
	ids, warns, err := set.Prepare(in.Identities)
	if err != nil {
		return nil, warns, err
	}
	props := in.Properties
	if props == nil {
		props = map[string]any{}
	}
	return &Event{ID: Key(ws, mid), Workspace: ws, MessageID: mid, Type: typ, Channel: channel,
		Properties: props, Identities: ids, Timestamp: ts, ReceivedAt: now}, warns, nil
}

// setKey identifies a set of identifiers regardless of order.
func setKey(ids []identity.Identifier) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	slices.Sort(parts)
	return strings.Join(parts, "\x00")
}
