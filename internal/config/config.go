// Package config loads the process settings from environment variables.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the cdp process. Defaults live in Load.
type Config struct {
	Addr           string        // CDP_ADDR
	MongoURI       string        // MONGODB_URI; empty starts the embedded store
	Database       string        // CDP_DATABASE
	DataDir        string        // CDP_DATA_DIR
	Env            string        // CDP_ENV: development or production
	JWTSecret      string        // CDP_JWT_SECRET
	JWKSURL        string        // CDP_JWKS_URL
	JWTIssuer      string        // CDP_JWT_ISSUER
	DefaultRegion  string        // CDP_DEFAULT_REGION
	AllowedOrigins []string      // CDP_ALLOWED_ORIGINS
	LogFormat      string        // CDP_LOG_FORMAT: auto, text or json
	LogLevel       slog.Level    // CDP_LOG_LEVEL
	ShutdownGrace  time.Duration // CDP_SHUTDOWN_TIMEOUT
	IngestBacklog  int           // CDP_INGEST_BACKLOG: unfolded events; 0 = about 30 s of folding
	IngestWait     time.Duration // CDP_INGEST_WAIT: how long a call waits for room in a full backlog
	ImportDir      string        // CDP_IMPORT_DIR; defaults to <DataDir>/imports
	ImportMaxBytes int64         // CDP_IMPORT_MAX_BYTES: the largest import body, and its size uncompressed
}

// defaultImportMaxBytes is 10 GiB.
const defaultImportMaxBytes = 10 << 30

// Production reports whether the process runs in production mode.
func (c Config) Production() bool { return c.Env == "production" }

var regionRe = regexp.MustCompile(`^[A-Z]{2}$`)

// Load reads the settings through getenv (os.Getenv in main, a map in tests)
// and validates them.
func Load(getenv func(string) string) (Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Addr:          get("CDP_ADDR", "127.0.0.1:8080"),
		MongoURI:      get("MONGODB_URI", ""),
		Database:      get("CDP_DATABASE", "cdp"),
		DataDir:       get("CDP_DATA_DIR", "./data"),
		Env:           get("CDP_ENV", "development"),
		JWTSecret:     get("CDP_JWT_SECRET", ""),
		JWKSURL:       get("CDP_JWKS_URL", ""),
		JWTIssuer:     get("CDP_JWT_ISSUER", ""),
		DefaultRegion: strings.ToUpper(get("CDP_DEFAULT_REGION", "US")),
		LogFormat:     get("CDP_LOG_FORMAT", "auto"),
	}
	c.ImportDir = get("CDP_IMPORT_DIR", filepath.Join(c.DataDir, "imports"))
	for _, o := range strings.Split(get("CDP_ALLOWED_ORIGINS", ""), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.AllowedOrigins = append(c.AllowedOrigins, o)
		}
	}
	var err error
	if c.ShutdownGrace, err = time.ParseDuration(get("CDP_SHUTDOWN_TIMEOUT", "15s")); err != nil {
		return c, fmt.Errorf("CDP_SHUTDOWN_TIMEOUT: %w", err)
	}
	if c.IngestWait, err = time.ParseDuration(get("CDP_INGEST_WAIT", "5s")); err != nil || c.IngestWait <= 0 {
		return c, fmt.Errorf("CDP_INGEST_WAIT must be a positive duration such as 5s")
	}
	if c.IngestBacklog, err = strconv.Atoi(get("CDP_INGEST_BACKLOG", "0")); err != nil || c.IngestBacklog < 0 {
		return c, fmt.Errorf("CDP_INGEST_BACKLOG must be a number of events (0: about 30 seconds of folding)")
	}
	if c.ImportMaxBytes, err = strconv.ParseInt(get("CDP_IMPORT_MAX_BYTES", strconv.Itoa(defaultImportMaxBytes)), 10, 64); err != nil || c.ImportMaxBytes <= 0 {
		return c, errors.New("CDP_IMPORT_MAX_BYTES must be a positive number of bytes")
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("CDP_LOG_LEVEL", "info"))); err != nil {
		return c, fmt.Errorf("CDP_LOG_LEVEL: %w", err)
	}
	return c, c.validate()
}

func (c Config) validate() error {
	switch {
	case c.Env != "development" && c.Env != "production":
		return errors.New("CDP_ENV must be development or production")
	case c.JWTSecret != "" && c.JWKSURL != "":
		return errors.New("set CDP_JWT_SECRET or CDP_JWKS_URL, not both")
	case c.Production() && c.JWTSecret == "" && c.JWKSURL == "":
		return errors.New("production needs CDP_JWT_SECRET or CDP_JWKS_URL")
	case c.JWTSecret != "" && len(c.JWTSecret) < 32:
		return errors.New("CDP_JWT_SECRET must be at least 32 bytes")
	case !regionRe.MatchString(c.DefaultRegion):
		return errors.New("CDP_DEFAULT_REGION must be an ISO 3166 alpha-2 code such as TH or US")
	case c.LogFormat != "auto" && c.LogFormat != "text" && c.LogFormat != "json":
		return errors.New("CDP_LOG_FORMAT must be auto, text or json")
	}
	return nil
}

// LogValue masks secrets when the config is logged.
func (c Config) LogValue() slog.Value {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "***"
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("mongodb_uri", mask(c.MongoURI)),
		slog.String("database", c.Database),
		slog.String("data_dir", c.DataDir),
		slog.String("env", c.Env),
		slog.String("jwt_secret", mask(c.JWTSecret)),
		slog.String("jwks_url", c.JWKSURL),
		slog.String("default_region", c.DefaultRegion),
		slog.String("import_dir", c.ImportDir),
		slog.Int64("import_max_bytes", c.ImportMaxBytes),
	)
}
