package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// TestMain lets a test run this binary as the real `cdp` command in a child
// process (so that it can be killed with SIGKILL).
func TestMain(m *testing.M) {
	if os.Getenv("CDP_TEST_CHILD") == "1" {
		os.Exit(Main())
	}
	os.Exit(m.Run())
}

// child is `cdp` running in a child process on a data directory.
type child struct {
	cmd        *exec.Cmd
	url, token string
}

func startChild(t *testing.T, dir string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "CDP_TEST_CHILD=1", "CDP_DATA_DIR="+dir, "CDP_ADDR=127.0.0.1:0", "CDP_LOG_LEVEL=error")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd}
	sc := bufio.NewScanner(out)
	for c.token == "" && sc.Scan() {
		line := sc.Text()
		if _, url, ok := strings.Cut(line, "serving GraphQL on "); ok {
			c.url = url
		} else if strings.Count(line, ".") == 2 && !strings.Contains(line, " ") {
			c.token = line
		}
	}
	if c.token == "" {
		_ = cmd.Process.Kill()
		t.Fatal("cdp did not start")
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return c
}

// do posts a query and returns the decoded answer, or nil when the process
// is gone.
func (c *child) do(query string) map[string]any {
	req, _ := http.NewRequest(http.MethodPost, c.url, strings.NewReader(`{"query":`+quote(query)+`}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out
}

func mergeQ(i int) string {
	return fmt.Sprintf(`mutation { identify(input: {identities: [{type: "line_uid", value: "U%d"}, {type: "email", value: "p%d@x.com"}], traits: {m: true}}) { profile { id } } }`, i, i)
}

// TestKill9DuringMergesThenImmediateRetries kills the real command with
// SIGKILL in the middle of a burst of merges, starts it again on the same
// data, and retries every request at once: all succeed, and every pair ends
// on one profile.
func TestKill9DuringMergesThenImmediateRetries(t *testing.T) {
	const pairs = 30
	dir := t.TempDir()
	a := startChild(t, dir)
	for i := range pairs {
		a.do(fmt.Sprintf(`mutation { identify(input: {identities: [{type: "line_uid", value: "U%d"}]}) { created } }`, i))
		a.do(fmt.Sprintf(`mutation { identify(input: {identities: [{type: "email", value: "p%d@x.com"}]}) { created } }`, i))
	}
	var wg sync.WaitGroup
	answered := make(chan struct{}, pairs)
	for i := range pairs {
		wg.Add(1)
		go func() { defer wg.Done(); a.do(mergeQ(i)); answered <- struct{}{} }()
	}
	for range pairs / 3 { // a third answered, the rest in flight
		<-answered
	}
	_ = a.cmd.Process.Signal(syscall.SIGKILL)
	wg.Wait()
	_ = a.cmd.Wait()

	b := startChild(t, dir)
	answers := make([]map[string]any, pairs)
	for i := range pairs {
		wg.Add(1)
		go func() { defer wg.Done(); answers[i] = b.do(mergeQ(i)) }()
	}
	wg.Wait()
	for i, r := range answers {
		if r == nil || r["errors"] != nil {
			t.Errorf("retry %d: %v", i, r)
		}
	}
	for i := range pairs {
		l := b.do(fmt.Sprintf(`{ profileByIdentity(type: "line_uid", value: "U%d") { id } }`, i))
		e := b.do(fmt.Sprintf(`{ profileByIdentity(type: "email", value: "p%d@x.com") { id } }`, i))
		if fmt.Sprint(l) != fmt.Sprint(e) || l["data"] == nil {
			t.Errorf("pair %d: line_uid %v, email %v", i, l, e)
		}
	}
}
