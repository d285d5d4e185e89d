package store

import (
	"context"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
)

// Purgers returns what an erasure clears in each collection, for the
// profile service.
func (s *Store) Purgers() profile.Purgers {
	return profile.Purgers{
		Events:     eachProfile(s.Events().EraseByProfile),
		Identities: eachProfile(s.Identities().DeleteByProfile),
		Records:    s.scrubRecords,
	}
}

// eachProfile sums a per-profile purge over several profiles.
func eachProfile(f func(context.Context, auth.Workspace, string) (int64, error)) profile.Purge {
	return func(ctx context.Context, ws auth.Workspace, pids []string) (int64, error) {
		var n int64
		for _, pid := range pids {
			m, err := f(ctx, ws, pid)
			if err != nil {
				return n, err
			}
			n += m
		}
		return n, nil
	}
}

// scrubRecords strips personal data from the merge records and conflicts
// naming the profiles and counts each record once.
func (s *Store) scrubRecords(ctx context.Context, ws auth.Workspace, pids []string) (int64, error) {
	seen := map[string]bool{}
	var n int64
	for _, pid := range pids {
		recs, err := s.Merges().ByProfile(ctx, ws, pid)
		if err != nil {
			return n, err
		}
		for _, r := range recs {
			seen[r.ID] = true
		}
		if _, err := s.Merges().Scrub(ctx, ws, pid); err != nil {
			return n, err
		}
		c, err := s.Conflicts().Scrub(ctx, ws, pid)
		if err != nil {
			return n, err
		}
		n += c
	}
	return n + int64(len(seen)), nil
}
