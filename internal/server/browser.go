package server

import (
	"net/http"

	"github.com/rs/cors"
)

// browserHeaders sets the headers that keep browsers safe with an API:
// no content sniffing, no referrer, no framing, HSTS when TLS is known to
// be in use; and it answers CORS for the configured origins only (none by
// default: then no CORS headers at all, and preflights fall through).
func (a *App) browserHeaders(next http.Handler) http.Handler {
	if len(a.cfg.CORSOrigins) > 0 {
		next = cors.New(cors.Options{
			AllowedOrigins: a.cfg.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete},
			AllowedHeaders: []string{"Authorization", "Content-Type", "Accept", "X-Request-Id", sseTokenHeader},
			ExposedHeaders: []string{"X-Request-Id", "Retry-After"},
			MaxAge:         600,
		}).Handler(next)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		if a.cfg.HSTS || r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
