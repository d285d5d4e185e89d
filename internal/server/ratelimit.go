package server

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/time/rate"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/config"
	"github.com/cdp-dev/cdp/internal/errs"
)

// Limiter maps hold at most limiterKeys callers each; a caller idle for
// limiterIdle is forgotten, and comes back with a full bucket.
const (
	limiterKeys = 100_000
	limiterIdle = 10 * time.Minute
)

// rateLimits are token buckets per token subject and per workspace. A
// request takes one token from each; either bucket empty refuses it.
type rateLimits struct {
	subject, workspace *buckets
}

func newRateLimits(l config.Limits) *rateLimits {
	return &rateLimits{subject: newBuckets(l.RateLimit, l.RateBurst), workspace: newBuckets(l.WorkspaceRateLimit, l.WorkspaceRateBurst)}
}

// allow takes a token for the principal, or returns the refusal with how
// many seconds to wait.
func (rl *rateLimits) allow(p auth.Principal) *errs.Error {
	ws := string(p.Workspace)
	if wait := rl.subject.take(ws + "\x00" + p.Subject); wait > 0 {
		return limited("token subject", wait)
	}
	if wait := rl.workspace.take(ws); wait > 0 {
		return limited("workspace", wait)
	}
	return nil
}

// limited is the RATE_LIMITED refusal, retryAfter rounded up to seconds.
func limited(who string, wait time.Duration) *errs.Error {
	e := errs.Newf(errs.RateLimited, "too many requests for this %s: retry after the number of seconds in retryAfter", who)
	e.RetryAfter = int(math.Ceil(wait.Seconds()))
	return e
}

// writeRateLimited answers a refused HTTP request: 429 with Retry-After.
func writeRateLimited(w http.ResponseWriter, e *errs.Error) {
	w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	writeError(w, http.StatusTooManyRequests, e)
}

// buckets is one token bucket per key, nil when the rate is 0 (off).
type buckets struct {
	limit rate.Limit
	burst int
	m     *expirable.LRU[string, *rate.Limiter]
}

func newBuckets(perSecond float64, burst int) *buckets {
	if perSecond <= 0 {
		return nil
	}
	return &buckets{limit: rate.Limit(perSecond), burst: burst, m: expirable.NewLRU[string, *rate.Limiter](limiterKeys, nil, limiterIdle)}
}

// take removes a token from key's bucket and returns 0, or leaves the
// bucket as it is and returns how long until a token is there.
func (b *buckets) take(key string) time.Duration {
	if b == nil {
		return 0
	}
	lim, ok := b.m.Get(key)
	if !ok {
		lim = rate.NewLimiter(b.limit, b.burst)
	}
	b.m.Add(key, lim) // refreshes its expiry
	now := time.Now()
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return max(d, time.Second)
	}
	return 0
}
