package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// jobView is what the command reads of an import job.
type jobView struct {
	ID, Status                                                    string
	RowsRead, RowsStored, RowsDuplicate, RowsFolded, RowsRejected int
	Error                                                         string
	Rejections                                                    []struct {
		Line   int
		Reason string
	}
}

// shownRejections is how many rejected rows the command prints.
const shownRejections = 20

const jobQuery = `query($id: ID!) { importJob(id: $id) { id status rowsRead rowsStored rowsDuplicate rowsFolded rowsRejected
	error rejections(first: 20) { line reason } } }`

// Polling: every pollEvery, and a server unreachable for maxMisses polls
// in a row (a restart takes a few) ends the command.
const (
	pollEvery = 500 * time.Millisecond
	maxMisses = 60
)

// watch polls the job until it is no longer running, showing its counters.
func watch(ctx context.Context, a importArgs, id string, p *progress) (jobView, error) {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	misses := 0
	for {
		j, err := fetchJob(ctx, a, id)
		var unreachable *unreachableError
		switch {
		case errors.As(err, &unreachable) && misses < maxMisses && ctx.Err() == nil:
			misses++
		case err != nil:
			p.done()
			return j, err
		default:
			misses = 0
			p.rows(j)
			if j.Status != "RUNNING" {
				p.done()
				return j, nil
			}
		}
		select {
		case <-ctx.Done():
			p.done()
			return j, ctx.Err()
		case <-t.C:
		}
	}
}

// unreachableError is a poll that did not reach the server or its store;
// the next one may.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return "the server is unreachable: " + e.err.Error() }

// fetchJob reads the job through GraphQL.
func fetchJob(ctx context.Context, a importArgs, id string) (jobView, error) {
	body, _ := json.Marshal(map[string]any{"query": jobQuery, "variables": map[string]any{"id": id}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return jobView{}, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return jobView{}, &unreachableError{err}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 {
		return jobView{}, &unreachableError{errors.New(resp.Status)}
	}
	return decodeJob(resp.Body, id)
}

func decodeJob(r io.Reader, id string) (jobView, error) {
	var out struct {
		Data   struct{ ImportJob *jobView }
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.NewDecoder(r).Decode(&out); err != nil {
		return jobView{}, fmt.Errorf("read import job: %w", err)
	}
	if len(out.Errors) > 0 {
		return jobView{}, fmt.Errorf("read import job: %s (%s)", out.Errors[0].Message, out.Errors[0].Extensions.Code)
	}
	if out.Data.ImportJob == nil {
		return jobView{}, fmt.Errorf("import job %s not found", id)
	}
	return *out.Data.ImportJob, nil
}

// report prints the job's final counters and its first rejected rows.
func report(w io.Writer, j jobView) {
	fmt.Fprintf(w, "%s: %d rows read, %d stored, %d duplicates, %d folded, %d rejected\n",
		j.Status, j.RowsRead, j.RowsStored, j.RowsDuplicate, j.RowsFolded, j.RowsRejected)
	if j.Error != "" {
		fmt.Fprintf(w, "error: %s\n", j.Error)
	}
	if len(j.Rejections) > 0 {
		fmt.Fprintf(w, "rejected rows (the first %d):\n", min(shownRejections, j.RowsRejected))
	}
	for _, r := range j.Rejections {
		fmt.Fprintf(w, "  line %d: %s\n", r.Line, r.Reason)
	}
}
