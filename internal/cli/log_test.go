package cli

import (
	"bytes"
	"log"
	"log/slog"
	"strings"
	"testing"
)

// TestLogOfDependenciesGoesThroughTheHandler: what gqlgen prints with the
// log package appears only at DEBUG, as a JSON line; what a dependency logs
// with slog.Default comes out as the app's; both are restored after.
func TestLogOfDependenciesGoesThroughTheHandler(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		var buf bytes.Buffer
		l := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))
		restore := routeDependencyLogs(l)
		log.Printf("unable to upgrade %s", "conn")
		slog.Default().Error("Failed to refresh HTTP JWK Set from remote HTTP resource.")
		restore()
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		want := 1
		if level == slog.LevelDebug {
			want = 2
		}
		if len(lines) != want {
			t.Errorf("at %v: %d lines %q, want %d", level, len(lines), lines, want)
		}
		for _, line := range lines {
			if !strings.HasPrefix(line, `{"time":`) {
				t.Errorf("at %v: line %q is not the app's JSON", level, line)
			}
		}
		if level == slog.LevelDebug && !strings.Contains(buf.String(), `"level":"DEBUG","msg":"unable to upgrade conn"`) {
			t.Errorf("the log package's line: %q", buf.String())
		}
		if slog.Default() == l {
			t.Error("slog.Default not restored")
		}
	}
}
