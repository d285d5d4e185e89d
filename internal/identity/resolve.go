package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cenkalti/backoff/v5"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
)

// Resolution is the outcome of resolving a set of identifiers.
type Resolution struct {
	ProfileID string
	Created   bool
	Merged    []string
	Warnings  []Warning
	// Attached are the request's identifiers that the profile now holds:
	// the ones to record on it. A refused merge or a limit leaves others out.
	Attached []Identifier
	// Profile is the profile as resolution read it, when it did and wrote
	// nothing to it since: a write that follows may start from it.
	Profile *profile.Profile
	// rest, when set, are the identifiers to resolve again without the
	// ones tying the request to another person (see clashing).
	rest []Identifier
}

// Warning codes.
const (
	WarnBlocked      = "IDENTIFIER_BLOCKED"
	WarnMergeRefused = "MERGE_REFUSED"
	WarnNotAttached  = "IDENTIFIER_NOT_ATTACHED"
)

// Warning is something a request could not do as asked.
type Warning struct {
	Code       string
	Message    string
	Identity   *Identifier
	ConflictID string
}

// maxResolveAttempts bounds the retries when concurrent requests race for
// the same identifiers or profiles.
const maxResolveAttempts = 10

// Resolve finds the one live profile that holds ids (normalized and
// screened), creating it when none does, merging the profiles that hold them
// when the workspace rules allow, and attaching the identifiers nobody holds
// (document first, see attach; a new profile's document is created then).
func (s *Service) Resolve(ctx context.Context, ws auth.Workspace, set Settings, actor string, ids []Identifier, seen Sighting) (Resolution, error) {
	var dropped []Warning
	raced := false
	gen := s.owners.generation()
	res, err := profile.Retry(ctx, maxResolveAttempts, func() (Resolution, error) {
		res, retry, err := s.resolveOnce(ctx, ws, actor, set.Rules, ids, seen)
		for err == nil && len(res.rest) > 0 { // the request is another person's: resolve it without the ties
			ids, dropped = res.rest, append(dropped, res.Warnings...)
			res, retry, err = s.resolveOnce(ctx, ws, actor, set.Rules, ids, seen)
		}
		if raced = err == nil && retry; raced {
			return res, errRace
		}
		if err != nil {
			return res, backoff.Permanent(err)
		}
		return res, nil
	})
	if raced { // out of attempts, or ctx ended before the next
		if errors.Is(err, errRace) {
			err = ErrBusy
		}
		return Resolution{}, err
	}
	res.Warnings = append(dropped, res.Warnings...)
	if err == nil && len(res.Attached) == len(ids) {
		s.owners.keep(ws, ids, res.ProfileID, gen)
	}
	return res, err
}

// errRace asks Retry for another attempt of a resolution that lost a race
// for identifiers or profiles.
var errRace = errors.New("resolution lost a race")

func (s *Service) resolveOnce(ctx context.Context, ws auth.Workspace, actor string, rules Rules, ids []Identifier, seen Sighting) (Resolution, bool, error) {
	owners, err := s.index.Owners(ctx, ws, ids)
	if err != nil {
		return Resolution{}, false, err
	}
	cands, live, err := s.candidates(ctx, ws, ids, owners)
	if err != nil {
		return Resolution{}, false, err
	}
	var res Resolution
	switch len(cands) {
	case 0:
		res.ProfileID, res.Created = s.newID(), true
	case 1:
		res.ProfileID, res.Profile = cands[0].ID, cands[0]
	default:
		r, retry, err := s.join(ctx, ws, actor, rules, ids, live, cands)
		if err != nil || retry {
			return r, retry, err
		}
		res = r
	}
	var unclaimed []Identifier
	for _, id := range ids {
		if _, ok := owners[id]; !ok {
			unclaimed = append(unclaimed, id)
		}
	}
	if i := slices.IndexFunc(cands, func(p *profile.Profile) bool { return p.ID == res.ProfileID }); i >= 0 && len(res.Merged) == 0 {
		if ties := clashing(rules, cands[i], ids, live, unclaimed); len(ties) > 0 {
			return untie(res, ids, ties, cands[i].ID), false, nil
		}
	}
	for _, id := range ids {
		if o, ok := live[id]; ok && (o == res.ProfileID || slices.Contains(res.Merged, o)) {
			res.Attached = append(res.Attached, id)
		}
	}
	if len(unclaimed) == 0 {
		return res, false, nil
	}
	seen.IDs = unclaimed
	written, claimed, warns, retry, err := s.attach(ctx, ws, rules, res.ProfileID, res.Created, seen, res.Profile)
	res.Profile = written
	res.Warnings = append(res.Warnings, warns...)
	res.Attached = append(res.Attached, claimed...)
	return res, retry, err
}

// candidates returns the distinct live profiles holding ids, in the order of
// ids, and the live holder of each held identifier. A holder whose document
// is missing (a crash between claim and create) is a fresh profile.
func (s *Service) candidates(ctx context.Context, ws auth.Workspace, ids []Identifier, owners map[Identifier]string) ([]*profile.Profile, map[Identifier]string, error) {
	var out []*profile.Profile
	live := map[Identifier]string{}
	byOwner := map[string]*profile.Profile{}
	for _, id := range ids {
		o, ok := owners[id]
		if !ok {
			continue
		}
		p, seen := byOwner[o]
		if !seen {
			var err error
			if p, err = s.profiles.Follow(ctx, ws, o); errors.Is(err, profile.ErrNotFound) {
				p, err = &profile.Profile{ID: o, Workspace: ws, CreatedAt: s.Now()}, nil
			}
			if err != nil {
				return nil, nil, err
			}
			if p.Erased { // a claim made by a request that raced an erasure
				if err := s.index.Release(ctx, ws, id, o); err != nil {
					return nil, nil, err
				}
				delete(owners, id)
				continue
			}
			if p.Erasing {
				return nil, nil, ErrBusy
			}
			byOwner[o] = p
			if !slices.ContainsFunc(out, func(q *profile.Profile) bool { return q.ID == p.ID }) {
				out = append(out, p)
			}
		}
		live[id] = p.ID
	}
	return out, live, nil
}

