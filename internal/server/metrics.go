package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the process's Prometheus metrics, on a registry of its own.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
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
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// knownPaths keeps the path label's cardinality bounded.
var knownPaths = map[string]bool{"/graphql": true, "/healthz": true, "/readyz": true, "/metrics": true}

func (m *metrics) observe(path, op string, status int, d time.Duration) {
	if !knownPaths[path] {
		path = "other"
	}
	if len(op) > 64 {
		op = op[:64]
	}
	m.requests.WithLabelValues(path, op, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(path, op).Observe(d.Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
