package resolvers

import (
	"github.com/cdp-dev/cdp/internal/imports"
	"github.com/cdp-dev/cdp/model"
)

func toModelImportJob(j *imports.Job) *model.ImportJob {
	out := &model.ImportJob{ID: j.ID, Kind: model.ImportKind(j.Kind), Status: model.ImportStatus(j.Status),
		RowsRead: int(j.Counts.Read), RowsStored: int(j.Counts.Stored), RowsDuplicate: int(j.Counts.Duplicate),
		RowsFolded: int(j.Counts.Folded), RowsRejected: int(j.Counts.Rejected), Error: opt(j.Error),
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, FinishedAt: j.FinishedAt,
		AllRejections: make([]*model.ImportRejection, len(j.Rejections))}
	for i, r := range j.Rejections {
		out.AllRejections[i] = &model.ImportRejection{Line: int(r.Line), Reason: r.Reason}
	}
	return out
}
