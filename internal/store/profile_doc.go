package store

import (
	"slices"
	"strings"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
)

type profileDoc struct {
	ID         string           `bson:"_id"`
	Workspace  string           `bson:"workspace"`
	Traits     map[string]any   `bson:"traits"`
	TraitTimes []traitTimeDoc   `bson:"traitTimes,omitempty"`
	Identities []identityRecDoc `bson:"identities"`
	Consent    []consentDoc     `bson:"consent"`
	Computed   computedDoc      `bson:"computed"`
	MergedInto string           `bson:"mergedInto,omitempty"`
	Absorbed   []string         `bson:"absorbed,omitempty"`
	Lock       *lockDoc         `bson:"lock,omitempty"`
	Applied    []string         `bson:"appliedMerges,omitempty"`
	// Batches is what versions before stored of the applied batches;
	// they are written packed into BatchList now (packed.go).
	Batches    []string         `bson:"appliedBatches,omitempty"`
	BatchList  string           `bson:"batchList,omitempty"`
	Observed   []observationDoc `bson:"observations,omitempty"`
	Segments   []string         `bson:"segments,omitempty"`
	Reevaluate *time.Time       `bson:"reevaluate,omitempty"`
	Erasing    bool             `bson:"erasing,omitempty"`
	Erased     bool             `bson:"erased,omitempty"`
	Version    int64            `bson:"version"`
	// Writer and Reason say, on MongoDB, which process stored the document
	// and what it told its subscribers (changes.go).
	Writer    string    `bson:"writer,omitempty"`
	Reason    string    `bson:"reason,omitempty"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

type lockDoc struct {
	Op    string    `bson:"op"`
	Until time.Time `bson:"until"`
	Owner string    `bson:"owner,omitempty"`
}

// traitTimeDoc records when a trait path was last set. Paths contain dots,
// so they are values, never field names.
type traitTimeDoc struct {
	Path string    `bson:"path"`
	At   time.Time `bson:"at"`
}

type identityRecDoc struct {
	Type      string    `bson:"type"`
	Value     string    `bson:"value"`
	Source    string    `bson:"source,omitempty"`
	FirstSeen time.Time `bson:"firstSeen"`
	LastSeen  time.Time `bson:"lastSeen"`
}

type observationDoc struct {
	Received time.Time      `bson:"received"`
	At       time.Time      `bson:"at"`
	IDs      []string       `bson:"ids"`
	Traits   map[string]any `bson:"traits,omitempty"`
}

type consentDoc struct {
	Channel   string             `bson:"channel"`
	Purpose   string             `bson:"purpose"`
	Granted   bool               `bson:"granted"`
	Source    string             `bson:"source,omitempty"`
	UpdatedAt time.Time          `bson:"updatedAt"`
	History   []consentChangeDoc `bson:"history"`
}

type consentChangeDoc struct {
	Granted bool      `bson:"granted"`
	Source  string    `bson:"source,omitempty"`
	At      time.Time `bson:"at"`
}

func toProfileDoc(p *profile.Profile) profileDoc {
	d := profileDoc{ID: p.ID, Workspace: string(p.Workspace), Traits: p.Traits, TraitTimes: toTraitTimes(p.TraitTimes),
		MergedInto: p.MergedInto, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		Applied: p.AppliedMerges, Erasing: p.Erasing, Erased: p.Erased, Lock: (*lockDoc)(p.Lock), Absorbed: p.Absorbed,
		Identities: make([]identityRecDoc, len(p.Identities)), Consent: make([]consentDoc, len(p.Consent)),
		Computed: toComputedDoc(p.Computed), Segments: p.Segments, Reevaluate: p.Reevaluate}
	d.Batches, d.BatchList = packKeys(p.AppliedBatches)
	if d.Traits == nil {
		d.Traits = map[string]any{}
	}
	for _, o := range p.Observations {
		d.Observed = append(d.Observed, observationDoc(o))
	}
	for i, id := range p.Identities {
		d.Identities[i] = identityRecDoc(id)
	}
	for i, c := range p.Consent {
		d.Consent[i] = consentDoc{Channel: c.Channel, Purpose: c.Purpose, Granted: c.Granted, Source: c.Source,
			UpdatedAt: c.UpdatedAt, History: make([]consentChangeDoc, len(c.History))}
		for j, h := range c.History {
			d.Consent[i].History[j] = consentChangeDoc(h)
		}
	}
	return d
}

func fromProfileDoc(d profileDoc) *profile.Profile {
	p := &profile.Profile{ID: d.ID, Workspace: auth.Workspace(d.Workspace), Traits: plainMap(d.Traits),
		TraitTimes: fromTraitTimes(d.TraitTimes), MergedInto: d.MergedInto, Version: d.Version,
		AppliedMerges: d.Applied, AppliedBatches: unpackKeys(d.Batches, d.BatchList), Erasing: d.Erasing, Erased: d.Erased, Lock: (*profile.Lock)(d.Lock), Absorbed: d.Absorbed,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		Identities: make([]profile.Identity, len(d.Identities)), Consent: make([]profile.Consent, len(d.Consent)),
		Computed: fromComputedDoc(d.Computed), Segments: d.Segments, Reevaluate: utcPtr(d.Reevaluate)}
	for i, id := range d.Identities {
		p.Identities[i] = profile.Identity(id)
	}
	for _, o := range d.Observed {
		o.Received, o.At, o.Traits = o.Received.UTC(), o.At.UTC(), plainMap(o.Traits)
		p.Observations = append(p.Observations, profile.Observation(o))
	}
	for i, c := range d.Consent {
		p.Consent[i] = profile.Consent{Channel: c.Channel, Purpose: c.Purpose, Granted: c.Granted, Source: c.Source,
			UpdatedAt: c.UpdatedAt, History: make([]profile.ConsentChange, len(c.History))}
		for j, h := range c.History {
			p.Consent[i].History[j] = profile.ConsentChange(h)
		}
	}
	return p
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toTraitTimes(m map[string]time.Time) []traitTimeDoc {
	out := make([]traitTimeDoc, 0, len(m))
	for k, v := range m {
		out = append(out, traitTimeDoc{Path: k, At: v})
	}
	slices.SortFunc(out, func(a, b traitTimeDoc) int { return strings.Compare(a.Path, b.Path) })
	return out
}

func fromTraitTimes(ds []traitTimeDoc) map[string]time.Time {
	out := make(map[string]time.Time, len(ds))
	for _, d := range ds {
		out[d.Path] = d.At
	}
	return out
}
