// Package config loads the process settings from environment variables and
// refuses values that make no sense, naming the variable and what it allows.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is every setting of the cdp process. Defaults live in Settings.
type Config struct {
	Addr           string        // CDP_ADDR
	MongoURI       string        // MONGODB_URI; empty starts the embedded store
	Database       string        // CDP_DATABASE
	StoreTimeout   time.Duration // CDP_STORE_TIMEOUT: how long an operation waits for an unreachable store
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
	SegmentSweep   time.Duration // CDP_SEGMENT_SWEEP: how often lapsed segment windows are evaluated
	RFMEvery       time.Duration // CDP_RFM_INTERVAL: how often RFM quintiles are recomputed
	ImportDir      string        // CDP_IMPORT_DIR; defaults to <DataDir>/imports
	ImportMaxBytes int64         // CDP_IMPORT_MAX_BYTES: the largest import body, and its size uncompressed
	CORSOrigins    []string      // CDP_CORS_ORIGINS: browser origins that may call the API
	HSTS           bool          // CDP_HSTS: send Strict-Transport-Security (TLS ends in front of cdp)
	Limits         Limits        // operation, connection and rate limits
}

// Production reports whether the process runs in production mode.
func (c Config) Production() bool { return c.Env == "production" }

// Load reads the settings through getenv (os.Getenv in main, a map in tests)
// and checks every one of them. The error lists each wrong setting with the
// variable's name and what it allows.
func Load(getenv func(string) string) (Config, error) {
	r := reader{getenv: getenv}
	c := Config{
		Addr:          r.addr("CDP_ADDR"),
		MongoURI:      r.mongoURI("MONGODB_URI"),
		Database:      r.database("CDP_DATABASE"),
		StoreTimeout:  r.duration("CDP_STORE_TIMEOUT"),
		DataDir:       r.path("CDP_DATA_DIR"),
		Env:           r.oneOf("CDP_ENV", "development", "production"),
		JWTSecret:     r.secret("CDP_JWT_SECRET"),
		JWTIssuer:     r.raw("CDP_JWT_ISSUER"),
		DefaultRegion: r.region("CDP_DEFAULT_REGION"),
		LogFormat:     r.oneOf("CDP_LOG_FORMAT", "auto", "text", "json"),
		LogLevel:      r.level("CDP_LOG_LEVEL"),
		ShutdownGrace: r.duration("CDP_SHUTDOWN_TIMEOUT"),
		IngestWait:    r.duration("CDP_INGEST_WAIT"),
		IngestBacklog: int(r.count("CDP_INGEST_BACKLOG", 0)),
		SegmentSweep:  r.duration("CDP_SEGMENT_SWEEP"),
		RFMEvery:      r.duration("CDP_RFM_INTERVAL"),
	}
	c.JWKSURL = r.jwksURL("CDP_JWKS_URL", c.Production())
	c.AllowedOrigins = r.origins("CDP_ALLOWED_ORIGINS")
	c.ImportDir = r.path("CDP_IMPORT_DIR")
	if c.ImportDir == "" {
		c.ImportDir = filepath.Join(c.DataDir, "imports")
	}
	c.ImportMaxBytes = r.count("CDP_IMPORT_MAX_BYTES", 1)
	c.CORSOrigins = r.corsOrigins("CDP_CORS_ORIGINS")
	c.HSTS = r.boolean("CDP_HSTS")
	c.Limits = loadLimits(&r)
	r.errs = append(r.errs, c.combinations()...)
	return c, errors.Join(r.errs...)
}

// combinations checks the settings that depend on each other.
func (c Config) combinations() []error {
	var out []error
	if c.JWTSecret != "" && c.JWKSURL != "" {
		out = append(out, errors.New("CDP_JWT_SECRET and CDP_JWKS_URL are both set: set one of them"))
	}
	if c.Production() && c.JWTSecret == "" && c.JWKSURL == "" {
		out = append(out, errors.New("CDP_ENV=production needs CDP_JWT_SECRET or CDP_JWKS_URL"))
	}
	return out
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
		slog.String("jwt_issuer", c.JWTIssuer),
		slog.String("default_region", c.DefaultRegion),
		slog.String("allowed_origins", strings.Join(c.AllowedOrigins, ",")),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("shutdown_timeout", c.ShutdownGrace.String()),
		slog.Int("ingest_backlog", c.IngestBacklog),
		slog.String("ingest_wait", c.IngestWait.String()),
		slog.String("import_dir", c.ImportDir),
		slog.Int64("import_max_bytes", c.ImportMaxBytes),
		slog.String("cors_origins", strings.Join(c.CORSOrigins, ",")),
		slog.Bool("hsts", c.HSTS),
		slog.Any("limits", c.Limits),
	)
}

// CheckDirs refuses directory settings that name something other than a
// directory (a file, say). Unlike Load it looks at the file system; a
// directory that does not exist yet is fine, since it is created at start.
func (c Config) CheckDirs() error {
	var out []error
	for _, d := range []struct{ name, path string }{{"CDP_DATA_DIR", c.DataDir}, {"CDP_IMPORT_DIR", c.ImportDir}} {
		if fi, err := os.Stat(d.path); err == nil && !fi.IsDir() {
			out = append(out, fmt.Errorf("%s=%s is not a directory: want %s", d.name, d.path, setting(d.name).Allowed))
		}
	}
	return errors.Join(out...)
}
