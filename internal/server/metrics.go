package server

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cdp-dev/cdp/internal/event"
)

// metrics are the process's Prometheus metrics, on a registry of its own.
type metrics struct {
	ops      operationNames
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// foldDelay is the time from an event batch's acknowledgement to its
	// fold into the profiles.
	foldDelay prometheus.Histogram
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cdp_http_requests_total", Help: "HTTP requests by path, GraphQL operation and status.",
		}, []string{"path", "operation", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cdp_http_request_duration_seconds", Help: "HTTP request duration by path and GraphQL operation.",
			Buckets: prometheus.DefBuckets,
		}, []string{"path", "operation"}),
	}
	m.foldDelay = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "cdp_fold_delay_seconds", Help: "Time from storing an event batch to folding it into its profiles.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	})
	m.reg.MustRegister(m.requests, m.duration, m.foldDelay,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// knownPaths keeps the path label's cardinality bounded.
var knownPaths = map[string]bool{"/graphql": true, "/healthz": true, "/readyz": true, "/metrics": true}

func (m *metrics) observe(path, op string, status int, d time.Duration) {
	if !knownPaths[path] {
		path = "other"
	}
	op = m.ops.label(op)
	m.requests.WithLabelValues(path, op, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(path, op).Observe(d.Seconds())
}

// watchIngest exposes the fold's backlog and lag as gauges read at scrape.
func (m *metrics) watchIngest(status func() event.Status) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cdp_fold_lag_seconds",
			Help: "Age of the oldest event stored and not folded into its profile yet (0 when none)."},
			func() float64 { return status().Lag.Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cdp_fold_backlog_events",
			Help: "Events stored and not folded into their profiles yet."},
			func() float64 { return float64(status().Backlog) }),
	)
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// maxOperationNames bounds the operation label: clients choose the names,
// so the first ones seen keep theirs and the rest count as "other".
const maxOperationNames = 200

// operationNames is the bounded set of operation names used as labels.
type operationNames struct {
	mu   sync.Mutex
	seen map[string]bool
}

// label returns name if it is, or can become, one of the known names
// (at most 64 bytes of it), "other" otherwise; "" and "anonymous" pass.
func (o *operationNames) label(name string) string {
	if name == "" || name == "anonymous" {
		return name
	}
	if len(name) > 64 {
		name = name[:64]
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen[name] {
		return name
	}
	if len(o.seen) >= maxOperationNames {
		return "other"
	}
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	o.seen[name] = true
	return name
}
