package servertest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Upload posts a bulk import body to /import/<kind> ("events" or
// "profiles") with a bearer token ("" sends none) and a Content-Encoding
// ("" sends none), and returns the status and the decoded answer.
func (s *Server) Upload(t testing.TB, token, kind string, body io.Reader, encoding string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(s.URL, "/graphql")+"/import/"+kind, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	defer resp.Body.Close()
	var out map[string]any
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("decode upload answer (status %d): %v", resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

// ImportQ reads an import job with every field.
const ImportQ = `query($id: ID!) { importJob(id: $id) { id kind status rowsRead rowsStored rowsDuplicate rowsFolded rowsRejected
	rejections(first: 1000) { line reason } error createdAt updatedAt finishedAt } }`

// Import uploads a body, waits for its job's worker to return, and returns
// the job as importJob shows it.
func (s *Server) Import(t testing.TB, token, kind string, body io.Reader, encoding string) map[string]any {
	t.Helper()
	status, out := s.Upload(t, token, kind, body, encoding)
	id := Str(out, "jobId")
	if status != http.StatusAccepted || id == "" {
		t.Fatalf("upload answered %d %v", status, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.App.WaitImport(ctx, id); err != nil {
		t.Fatalf("import %s did not end: %v", id, err)
	}
	return Get(s.MustDo(t, token, ImportQ, map[string]any{"id": id}), "importJob").(map[string]any)
}
