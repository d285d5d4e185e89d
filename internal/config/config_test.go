package config_test

import (
	"testing"

	"github.com/cdp-dev/cdp/internal/config"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr bool
		check   func(config.Config) bool
	}{
		{"defaults", nil, false, func(c config.Config) bool {
			return c.Addr == "127.0.0.1:8080" && c.DataDir == "./data" && c.Database == "cdp" && !c.Production()
		}},
		{"region upper-cased", map[string]string{"CDP_DEFAULT_REGION": "th"}, false, func(c config.Config) bool { return c.DefaultRegion == "TH" }},
		{"bad region", map[string]string{"CDP_DEFAULT_REGION": "Thailand"}, true, nil},
		{"production without keys", map[string]string{"CDP_ENV": "production"}, true, nil},
		{"short secret", map[string]string{"CDP_JWT_SECRET": "short"}, true, nil},
		{"secret and jwks", map[string]string{"CDP_JWT_SECRET": "0123456789abcdef0123456789abcdef", "CDP_JWKS_URL": "http://x"}, true, nil},
		{"import dir follows the data dir", map[string]string{"CDP_DATA_DIR": "/var/cdp"}, false, func(c config.Config) bool {
			return c.ImportDir == "/var/cdp/imports" && c.ImportMaxBytes == 10<<30
		}},
		{"import settings", map[string]string{"CDP_IMPORT_DIR": "/spool", "CDP_IMPORT_MAX_BYTES": "1048576"}, false, func(c config.Config) bool {
			return c.ImportDir == "/spool" && c.ImportMaxBytes == 1<<20
		}},
		{"bad import max", map[string]string{"CDP_IMPORT_MAX_BYTES": "10GB"}, true, nil},
		{"origins", map[string]string{"CDP_ALLOWED_ORIGINS": "a.example, b.example"}, false, func(c config.Config) bool { return len(c.AllowedOrigins) == 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.check != nil && !tt.check(c) {
				t.Fatalf("unexpected config %+v", c)
			}
		})
	}
}
