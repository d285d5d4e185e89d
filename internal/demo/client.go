package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// client posts GraphQL operations to a cdp server with a bearer token, as
// any API client would.
type client struct {
	url, token string
	http       *http.Client
}

// GraphQLError is the first error of a GraphQL response.
type GraphQLError struct {
	Message    string
	Code       string  // extensions.code
	RetryAfter float64 // extensions.retryAfter, in seconds, for UNAVAILABLE
}

// Error returns the message with its code.
func (e *GraphQLError) Error() string { return fmt.Sprintf("%s (%s)", e.Message, e.Code) }

// missingField reports whether err says the server's schema has no such
// field or type: a server older than the operation.
func missingField(err error, name string) bool {
	var ge *GraphQLError
	return errors.As(err, &ge) && ge.Code == "GRAPHQL_VALIDATION_FAILED" &&
		(strings.Contains(ge.Message, `field "`+name+`"`) || strings.Contains(ge.Message, `type "`+name+`"`))
}

// maxTries bounds how often an UNAVAILABLE answer is retried.
const maxTries = 8

// do posts an operation and decodes data into out, retrying while the
// server answers UNAVAILABLE with a retryAfter (a full ingest backlog, a
// profile being merged; writes are idempotent). UNAVAILABLE without one
// (the operation ran past the server's time limit) would fail the same
// way again, so it is returned.
func (c *client) do(ctx context.Context, query string, vars map[string]any, out any) error {
	for try := 1; ; try++ {
		err := c.once(ctx, query, vars, out)
		var ge *GraphQLError
		if !errors.As(err, &ge) || ge.Code != "UNAVAILABLE" || ge.RetryAfter <= 0 || try == maxTries {
			return err
		}
		wait := time.Duration(ge.RetryAfter * float64(time.Second))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code       string  `json:"code"`
			RetryAfter float64 `json:"retryAfter"`
		} `json:"extensions"`
	} `json:"errors"`
}

func (c *client) once(ctx context.Context, query string, vars map[string]any, out any) error {
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
	var res response
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return fmt.Errorf("%s answered HTTP %d without a GraphQL response: %w", c.url, resp.StatusCode, err)
	}
	if len(res.Errors) > 0 {
		e := res.Errors[0]
		return &GraphQLError{Message: e.Message, Code: e.Extensions.Code, RetryAfter: e.Extensions.RetryAfter}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(res.Data, out)
}
