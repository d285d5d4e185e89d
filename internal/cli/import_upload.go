package cli

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
)

// upload sends the file to the server's bulk import, gzipped on the way
// unless it is gzip already (a .gz file), and returns the job's id.
func upload(ctx context.Context, a importArgs, p *progress) (string, error) {
	f, err := os.Open(a.file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	gz, err := isGzip(f)
	if err != nil {
		return "", err
	}
	var body io.Reader = &counter{r: f, n: &p.sent}
	if !gz {
		body = gzipping(body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.url+"/import/"+a.kind, body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Content-Encoding", "gzip")
	stop := p.uploading(fi.Size())
	resp, err := http.DefaultClient.Do(req)
	stop()
	if err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return "", refused(resp)
	}
	var out struct{ JobID string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.JobID == "" {
		return "", fmt.Errorf("upload: the server's answer has no job id (%v)", err)
	}
	return out.JobID, nil
}

// isGzip reports whether the file starts with gzip's magic bytes, and
// rewinds it.
func isGzip(f *os.File) (bool, error) {
	magic := make([]byte, 2)
	n, err := io.ReadFull(f, magic)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false, err
	}
	return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b, nil
}

// gzipping compresses r as it is read.
func gzipping(r io.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		zw := gzip.NewWriter(pw)
		_, err := io.Copy(zw, r)
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err) // the transport closes pr when the request ends, which stops the copy
	}()
	return pr
}

// refused turns an error answer into an error with its message and code.
func refused(resp *http.Response) error {
	var out struct {
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Errors) == 0 {
		return fmt.Errorf("the server answered %s", resp.Status)
	}
	e := out.Errors[0]
	return fmt.Errorf("the server refused the import: %s (%s)", e.Message, e.Extensions.Code)
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n *atomic.Int64
}

func (c *counter) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}
