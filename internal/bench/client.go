package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// client posts GraphQL operations to the product, as any API client would.
type client struct {
	url, token string
	http       *http.Client
}

func newClient(url, token string) *client {
	// Enough idle connections that concurrent clients reuse theirs instead
	// of dialing per request (the default keeps two per host).
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}
	return &client{url: url, token: token, http: &http.Client{Transport: tr}}
}

// do posts an operation, fails on any GraphQL error and decodes data into out.
func (c *client) do(ctx context.Context, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var res struct {
		Data   json.RawMessage   `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return fmt.Errorf("graphql response (HTTP %d): %w", resp.StatusCode, err)
	}
	if len(res.Errors) > 0 {
		return fmt.Errorf("graphql errors: %s", res.Errors[0])
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(res.Data, out)
}

// ident is one identifier of a customer.
type ident struct{ typ, value string }

func (id ident) input() map[string]any { return map[string]any{"type": id.typ, "value": id.value} }

// key is the identifier's _id in the baseline's identity collection.
func (id ident) key() string { return id.typ + "/" + id.value }

// email is customer i of a population: each population has its own prefix.
func email(prefix string, i int) ident {
	return ident{"email", fmt.Sprintf("%s%d@bench.example", prefix, i)}
}

const (
	upsertQ   = `mutation($in: [IdentifyInput!]!) { upsertProfiles(inputs: $in) { profile { id } } }`
	identifyQ = `mutation($in: IdentifyInput!) { identify(input: $in) { profile { id } mergedProfileIds } }`
	trackQ    = `mutation($ev: [EventInput!]!) { trackEvents(events: $ev) { accepted duplicates errors { index message } } }`
	storedQ   = `mutation($ev: [EventInput!]!) { trackEvents(events: $ev, wait: STORED) { accepted duplicates errors { index message } } }`
	readQ     = `query($id: ID!) { profile(id: $id) { id traits computed { eventCount }
  events(first: 20) { edges { node { id messageId type channel properties timestamp } } } } }`
)

type identifyOut struct {
	Identify struct {
		Profile          struct{ ID string }
		MergedProfileIDs []string `json:"mergedProfileIds"`
	}
}

// track sends one trackEvents call and checks that every event was stored.
func (c *client) track(ctx context.Context, evs []any) error { return c.trackWith(ctx, trackQ, evs) }

// trackStored is track with wait: STORED.
func (c *client) trackStored(ctx context.Context, evs []any) error {
	return c.trackWith(ctx, storedQ, evs)
}

func (c *client) trackWith(ctx context.Context, q string, evs []any) error {
	var out struct {
		TrackEvents struct {
			Accepted, Duplicates int
			Errors               []struct {
				Index   int
				Message string
			}
		}
	}
	if err := c.do(ctx, q, map[string]any{"ev": evs}, &out); err != nil {
		return err
	}
	if t := out.TrackEvents; len(t.Errors) > 0 || t.Accepted != len(evs) {
		return fmt.Errorf("trackEvents accepted %d of %d (%d duplicates, errors %v)", t.Accepted, len(evs), t.Duplicates, t.Errors)
	}
	return nil
}

// upsert creates or updates profiles with upsertProfiles and returns their ids.
func (c *client) upsert(ctx context.Context, ins []any) ([]string, error) {
	var out struct {
		UpsertProfiles []struct{ Profile struct{ ID string } }
	}
	if err := c.do(ctx, upsertQ, map[string]any{"in": ins}, &out); err != nil {
		return nil, err
	}
	ids := make([]string, len(out.UpsertProfiles))
	for i, p := range out.UpsertProfiles {
		ids[i] = p.Profile.ID
	}
	return ids, nil
}

func identifyInput(traits map[string]any, ids ...ident) map[string]any {
	in := make([]any, len(ids))
	for i, id := range ids {
		in[i] = id.input()
	}
	return map[string]any{"identities": in, "traits": traits}
}

func eventInput(messageID string, id ident, n int) map[string]any {
	return map[string]any{"messageId": messageID, "type": "page_view", "channel": "web",
		"identities": []any{id.input()}, "properties": map[string]any{"path": fmt.Sprintf("/p/%d", n)}}
}
