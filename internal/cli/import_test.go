package cli

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCommand runs `cdp import` against a running `cdp serve`, with
// the token minted from the server's development secret.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	s := startCDP(t, dir)
	defer func() { s.stop(); <-s.done }()
	getenv := func(k string) string { return map[string]string{"CDP_DATA_DIR": dir}[k] }
	ctx := context.Background()

	var rows []string
	for i := range 300 {
		rows = append(rows, fmt.Sprintf(`{"messageId":"m%d","type":"order","channel":"pos","identities":[{"type":"email","value":"c%d@x.com"}]}`, i, i%3))
		if i == 3 {
			rows = append(rows, `{"messageId":"broken"`)
		}
	}
	events := filepath.Join(t.TempDir(), "events.ndjson")
	if err := os.WriteFile(events, []byte(strings.Join(rows, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := Run(ctx, []string{"import", "events", events, "--url", s.url}, &out, getenv); err != nil {
		t.Fatalf("import events: %v\n%s", err, out.String())
	}
	for _, want := range []string{"import job ", "DONE: 301 rows read, 300 stored, 0 duplicates, 300 folded, 1 rejected", "line 5: invalid JSON"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	profiles := filepath.Join(t.TempDir(), "profiles.ndjson.gz") // sent as it is, flags first
	writeGzip(t, profiles, `{"identities":[{"type":"email","value":"c1@x.com"}],"traits":{"tier":"gold"}}`+"\n"+
		`{"identities":[{"type":"crm_id","value":"C9"}]}`)
	out.Reset()
	if err := Run(ctx, []string{"import", "--url", s.url, "profiles", profiles}, &out, getenv); err != nil {
		t.Fatalf("import profiles: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "DONE: 2 rows read, 2 stored") {
		t.Errorf("output:\n%s", out.String())
	}
	d := s.post(t, `{ profileByIdentity(type: "email", value: "c1@x.com") { traits computed { eventCount } } }`)
	if p := d["profileByIdentity"].(map[string]any); fmt.Sprint(p["traits"], p["computed"]) != "map[tier:gold] map[eventCount:100]" {
		t.Errorf("imported customer = %v", p)
	}

	err := Run(ctx, []string{"import", "events", events, "--url", s.url, "--token", "a.b.c"}, &out, getenv)
	if err == nil || !strings.Contains(err.Error(), "UNAUTHENTICATED") {
		t.Errorf("a bad token: %v", err)
	}
	var ue *UsageError
	if err := Run(ctx, []string{"import", "orders", events}, &out, getenv); !errors.As(err, &ue) || !strings.Contains(ue.Usage, "usage: cdp import") {
		t.Errorf("an unknown kind: %v, want a usage error", err)
	}
}

func writeGzip(t *testing.T, path, content string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if _, err := zw.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
