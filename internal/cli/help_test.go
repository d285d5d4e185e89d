package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/cdp-dev/cdp/internal/config"
)

// runCLI runs the command line as Main would and returns its exit code,
// stdout and stderr.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	if env == nil {
		env = map[string]string{"CDP_DATA_DIR": t.TempDir()}
	}
	var stdout, stderr strings.Builder
	code := exit(context.Background(), args, &stdout, &stderr, func(k string) string { return env[k] })
	return code, stdout.String(), stderr.String()
}

// everyFlag is every flag of every command, as usage prints them.
var everyFlag = map[string][]string{
	"token":     {"-workspace", "-scope", "-ttl", "-subject", "-identity"},
	"import":    {"-url", "-token", "-workspace"},
	"seed-demo": {"-url", "-token", "-workspace", "-customers", "-seed"},
	"bench": {"-events", "-customers", "-clients", "-batch", "-ops", "-profiles-small", "-profiles-large",
		"-import-events", "-import-customers", "-skip", "-json", "-pprof"},
}

func TestHelpListsEveryCommandAndFlagAndExitsZero(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-help"}, {"help"}} {
		code, out, errOut := runCLI(t, nil, args...)
		if code != 0 || errOut != "" {
			t.Errorf("cdp %v: exit %d, stderr %q; want 0 and nothing", args, code, errOut)
		}
		for _, c := range commands {
			if !strings.Contains(out, "cdp "+c.name) && c.name != "serve" {
				t.Errorf("cdp %v does not list command %s", args, c.name)
			}
		}
		for cmd, flags := range everyFlag {
			for _, f := range flags {
				if !strings.Contains(out, "  "+f+" ") && !strings.Contains(out, "  "+f+"\n") {
					t.Errorf("cdp %v does not list %s's flag %s", args, cmd, f)
				}
			}
		}
	}
}

func TestHelpOfEachCommandExitsZero(t *testing.T) {
	for cmd, flags := range everyFlag {
		for _, args := range [][]string{{cmd, "-h"}, {cmd, "--help"}, {"help", cmd}} {
			code, out, errOut := runCLI(t, nil, args...)
			if code != 0 || errOut != "" || !strings.Contains(out, "usage: cdp "+cmd) {
				t.Errorf("cdp %v: exit %d, stderr %q, stdout %.80q", args, code, errOut, out)
			}
			for _, f := range flags {
				if !strings.Contains(out, f) {
					t.Errorf("cdp %v does not list %s", args, f)
				}
			}
		}
	}
	code, out, _ := runCLI(t, nil, "serve", "-h")
	if code != 0 {
		t.Errorf("cdp serve -h: exit %d", code)
	}
	for _, s := range config.Settings {
		if !strings.Contains(out, s.Name) {
			t.Errorf("cdp serve -h does not list %s", s.Name)
		}
	}
}

// TestUsageErrorsExitTwo checks that a wrong command line prints the
// reason and the usage on stderr and exits 2, before anything runs.
func TestUsageErrorsExitTwo(t *testing.T) {
	tests := []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"-x"}, "flag provided but not defined: -x"},
		{[]string{"serve", "--port", "80"}, "flag provided but not defined: -port"},
		{[]string{"serve", "extra"}, "serve takes no arguments"},
		{[]string{"help", "nope"}, "help takes one command name"},
		{[]string{"token"}, "--workspace is required"},
		{[]string{"token", "--workspace", "a/b"}, "--workspace is required and must match"},
		{[]string{"token", "--workspace", "acme", "--scope", "profile:read"}, `unknown scope "profile:read"`},
		{[]string{"token", "--workspace", "acme", "--ttl", "forever"}, "invalid value"},
		{[]string{"token", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"import"}, "needs a kind"},
		{[]string{"import", "orders", "x.ndjson"}, `unknown import kind "orders"`},
		{[]string{"import", "events"}, "exactly one FILE"},
		{[]string{"import", "events", "a", "b"}, "exactly one FILE"},
		{[]string{"import", "--nope", "events", "a"}, "flag provided but not defined: -nope"},
		{[]string{"seed-demo", "extra"}, "seed-demo takes no arguments"},
		{[]string{"seed-demo", "--customers", "0"}, "--customers must be 1 to 1000000"},
		{[]string{"seed-demo", "--seed", "-1"}, "invalid value"},
		{[]string{"bench", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"bench", "--batch", "5000"}, "--batch may be at most 1000"},
		{[]string{"bench", "--events", "0"}, "--events must be at least 1"},
		{[]string{"bench", "--skip", "nope"}, `unknown scenario "nope"`},
		{[]string{"bench", "extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, nil, tt.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tt.want) || !strings.Contains(errOut, "usage:") {
			t.Errorf("cdp %v: exit %d, stdout %q, stderr %.200q; want exit 2 with %q and usage on stderr", tt.args, code, out, errOut, tt.want)
		}
	}
}

func TestUsageOfImplicitServeIsTheWholeUsage(t *testing.T) {
	_, _, errOut := runCLI(t, nil, "-x")
	if !strings.Contains(errOut, "bench flags:") {
		t.Errorf("cdp -x shows %q, want the whole usage", errOut)
	}
}

// TestUsageFailuresThatAreNotUsageExitOne: a command that ran and failed
// exits 1 with its reason, without usage.
func TestUsageFailuresThatAreNotUsageExitOne(t *testing.T) {
	code, _, errOut := runCLI(t, nil, "token", "--workspace", "acme")
	if code != 1 || !strings.Contains(errOut, "no development secret") || strings.Contains(errOut, "usage:") {
		t.Errorf("token without a server secret: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI(t, nil, "seed-demo")
	if code != 1 || !strings.Contains(errOut, "none could be minted") || strings.Contains(errOut, "usage:") {
		t.Errorf("seed-demo without a token or server secret: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI(t, map[string]string{"CDP_DEFAULT_REGION": "XX", "CDP_LOG_LEVEL": "loud"})
	if code != 1 || !strings.Contains(errOut, `CDP_DEFAULT_REGION="XX"`) || !strings.Contains(errOut, "CDP_LOG_LEVEL") {
		t.Errorf("serve with wrong settings: exit %d, stderr %q", code, errOut)
	}
}
