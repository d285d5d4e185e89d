package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cdp-dev/cdp/internal/store"
)

type client struct {
	url, token string
	http       *http.Client
}

// do posts an operation and fails on any GraphQL error.
func (c *client) do(ctx context.Context, query string, vars map[string]any) (map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	if len(out.Errors) > 0 {
		return nil, fmt.Errorf("graphql errors: %v", out.Errors)
	}
	return out.Data, nil
}

func ids(pairs ...string) []any {
	var out []any
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, map[string]any{"type": pairs[i], "value": pairs[i+1]})
	}
	return out
}

// rawInsert is the baseline: the driver inserting n documents shaped like events.
func rawInsert(ctx context.Context, st *store.Store, n int) (float64, error) {
	coll := st.Raw().Collection("bench_raw")
	start := time.Now()
	for done := 0; done < n; done += 1000 {
		batch := make([]any, 0, 1000)
		for i := done; i < min(n, done+1000); i++ {
			batch = append(batch, bson.D{{Key: "_id", Value: fmt.Sprintf("raw/%d", i)}, {Key: "workspace", Value: "bench"},
				{Key: "type", Value: "page_view"}, {Key: "properties", Value: bson.D{{Key: "path", Value: "/"}}}})
		}
		if _, err := coll.InsertMany(ctx, batch); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// rawUpserts is the per-document baseline: the driver upserting n documents
// one at a time by _id, the kind of write each event costs.
func rawUpserts(ctx context.Context, st *store.Store, n int) (float64, error) {
	coll := st.Raw().Collection("bench_raw_upsert")
	start := time.Now()
	for i := range n {
		_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("p%d", i%100)}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: i}}}}, options.UpdateOne().SetUpsert(true))
		if err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

const trackQ = `mutation($ev: [EventInput!]!) { trackEvents(events: $ev) { accepted errors { message } } }`

func (c *client) track(ctx context.Context, o Options) (float64, error) {
	start := time.Now()
	for done := 0; done < o.Events; done += 100 {
		var evs []any
		for i := done; i < min(o.Events, done+100); i++ {
			evs = append(evs, map[string]any{"messageId": fmt.Sprintf("m%d", i), "type": "page_view", "channel": "web",
				"identities": ids("anonymous_id", fmt.Sprintf("a%d", i%o.Customers)), "properties": map[string]any{"path": "/"}})
		}
		if _, err := c.do(ctx, trackQ, map[string]any{"ev": evs}); err != nil {
			return 0, err
		}
	}
	return float64(o.Events) / time.Since(start).Seconds(), nil
}

type latency struct{ p50, p95 time.Duration }

func percentiles(ds []time.Duration) latency {
	slices.Sort(ds)
	if len(ds) == 0 {
		return latency{}
	}
	return latency{p50: ds[len(ds)/2], p95: ds[len(ds)*95/100]}
}

const identifyQ = `mutation($in: IdentifyInput!) { identify(input: $in) { mergedProfileIds } }`

func (c *client) timed(ctx context.Context, n int, prep func(i int) error, vars func(i int) map[string]any) (latency, error) {
	var ds []time.Duration
	for i := range n {
		if prep != nil {
			if err := prep(i); err != nil {
				return latency{}, err
			}
		}
		start := time.Now()
		if _, err := c.do(ctx, identifyQ, vars(i)); err != nil {
			return latency{}, err
		}
		ds = append(ds, time.Since(start))
	}
	return percentiles(ds), nil
}

func identifyIn(traits map[string]any, pairs ...string) map[string]any {
	return map[string]any{"in": map[string]any{"identities": ids(pairs...), "traits": traits}}
}

func (c *client) identifyNew(ctx context.Context, n int) (latency, error) {
	return c.timed(ctx, n, nil, func(i int) map[string]any {
		return identifyIn(map[string]any{"n": i}, "email", fmt.Sprintf("new%d@example.com", i))
	})
}

func (c *client) identifyKnown(ctx context.Context, n int) (latency, error) {
	return c.timed(ctx, n, nil, func(i int) map[string]any {
		return identifyIn(map[string]any{"n": i}, "email", "new0@example.com")
	})
}

func (c *client) merge(ctx context.Context, n int) (latency, error) {
	prep := func(i int) error {
		if _, err := c.do(ctx, identifyQ, identifyIn(nil, "email", fmt.Sprintf("m%d@example.com", i))); err != nil {
			return err
		}
		_, err := c.do(ctx, identifyQ, identifyIn(nil, "line_uid", fmt.Sprintf("U%d", i)))
		return err
	}
	return c.timed(ctx, n, prep, func(i int) map[string]any {
		return identifyIn(nil, "email", fmt.Sprintf("m%d@example.com", i), "line_uid", fmt.Sprintf("U%d", i))
	})
}
