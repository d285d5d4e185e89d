package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// importing: `cdp import`'s route, POST /import/events, with a file of
// --import-events events over --import-customers new customers, each
// customer's orders together (a CRM's export of customers with their order
// history), customers in a shuffled order. The append time runs until the job reports every row stored, the
// fold time until it reports every row folded. Baseline: the same events
// stored by unordered InsertMany calls of 1,000 from --clients goroutines.
func (e *env) importing(ctx context.Context) ([]Scenario, error) {
	const prefix = "i"
	sp, err := e.open(ctx, "import")
	if err != nil {
		return nil, err
	}
	defer sp.close()
	path, err := writeImportFile(e.o.ImportEvents, e.o.ImportCustomers, prefix)
	if err != nil {
		return nil, err
	}
	defer os.Remove(path)
	base, err := e.baseImport(ctx, sp, prefix)
	if err != nil {
		return nil, fmt.Errorf("import baseline: %w", err)
	}
	e.progressf("import: baseline stored %d events in %s", e.o.ImportEvents, base.Round(time.Millisecond))
	var peak atomic.Int64
	stopRSS := sampleRSS(&peak)
	stored, folded, err := e.runImport(ctx, sp, path)
	stopRSS()
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	n := e.o.ImportEvents
	note := fmt.Sprintf("%d events over %d customers; driver, %d goroutines, InsertMany of 1,000", n, e.o.ImportCustomers, e.o.Clients)
	fold := figure("import_fold", "x append", folded.Seconds()/stored.Seconds(),
		fmt.Sprintf("time until every event is folded (%s) over the append time (%s)", folded.Round(time.Second), stored.Round(time.Second)))
	fold.Target, fold.Met = ptr("<= 2"), ptr(folded <= 2*stored)
	return []Scenario{
		row("import", "events/s", perSecond(n, stored), perSecond(n, base), ">= 0.5", note),
		fold,
		figure("import_memory", "MiB", float64(peak.Load())/1024, "peak resident memory of the whole bench process during the import"),
	}, nil
}

// writeImportFile writes n events over customers new customers as NDJSON,
// each customer's events together, and returns its path.
func writeImportFile(n, customers int, prefix string) (string, error) {
	f, err := os.CreateTemp("", "cdp-bench-import-*.ndjson")
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	who := rand.New(rand.NewPCG(3, 4)).Perm(customers)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		c := who[i*customers/n] // customer-major: n/customers events each
		row := map[string]any{"messageId": fmt.Sprintf("%s-%d", prefix, i), "type": "order_completed", "channel": "web",
			"identities": []any{map[string]any{"type": "email", "value": email(prefix, c).value}},
			"properties": map[string]any{"total": 10 + i%90}, "timestamp": at.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)}
		b, _ := json.Marshal(row)
		_, _ = w.Write(b)
		_ = w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	return f.Name(), f.Close()
}

// baseImport stores the same events through the driver and times it.
func (e *env) baseImport(ctx context.Context, sp *space, prefix string) (time.Duration, error) {
	n := e.o.ImportEvents
	chunks := (n + 999) / 1000
	now := time.Now().UTC()
	return parallel(ctx, e.o.Clients, chunks, func(ctx context.Context, k int) error {
		docs := make([]any, 0, 1000)
		for i := k * 1000; i < min(n, (k+1)*1000); i++ {
			c := i % e.o.ImportCustomers
			docs = append(docs, baseEvent(fmt.Sprintf("%s-%d", prefix, i), basePID(prefix, c), email(prefix, c), i, now))
		}
		_, err := sp.db.Collection(baseEvents).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		return sp.durable(ctx, err)
	})
}

// runImport uploads the file and follows the job: it returns the time until
// every row was stored and until every row was folded.
func (e *env) runImport(ctx context.Context, sp *space, path string) (stored, folded time.Duration, err error) {
	start := time.Now()
	id, err := sp.c.upload(ctx, path)
	if err != nil {
		return 0, 0, err
	}
	for {
		var out struct {
			ImportJob struct {
				Status                           string
				RowsRead, RowsStored, RowsFolded int
				Rejected                         int `json:"rowsRejected"`
			}
		}
		if err := sp.c.do(ctx, `query($id: ID!) { importJob(id: $id) { status rowsRead rowsStored rowsFolded rowsRejected } }`,
			map[string]any{"id": id}, &out); err != nil {
			return 0, 0, err
		}
		j := out.ImportJob
		if stored == 0 && j.RowsStored >= e.o.ImportEvents {
			stored = time.Since(start)
		}
		switch j.Status {
		case "DONE":
			if j.RowsStored != e.o.ImportEvents || j.Rejected > 0 {
				return 0, 0, fmt.Errorf("import stored %d of %d rows (%d rejected)", j.RowsStored, e.o.ImportEvents, j.Rejected)
			}
			if stored == 0 {
				stored = time.Since(start)
			}
			return stored, time.Since(start), nil
		case "FAILED":
			return 0, 0, fmt.Errorf("import job failed")
		}
		e.progressf("import: read %d, stored %d, folded %d", j.RowsRead, j.RowsStored, j.RowsFolded)
		select {
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// upload posts an NDJSON file to /import/events and returns the job id.
func (c *client) upload(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	url := strings.TrimSuffix(c.url, "/graphql") + "/import/events"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, f)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		JobID string `json:"jobId"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.JobID == "" {
		return "", fmt.Errorf("upload %s: HTTP %d", filepath.Base(path), resp.StatusCode)
	}
	return out.JobID, nil
}

// sampleRSS records the process's largest resident set (KiB) in peak until
// the returned func is called.
func sampleRSS(peak *atomic.Int64) func() {
	done := make(chan struct{})
	go func() {
		for {
			if kb := currentRSS(); kb > peak.Load() {
				peak.Store(kb)
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return func() { close(done) }
}

// currentRSS reads the process's resident set size (VmRSS) in KiB, 0 when
// unknown.
func currentRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range bytes.Split(b, []byte("\n")) {
		if f := bytes.Fields(l); len(f) == 3 && string(f[0]) == "VmRSS:" {
			kb, _ := strconv.ParseInt(string(f[1]), 10, 64)
			return kb
		}
	}
	return 0
}
