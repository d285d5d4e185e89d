package profile

import "slices"

// maxBatches is how many applied event batches a profile remembers: far
// more than can be in flight or left by a crash when repair runs.
const maxBatches = 128

// HasBatch reports whether the event batch key was folded into p.
func (p *Profile) HasBatch(key string) bool { return slices.Contains(p.AppliedBatches, key) }

// MarkBatch records that the event batch key was folded into p. It is
// written in the same compare-and-swap as the fold itself, which is what
// makes applying events exactly-once without a transaction.
func (p *Profile) MarkBatch(key string) {
	p.AppliedBatches = append(p.AppliedBatches, key)
	if n := len(p.AppliedBatches); n > maxBatches {
		p.AppliedBatches = slices.Clone(p.AppliedBatches[n-maxBatches:])
	}
}
