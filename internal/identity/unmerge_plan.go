package identity

import (
	"maps"
	"slices"
	"strings"

	"github.com/cdp-dev/cdp/internal/document"
	"github.com/cdp-dev/cdp/internal/profile"
)

// unmergePlan shares out what a survivor learnt since a merge among the
// profiles an unmerge brings back: every observation goes to each profile
// whose identifiers it carried (the merging request itself carried both),
// and an identifier attached since the merge goes to the absorbed profile
// when only that profile's identifiers came with it.
type unmergePlan struct {
	owner map[string]string             // "type:value" -> the profile holding it after the unmerge
	ids   map[string][]Identifier       // profile -> the identifiers it holds
	moved map[string][]profile.Identity // absorbed profile -> identifiers attached since, going to it
	obs   []profile.Observation         // the observations since the merge
	left  []profile.Observation         // what the survivor keeps
}

// planUnmerge plans the undo of rec from the survivor as the unmerge found
// it (rec.UndoFrom). It is pure, so a resumed unmerge plans the same.
func planUnmerge(rec *MergeRecord) unmergePlan {
	pl := unmergePlan{owner: map[string]string{}, ids: map[string][]Identifier{}, moved: map[string][]profile.Identity{}}
	for _, snap := range rec.Snapshots { // the survivor first: it keeps what both held
		for _, id := range idsOf(snap) {
			if _, ok := pl.owner[id.String()]; !ok {
				pl.owner[id.String()] = snap.ID
			}
		}
	}
	for _, o := range rec.UndoFrom.Observations {
		if o.Received.Before(rec.At) {
			pl.left = append(pl.left, o)
		} else {
			pl.obs = append(pl.obs, o)
		}
	}
	for _, x := range rec.UndoFrom.Identities {
		key := Identifier{Type: x.Type, Value: x.Value}.String()
		if _, ok := pl.owner[key]; ok {
			continue
		}
		to := pl.route(key, rec.SurvivorID)
		pl.owner[key] = to
		if to != rec.SurvivorID {
			pl.moved[to] = append(pl.moved[to], x)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(pl.owner)) {
		typ, value, _ := strings.Cut(key, ":")
		pid := pl.owner[key]
		pl.ids[pid] = append(pl.ids[pid], Identifier{Type: typ, Value: value})
	}
	for _, o := range pl.obs {
		if slices.Contains(pl.targets(o), rec.SurvivorID) {
			pl.left = append(pl.left, o)
		}
	}
	return pl
}

// route picks the profile an identifier attached since the merge goes to.
func (pl unmergePlan) route(key, survivor string) string {
	to := ""
	for _, o := range pl.obs {
		if !slices.Contains(o.IDs, key) {
			continue
		}
		for _, t := range pl.targets(o) {
			if to != "" && t != to {
				return survivor // seen with identifiers of several profiles
			}
			to = t
		}
	}
	if to == "" {
		return survivor
	}
	return to
}

// targets returns the profiles whose identifiers the observation carried.
func (pl unmergePlan) targets(o profile.Observation) []string {
	var out []string
	for _, k := range o.IDs {
		if pid, ok := pl.owner[k]; ok && !slices.Contains(out, pid) {
			out = append(out, pid)
		}
	}
	return out
}

// replay gives p the traits of its before-image snap, then those observed
// since the merge with its identifiers, each at its own time.
func (pl unmergePlan) replay(p, snap *profile.Profile) {
	p.Traits, p.TraitTimes = document.Clone(snap.Traits), maps.Clone(snap.TraitTimes)
	for _, o := range pl.obs {
		if slices.Contains(pl.targets(o), snap.ID) {
			profile.MergeTraits(p, o.Traits, o.At)
		}
	}
}