// join merges the candidates into one survivor, or refuses when the merged
// profile would break an identity limit and records the conflict.
func (s *Service) join(ctx context.Context, ws auth.Workspace, actor string, rules Rules, ids []Identifier, live map[Identifier]string, cands []*profile.Profile) (Resolution, bool, error) {
	// What each candidate holds: its document, which lists every identifier
	// before the index gives it to the profile (see attach), and to be safe
	// the claims the index shows for the request's identifiers.
	held := map[string][]Identifier{}
	for _, p := range cands {
		held[p.ID] = idsOf(p)
	}
	for id, o := range live {
		held[o] = append(held[o], id)
	}
	var all []Identifier
	for _, p := range cands {
		all = append(all, held[p.ID]...)
	}
	var shared []Identifier
	for _, id := range ids {
		if _, ok := live[id]; ok {
			shared = append(shared, id)
		}
	}
	if over := rules.Over(all); len(over) > 0 {
		return s.refuse(ctx, ws, rules, shared, live, cands, over[0])
	}
	survivor := pickSurvivor(rules, cands, held)
	plan := mergePlan{survivor: survivor, identifiers: shared, rule: RuleShared, actor: actor}
	for _, p := range cands {
		if p.ID != survivor {
			plan.absorbed = append(plan.absorbed, p.ID)
		}
	}
	rec, err := s.merge(ctx, ws, rules, plan)
	if errors.Is(err, errAborted) {
		return Resolution{}, true, nil
	}
	if err != nil {
		return Resolution{}, false, err
	}
	return Resolution{ProfileID: survivor, Merged: rec.AbsorbedIDs}, false, nil
}

// refuse records a conflict and resolves to the holder of the request's
// highest-priority identifier.
func (s *Service) refuse(ctx context.Context, ws auth.Workspace, rules Rules, shared []Identifier, live map[Identifier]string, cands []*profile.Profile, typ string) (Resolution, bool, error) {
	top, _ := rules.Top(shared)
	c := &Conflict{Workspace: ws, Identifiers: shared, Type: typ, ResolvedID: live[top], At: s.Now()}
	for _, p := range cands {
		c.ProfileIDs = append(c.ProfileIDs, p.ID)
	}
	slices.Sort(c.ProfileIDs)
	c.ID = conflictID(ws, c.ProfileIDs, typ)
	if err := s.conflicts.Record(ctx, c); err != nil {
		return Resolution{}, false, err
	}
	w := Warning{Code: WarnMergeRefused, ConflictID: c.ID, Message: fmt.Sprintf(
		"profiles %s were not merged: together they would hold more %s identifiers than allowed", strings.Join(c.ProfileIDs, ", "), typ)}
	return Resolution{ProfileID: c.ResolvedID, Warnings: []Warning{w}}, false, nil
}

// conflictID is stable for the same profiles and type, so a conflict that
// every event of a customer runs into is recorded once.
func conflictID(ws auth.Workspace, ids []string, typ string) string {
	h := sha256.Sum256([]byte(string(ws) + "\n" + strings.Join(ids, ",") + "\n" + typ))
	return hex.EncodeToString(h[:16])
}

// pickSurvivor chooses the profile holding the highest-priority identifier;
// ties go to the oldest profile, then the smallest id.
func pickSurvivor(rules Rules, cands []*profile.Profile, held map[string][]Identifier) string {
	best := func(p *profile.Profile) int {
		top, ok := rules.Top(held[p.ID])
		if !ok {
			return -1
		}
		return rules.For(top.Type).Priority
	}
	winner := slices.MinFunc(cands, func(a, b *profile.Profile) int {
		if d := best(b) - best(a); d != 0 {
			return d
		}
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return winner.ID
}

// clashing returns the request's identifiers that tie it to p when the
// request also carries an identifier of a type p is full of (a different
// member_id or crm_id, say) that outranks all of them: the request is about
// another person, who only shares a lower-ranked identifier with p (a
// family e-mail, a shared device). Nil when there is no such clash.
func clashing(rules Rules, p *profile.Profile, ids []Identifier, live map[Identifier]string, unclaimed []Identifier) []Identifier {
	var ties []Identifier
	for _, id := range ids {
		if live[id] == p.ID {
			ties = append(ties, id)
		}
	}
	top, ok := rules.Top(ties)
	if !ok {
		return nil
	}
	for _, id := range unclaimed {
		r := rules.For(id.Type)
		if r.MaxPerProfile > 0 && countType(p.Identities, id.Type) >= r.MaxPerProfile && r.Priority > rules.For(top.Type).Priority {
			return ties
		}
	}
	return nil
}

// untie is the resolution that sends the request on without its ties to
// the profile holder, with a warning for each identifier left there.
func untie(res Resolution, ids, ties []Identifier, holder string) Resolution {
	out := Resolution{rest: slices.DeleteFunc(slices.Clone(ids), func(id Identifier) bool { return slices.Contains(ties, id) })}
	for _, id := range ties {
		out.Warnings = append(out.Warnings, Warning{Code: WarnNotAttached, Identity: &id, Message: fmt.Sprintf(
			"%s stays on profile %s: the request carries another identifier that profile cannot hold", id, holder)})
	}
	return out
}
