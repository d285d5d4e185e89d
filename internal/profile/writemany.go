package profile

import (
	"context"
	"slices"

	"github.com/cdp-dev/cdp/internal/auth"
)

// WriteMany writes, in bulk, profiles the caller read earlier: fn changes
// each copy, RFM and membership are derived, and every profile still at
// the version it was read at is stored in a few multi-document writes
// instead of one each. It returns the indexes of the profiles it did not
// write because they changed meanwhile or another operation holds them:
// the caller writes those one by one (Write). Absorbed and erased profiles
// are skipped. Subscribers are not told (no reason): segment membership
// changes are.
func (s *Service) WriteMany(ctx context.Context, ws auth.Workspace, ps []*Profile, fn func(i int, p *Profile)) ([]int, error) {
	keys := make([]string, len(ps))
	for i, p := range ps {
		keys[i] = string(ws) + "/" + p.ID
	}
	defer s.docs.lockAll(keys)()
	var (
		retry    []int
		todo     []int
		batch    []*Profile
		versions []int64
		before   [][]string
	)
	now := s.now().UTC()
	for i, p := range ps {
		c := p.copyOf(ws, p.ID)
		if c == nil || c.Erased || c.Erasing || c.MergedInto != "" {
			continue
		}
		if c.Lock != nil {
			retry = append(retry, i)
			continue
		}
		seg := slices.Clone(c.Segments)
		version := c.Version
		fn(i, c)
		c.Version, c.UpdatedAt, c.Reason = version+1, now, "" // subscribers are not told
		s.derive(ctx, c)
		todo, batch, versions, before = append(todo, i), append(batch, c), append(versions, version), append(before, seg)
	}
	if len(batch) == 0 {
		return retry, nil
	}
	stale, err := s.store.ReplaceMany(ctx, batch, versions)
	if err != nil {
		return nil, err
	}
	for j, c := range batch {
		if stale[j] {
			retry = append(retry, todo[j])
			continue
		}
		s.stored(ctx, c, before[j])
	}
	slices.Sort(retry)
	return retry, nil
}
