package config_test

import (
	"log/slog"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/config"
)

const secret32 = "0123456789abcdef0123456789abcdef"

func load(env map[string]string) (config.Config, error) {
	return config.Load(func(k string) string { return env[k] })
}

func TestConfigDefaults(t *testing.T) {
	c, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := config.Config{Addr: "127.0.0.1:8080", Database: "cdp", StoreTimeout: 3 * time.Second, DataDir: "./data", Env: "development",
		DefaultRegion: "US", LogFormat: "auto", LogLevel: slog.LevelInfo, ShutdownGrace: 15 * time.Second,
		IngestWait: 5 * time.Second, ImportDir: "data/imports", ImportMaxBytes: 10 << 30,
		SegmentSweep: time.Minute, RFMEvery: time.Hour,
		Limits: config.Limits{MaxBody: 1 << 20, MaxDepth: 15, MaxComplexity: 5000, MaxAliases: 30, MaxRootFields: 20,
			OperationTimeout: 30 * time.Second, WSPerSubject: 20, WSSubscriptions: 50,
			RateLimit: 50, RateBurst: 100, WorkspaceRateLimit: 200, WorkspaceRateBurst: 400}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", c, want)
	}
}

func TestConfigAcceptsGoodValues(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(config.Config) bool
	}{
		{"region in lower case", map[string]string{"CDP_DEFAULT_REGION": "th"}, func(c config.Config) bool { return c.DefaultRegion == "TH" }},
		{"any interface, free port", map[string]string{"CDP_ADDR": ":0"}, func(c config.Config) bool { return c.Addr == ":0" }},
		{"replica set URI", map[string]string{"MONGODB_URI": "mongodb://a:27017,b:27017/?replicaSet=rs0"}, func(c config.Config) bool { return c.MongoURI != "" }},
		{"SRV URI", map[string]string{"MONGODB_URI": "mongodb+srv://u:p@cluster0.example.net/"}, func(c config.Config) bool { return c.MongoURI != "" }},
		{"production with a secret", map[string]string{"CDP_ENV": "Production", "CDP_JWT_SECRET": secret32}, func(c config.Config) bool { return c.Production() }},
		{"production with JWKS", map[string]string{"CDP_ENV": "production", "CDP_JWKS_URL": "https://idp.example.com/.well-known/jwks.json"}, func(c config.Config) bool { return c.JWKSURL != "" }},
		{"JWKS over http in development", map[string]string{"CDP_JWKS_URL": "http://localhost:9000/jwks"}, func(c config.Config) bool { return c.JWKSURL != "" }},
		{"import dir follows the data dir", map[string]string{"CDP_DATA_DIR": "/var/cdp"}, func(c config.Config) bool { return c.ImportDir == "/var/cdp/imports" }},
		{"import settings", map[string]string{"CDP_IMPORT_DIR": "/spool", "CDP_IMPORT_MAX_BYTES": "1048576"}, func(c config.Config) bool {
			return c.ImportDir == "/spool" && c.ImportMaxBytes == 1<<20
		}},
		{"origins", map[string]string{"CDP_ALLOWED_ORIGINS": "a.example, *.b.example,https://c.example"}, func(c config.Config) bool { return len(c.AllowedOrigins) == 3 }},
		{"CORS origins", map[string]string{"CDP_CORS_ORIGINS": "https://dash.example.com, https://*.example.com,http://localhost:3000/"}, func(c config.Config) bool {
			return slices.Equal(c.CORSOrigins, []string{"https://dash.example.com", "https://*.example.com", "http://localhost:3000"})
		}},
		{"rate limits off", map[string]string{"CDP_RATE_LIMIT": "0", "CDP_WORKSPACE_RATE_LIMIT": "0.5", "CDP_HSTS": "TRUE"}, func(c config.Config) bool {
			return c.Limits.RateLimit == 0 && c.Limits.WorkspaceRateLimit == 0.5 && c.HSTS
		}},
		{"log level in capitals", map[string]string{"CDP_LOG_LEVEL": "DEBUG"}, func(c config.Config) bool { return c.LogLevel == slog.LevelDebug }},
		{"ingest settings", map[string]string{"CDP_INGEST_BACKLOG": "50000", "CDP_INGEST_WAIT": "250ms"}, func(c config.Config) bool {
			return c.IngestBacklog == 50000 && c.IngestWait == 250*time.Millisecond
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(tt.env)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tt.check(c) {
				t.Errorf("unexpected config %+v", c)
			}
		})
	}
}

