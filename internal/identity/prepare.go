package identity

import (
	"strings"

	"github.com/cdp-dev/cdp/internal/errs"
)

// RawIdentity is an identifier as the client sent it.
type RawIdentity struct{ Type, Value string }

// MaxPerItem bounds the identifiers one item of a request may carry.
const MaxPerItem = 50

// Prepare normalizes raw identifiers with the workspace's default region,
// drops repeats, and screens them against the rules: blocked values are
// dropped with a warning each, matched on the raw and the normalized form
// before any format check, so a placeholder such as "N/A" never fails a
// request. It fails when nothing usable is left.
func (set Settings) Prepare(raw []RawIdentity) ([]Identifier, []Warning, error) {
	if len(raw) == 0 {
		return nil, nil, errs.New(errs.BadInput, "at least one identity is required").WithField("identities")
	}
	if len(raw) > MaxPerItem {
		return nil, nil, errs.Newf(errs.BadInput, "at most %d identities per item", MaxPerItem).WithField("identities")
	}
	ids := make([]Identifier, 0, len(raw))
	var warns []Warning
	for _, r := range raw {
		asSent := Identifier{Type: strings.TrimSpace(r.Type), Value: strings.TrimSpace(r.Value)}
		if asSent.Value != "" && set.Rules.Blocked(asSent) {
			warns = append(warns, blockedWarning(asSent))
			continue
		}
		id, err := Normalize(r.Type, r.Value, set.Region)
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
	}
	usable, blocked := set.Rules.Split(Dedupe(ids))
	for _, id := range blocked {
		warns = append(warns, blockedWarning(id))
	}
	if len(usable) == 0 {
		return nil, warns, errs.New(errs.BadInput, "every identifier is blocked by the workspace's identity rules").WithField("identities")
	}
	return usable, warns, nil
}
