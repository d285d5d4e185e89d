package model

import (
	"time"

	"github.com/cdp-dev/cdp/internal/errs"
)

// ImportJob is a bulk import job. It is written by hand because its
// rejections field takes an argument.
type ImportJob struct {
	ID            string
	Kind          ImportKind
	Status        ImportStatus
	RowsRead      int
	RowsStored    int
	RowsDuplicate int
	RowsFolded    int
	RowsRejected  int
	Error         *string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	FinishedAt    *time.Time
	// AllRejections are every rejection the job kept.
	AllRejections []*ImportRejection
}

// maxRejections is the most rejections a job keeps, and so lists.
const maxRejections = 1000

// Rejections returns the first rejections, in line order.
func (j *ImportJob) Rejections(first *int) ([]*ImportRejection, error) {
	n := len(j.AllRejections)
	if first != nil {
		if *first < 0 || *first > maxRejections {
			return nil, errs.Newf(errs.BadInput, "first must be between 0 and %d", maxRejections).WithField("first")
		}
		n = min(n, *first)
	}
	return j.AllRejections[:n], nil
}