// TestConfigRefusesNonsense checks that each wrong value stops the start
// with a message naming the variable and saying what it allows.
func TestConfigRefusesNonsense(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want []string // in the message
	}{
		{map[string]string{"CDP_DEFAULT_REGION": "XX"}, []string{`CDP_DEFAULT_REGION="XX"`, "ISO 3166 alpha-2", "TH"}},
		{map[string]string{"CDP_DEFAULT_REGION": "Thailand"}, []string{"CDP_DEFAULT_REGION", "ISO 3166"}},
		{map[string]string{"CDP_DEFAULT_REGION": "EU"}, []string{"CDP_DEFAULT_REGION"}},
		{map[string]string{"CDP_ADDR": "8080"}, []string{`CDP_ADDR="8080"`, "host:port"}},
		{map[string]string{"CDP_ADDR": "localhost:99999"}, []string{"CDP_ADDR", "0 to 65535"}},
		{map[string]string{"CDP_ADDR": "localhost:http"}, []string{"CDP_ADDR"}},
		{map[string]string{"MONGODB_URI": "localhost:27017"}, []string{"MONGODB_URI", "mongodb://"}},
		{map[string]string{"MONGODB_URI": "postgres://u:hunter2@db/x"}, []string{"MONGODB_URI", "mongodb+srv://"}},
		{map[string]string{"CDP_DATABASE": "my.db"}, []string{`CDP_DATABASE="my.db"`, "database name"}},
		{map[string]string{"CDP_DATABASE": strings.Repeat("d", 64)}, []string{"CDP_DATABASE", "63 bytes"}},
		{map[string]string{"CDP_ENV": "prod"}, []string{`CDP_ENV="prod"`, "development or production"}},
		{map[string]string{"CDP_ENV": "production"}, []string{"CDP_ENV=production needs CDP_JWT_SECRET or CDP_JWKS_URL"}},
		{map[string]string{"CDP_JWT_SECRET": "short"}, []string{"CDP_JWT_SECRET is 5 bytes", "at least 32 bytes"}},
		{map[string]string{"CDP_JWT_SECRET": secret32, "CDP_JWKS_URL": "https://x.example/jwks"}, []string{"CDP_JWT_SECRET and CDP_JWKS_URL"}},
		{map[string]string{"CDP_JWKS_URL": "idp.example.com/jwks"}, []string{"CDP_JWKS_URL", "https://"}},
		{map[string]string{"CDP_ENV": "production", "CDP_JWKS_URL": "http://idp.example.com/jwks"}, []string{"CDP_JWKS_URL", "https only in production"}},
		{map[string]string{"CDP_ALLOWED_ORIGINS": "ok.example,[bad"}, []string{`CDP_ALLOWED_ORIGINS="[bad"`, "host patterns"}},
		{map[string]string{"CDP_ALLOWED_ORIGINS": "https://app.example/path"}, []string{"CDP_ALLOWED_ORIGINS", "no path"}},
		{map[string]string{"CDP_LOG_FORMAT": "yaml"}, []string{`CDP_LOG_FORMAT="yaml"`, "auto, text or json"}},
		{map[string]string{"CDP_LOG_LEVEL": "verbose"}, []string{`CDP_LOG_LEVEL="verbose"`, "debug, info, warn or error"}},
		{map[string]string{"CDP_SHUTDOWN_TIMEOUT": "15"}, []string{`CDP_SHUTDOWN_TIMEOUT="15"`, "duration"}},
		{map[string]string{"CDP_SHUTDOWN_TIMEOUT": "-1s"}, []string{"CDP_SHUTDOWN_TIMEOUT", "positive"}},
		{map[string]string{"CDP_INGEST_BACKLOG": "-5"}, []string{`CDP_INGEST_BACKLOG="-5"`, "number of events"}},
		{map[string]string{"CDP_INGEST_BACKLOG": "lots"}, []string{"CDP_INGEST_BACKLOG"}},
		{map[string]string{"CDP_INGEST_WAIT": "0s"}, []string{"CDP_INGEST_WAIT", "positive duration"}},
		{map[string]string{"CDP_IMPORT_MAX_BYTES": "10GB"}, []string{`CDP_IMPORT_MAX_BYTES="10GB"`, "number of bytes"}},
		{map[string]string{"CDP_IMPORT_MAX_BYTES": "0"}, []string{"CDP_IMPORT_MAX_BYTES", "positive"}},
		{map[string]string{"CDP_CORS_ORIGINS": "dash.example.com"}, []string{`CDP_CORS_ORIGINS="dash.example.com"`, "https://dash.example.com"}},
		{map[string]string{"CDP_CORS_ORIGINS": "https://a.example/app"}, []string{"CDP_CORS_ORIGINS"}},
		{map[string]string{"CDP_HSTS": "yes"}, []string{`CDP_HSTS="yes"`, "true or false"}},
		{map[string]string{"CDP_MAX_BODY_BYTES": "100"}, []string{"CDP_MAX_BODY_BYTES", "at least 1024"}},
		{map[string]string{"CDP_MAX_DEPTH": "1"}, []string{"CDP_MAX_DEPTH"}},
		{map[string]string{"CDP_OPERATION_TIMEOUT": "0"}, []string{"CDP_OPERATION_TIMEOUT", "positive duration"}},
		{map[string]string{"CDP_RATE_LIMIT": "-1"}, []string{`CDP_RATE_LIMIT="-1"`, "0 turns it off"}},
		{map[string]string{"CDP_RATE_BURST": "0"}, []string{"CDP_RATE_BURST", "at least 1"}},
	}
	for _, tt := range tests {
		_, err := load(tt.env)
		if err == nil {
			t.Errorf("%v accepted", tt.env)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: message %q lacks %q", tt.env, err, w)
			}
		}
	}
}

