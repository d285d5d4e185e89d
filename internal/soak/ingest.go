package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// customers is how many customers the events are spread over.
const customers = 100

// batch is the events per trackEvents call.
const batch = 10

const trackQ = `mutation($ev: [EventInput!]!) { trackEvents(events: $ev, wait: STORED) { accepted } }`

// sent counts the ingest's calls.
type sent struct {
	events, failed int
}

// ingest sends rate events per second, in batches, for d or until ctx
// ends. It fails only when not one call succeeded.
func ingest(ctx context.Context, srv *server, rate int, d time.Duration) (sent, error) {
	var out sent
	every := max(time.Second*batch/time.Duration(rate), time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	end := time.NewTimer(d)
	defer end.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return out, nil
		case <-end.C:
			if out.events == 0 && out.failed > 0 {
				return out, fmt.Errorf("soak: every one of %d trackEvents calls failed", out.failed)
			}
			return out, nil
		case <-t.C:
		}
		if err := track(ctx, srv, n); err != nil {
			out.failed++
			continue
		}
		out.events += batch
	}
}

// track sends the n-th batch.
func track(ctx context.Context, srv *server, n int) error {
	evs := make([]map[string]any, batch)
	for i := range evs {
		k := n*batch + i
		evs[i] = map[string]any{"messageId": fmt.Sprint("soak-", time.Now().UnixNano(), "-", k), "type": "page_view",
			"identities": []map[string]string{{"type": "crm_id", "value": fmt.Sprint("c", k%customers)}}}
	}
	body, _ := json.Marshal(map[string]any{"query": trackQ, "variables": map[string]any{"ev": evs}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+srv.token)
	resp, err := srv.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusOK || len(r.Errors) > 0 {
		return fmt.Errorf("trackEvents: status %d, %d errors", resp.StatusCode, len(r.Errors))
	}
	return nil
}
