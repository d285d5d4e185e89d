package resolvers

import (
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/page"
	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/model"
)

func toModelRefs(ids []identity.Identifier) []*model.IdentityRef {
	out := make([]*model.IdentityRef, len(ids))
	for i, id := range ids {
		out[i] = &model.IdentityRef{Type: id.Type, Value: id.Value}
	}
	return out
}

func toModelWarnings(ws []identity.Warning) []*model.Warning {
	out := make([]*model.Warning, len(ws))
	for i, w := range ws {
		out[i] = &model.Warning{Code: w.Code, Message: w.Message, ConflictID: opt(w.ConflictID)}
		if w.Identity != nil {
			out[i].Identity = &model.IdentityRef{Type: w.Identity.Type, Value: w.Identity.Value}
		}
	}
	return out
}

func toDomainRules(in []*model.IdentityRuleInput) []identity.Rule {
	out := make([]identity.Rule, len(in))
	for i, r := range in {
		out[i] = identity.Rule{Type: r.Type, Priority: r.Priority, MaxPerProfile: r.MaxPerProfile, BlockedValues: r.BlockedValues}
	}
	return out
}

func toModelRules(rules []identity.Rule) []*model.IdentityRule {
	out := make([]*model.IdentityRule, len(rules))
	for i, r := range rules {
		out[i] = &model.IdentityRule{Type: r.Type, Priority: r.Priority, MaxPerProfile: r.MaxPerProfile, BlockedValues: nonNilStrings(r.BlockedValues)}
	}
	return out
}

func toModelMergeRecords(recs []*identity.MergeRecord) []*model.MergeRecord {
	out := make([]*model.MergeRecord, len(recs))
	for i, r := range recs {
		out[i] = &model.MergeRecord{ID: r.ID, SurvivorID: r.SurvivorID, AbsorbedIds: r.AbsorbedIDs,
			Identifiers: toModelRefs(r.Identifiers), Rule: r.Rule, Actor: r.Actor, Reason: opt(r.Reason), At: r.At, UndoneAt: r.UndoneAt}
	}
	return out
}

func toModelConflictConnection(pg page.Page[*identity.Conflict]) *model.IdentityConflictConnection {
	c := &model.IdentityConflictConnection{Edges: make([]*model.IdentityConflictEdge, len(pg.Items)), TotalCount: int(pg.Total),
		PageInfo: toModelPageInfo(pg.Cursors, pg.HasNext, pg.HasPrev)}
	for i, x := range pg.Items {
		c.Edges[i] = &model.IdentityConflictEdge{Cursor: pg.Cursors[i], Node: &model.IdentityConflict{ID: x.ID,
			ProfileIds: x.ProfileIDs, Identities: toModelRefs(x.Identifiers), Type: x.Type, ResolvedProfileID: x.ResolvedID, At: x.At}}
	}
	return c
}

func toModelDeletion(r profile.DeletionReport) *model.DeletionReport {
	return &model.DeletionReport{ProfileID: r.ProfileID, ProfilesDeleted: int(r.Profiles), IdentitiesDeleted: int(r.Identities),
		EventsDeleted: int(r.Events), AuditRecordsScrubbed: int(r.RecordsScrubbed)}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