func TestConfigReportsEveryMistakeAndHidesSecrets(t *testing.T) {
	_, err := load(map[string]string{"CDP_DEFAULT_REGION": "XX", "CDP_LOG_LEVEL": "loud",
		"CDP_JWT_SECRET": "hunter2", "MONGODB_URI": "mongo://admin:hunter2@db"})
	if err == nil {
		t.Fatal("accepted")
	}
	for _, name := range []string{"CDP_DEFAULT_REGION", "CDP_LOG_LEVEL", "CDP_JWT_SECRET", "MONGODB_URI"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("message lacks %s: %v", name, err)
		}
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("message shows a secret: %v", err)
	}
}

func TestConfigUnknownVariables(t *testing.T) {
	got := config.Unknown([]string{"CDP_DEFAULT_REGOIN=TH", "CDP_ADDR=:80", "CDP_URL=x", "HOME=/root", "CDP_LOGLEVEL=debug"})
	if want := []string{"CDP_DEFAULT_REGOIN", "CDP_LOGLEVEL"}; !slices.Equal(got, want) {
		t.Errorf("Unknown = %v, want %v", got, want)
	}
}

// TestConfigSettingsAreDocumented keeps the README's configuration table
// and docs/operations.md true to the variables the server reads.
func TestConfigSettingsAreDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Settings {
		if !strings.Contains(string(readme), "`"+s.Name+"`") {
			t.Errorf("README.md does not list %s", s.Name)
		}
		if s.Default != "" && !strings.Contains(string(readme), "`"+s.Default+"`") {
			t.Errorf("README.md does not show %s's default %s", s.Name, s.Default)
		}
	}
}

func TestConfigDescribeListsEverySetting(t *testing.T) {
	var b strings.Builder
	config.Describe(&b)
	for _, s := range config.Settings {
		if !strings.Contains(b.String(), s.Name) || !strings.Contains(b.String(), s.Allowed) {
			t.Errorf("Describe lacks %s", s.Name)
		}
	}
}

func TestConfigCheckDirsRefusesAFile(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/file"
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := load(map[string]string{"CDP_DATA_DIR": dir + "/new", "CDP_IMPORT_DIR": dir})
	if err != nil || c.CheckDirs() != nil {
		t.Fatalf("a missing data dir and an existing import dir: %v %v", err, c.CheckDirs())
	}
	c, _ = load(map[string]string{"CDP_DATA_DIR": file})
	if err := c.CheckDirs(); err == nil || !strings.Contains(err.Error(), "CDP_DATA_DIR="+file+" is not a directory") {
		t.Errorf("a file as the data dir: %v", err)
	}
	c, _ = load(map[string]string{"CDP_IMPORT_DIR": file})
	if err := c.CheckDirs(); err == nil || !strings.Contains(err.Error(), "CDP_IMPORT_DIR="+file+" is not a directory") {
		t.Errorf("a file as the import dir: %v", err)
	}
}
