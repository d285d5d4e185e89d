package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// post is Server.Do without testing.TB, so goroutines other than the test's
// may call it.
func post(ctx context.Context, url, token, query string, vars map[string]any) (Response, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	var r Response
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return Response{}, fmt.Errorf("decode response (status %d): %w", resp.StatusCode, err)
	}
	r.Status = resp.StatusCode
	return r, nil
}

// failure returns the codes of a response's errors, top-level and (for
// trackEvents) per item; nil when the request succeeded.
func failure(r Response) []string {
	var codes []string
	for _, e := range r.Errors {
		codes = append(codes, e.Code())
	}
	items, _ := Get(r.Data, "trackEvents", "errors").([]any)
	for _, it := range items {
		codes = append(codes, Str(it, "code"))
	}
	return codes
}

func onlyConflicts(codes []string) bool {
	for _, c := range codes {
		if c != "CONFLICT" && c != "UNAVAILABLE" {
			return false
		}
	}
	return len(codes) > 0
}

type concReq struct {
	name, query string
	vars        map[string]any
}

// TestConcurrentOverlappingIdentifiesEndInOneProfilePerGroup fires 50
// identify and trackEvents requests at once, in 5 groups whose identifiers
// chain every request of a group to the next. Whatever the interleaving of
// the merges, each group must end as one live profile holding every
// identifier and event of the group, and no identifier may sit on two
// profiles.
func TestConcurrentOverlappingIdentifiesEndInOneProfilePerGroup(t *testing.T) {
	const groups, perGroup, maxRetries = 5, 10, 20
	s := Start(t)
	tok := Token(t, "acme")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // safety net only
	defer cancel()

	var reqs []concReq
	groupIDs := make([][][2]string, groups) // every identifier of each group
	for g := range groups {
		for k := range perGroup {
			pairs := []string{"anonymous_id", fmt.Sprintf("g%d-a%d", g, k), "anonymous_id", fmt.Sprintf("g%d-a%d", g, k+1)}
			if k%3 == 0 { // k = 0, 3, 6, 9: 4 emails per group, under the limit of 5
				pairs = append(pairs, "email", fmt.Sprintf("g%d-k%d@x.com", g, k))
			}
			for i := 0; i < len(pairs); i += 2 {
				id := [2]string{pairs[i], pairs[i+1]}
				if !slices.Contains(groupIDs[g], id) {
					groupIDs[g] = append(groupIDs[g], id)
				}
			}
			r := concReq{name: fmt.Sprintf("g%d/k%d", g, k)}
			if k%2 == 0 {
				r.query = trackQ
				r.vars = map[string]any{"ev": []any{map[string]any{"messageId": fmt.Sprintf("g%d-m%d", g, k), "type": "page_view",
					"channel": "web", "identities": ids(pairs...)}}}
			} else {
				r.query = identifyQ
				r.vars = map[string]any{"in": map[string]any{"identities": ids(pairs...), "traits": map[string]any{fmt.Sprintf("k%d", k): true}}}
			}
			reqs = append(reqs, r)
		}
	}

	start := make(chan struct{})
	errs := make([]string, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Under contention a request may fail with CONFLICT (the profile is
			// being merged; "retry the request"). A client retries it, and so
			// do we; any other error, or too many conflicts, is a failure.
			for attempt := 0; ; attempt++ {
				resp, err := post(ctx, s.URL, tok, r.query, r.vars)
				if err != nil {
					errs[i] = fmt.Sprintf("%s: %v", r.name, err)
					return
				}
				codes := failure(resp)
				if codes == nil {
					// A retry after a failed apply may find the event stored: a duplicate.
					got := Str(resp.Data, "trackEvents", "accepted") + "/" + Str(resp.Data, "trackEvents", "duplicates")
					if r.query == trackQ && got != "1/0" && (attempt == 0 || got != "0/1") {
						errs[i] = fmt.Sprintf("%s: trackEvents = %v", r.name, resp.Data)
					}
					return
				}
				if !onlyConflicts(codes) || attempt == maxRetries {
					errs[i] = fmt.Sprintf("%s: attempt %d: %v %+v", r.name, attempt, codes, resp.Errors)
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Error(e)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	byIDQ := `query($t: String!, $v: String!) { profileByIdentity(type: $t, value: $v) { id } }`
	profileQ := `query($id: ID!) { profile(id: $id) { id traits identities { type value } computed { eventCount } events { totalCount } } }`
	seen := map[string]int{}         // live profile id -> its group
	held := map[[2]string][]string{} // identifier -> profiles listing it
	for g := range groups {
		resolved := map[string][]string{} // profile id ("" for none) -> identifiers resolving to it
		for _, id := range groupIDs[g] {
			r := s.Do(t, tok, byIDQ, map[string]any{"t": id[0], "v": id[1]})
			if len(r.Errors) > 0 {
				t.Errorf("group %d: profileByIdentity(%s, %s): %+v", g, id[0], id[1], r.Errors)
				continue
			}
			pid := Str(r.Data, "profileByIdentity", "id")
			resolved[pid] = append(resolved[pid], id[0]+":"+id[1])
		}
		if len(resolved) != 1 {
			t.Errorf("group %d resolves to %d profiles, want 1: %v", g, len(resolved), resolved)
		}
		for pid := range resolved {
			if pid == "" {
				continue
			}
			if other, dup := seen[pid]; dup {
				t.Errorf("groups %d and %d resolve to the same profile %s", other, g, pid)
				continue
			}
			seen[pid] = g
			r := s.Do(t, tok, profileQ, map[string]any{"id": pid})
			if len(r.Errors) > 0 || Str(r.Data, "profile", "id") != pid {
				t.Errorf("group %d: profile(%s) = %v %+v", g, pid, r.Data, r.Errors)
				continue
			}
			p := Get(r.Data, "profile")
			list, _ := Get(p, "identities").([]any)
			for _, it := range list {
				id := [2]string{Str(it, "type"), Str(it, "value")}
				held[id] = append(held[id], pid)
			}
			if len(resolved) != 1 {
				continue
			}
			// 5 trackEvents requests per group (even k), one event each.
			if Str(p, "events", "totalCount") != "5" || Str(p, "computed", "eventCount") != "5" {
				t.Errorf("group %d: events.totalCount %s, computed.eventCount %s, want 5 and 5", g,
					Str(p, "events", "totalCount"), Str(p, "computed", "eventCount"))
			}
			if got := Str(p, "traits"); got != `{"k1":true,"k3":true,"k5":true,"k7":true,"k9":true}` {
				t.Errorf("group %d: traits = %s, want every identify's trait", g, got)
			}
			if len(list) != len(groupIDs[g]) {
				t.Errorf("group %d: profile lists %d identities, want %d", g, len(list), len(groupIDs[g]))
			}
		}
	}
	if len(seen) != groups {
		t.Errorf("%d distinct group profiles, want %d", len(seen), groups)
	}
	if got := Str(s.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); got != fmt.Sprint(groups) {
		t.Errorf("profiles.totalCount = %s, want %d", got, groups)
	}
	for g := range groups {
		for _, id := range groupIDs[g] {
			if len(held[id]) != 1 {
				t.Errorf("%s:%s is listed on %d live profiles %v, want exactly 1", id[0], id[1], len(held[id]), held[id])
			}
			delete(held, id)
		}
	}
	for id, on := range held {
		t.Errorf("unexpected identifier %s:%s on %v", id[0], id[1], on)
	}
}
