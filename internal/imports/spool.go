package imports

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
)

// Submit spools an upload to disk and starts a job on it; the job is
// stored, so it survives a restart, before Submit returns. The body is
// read to its end in constant memory and decompressed when encoding is
// gzip or the body starts with gzip's magic bytes.
func (s *Service) Submit(ctx context.Context, ws auth.Workspace, actor string, kind Kind, body io.Reader, encoding string) (*Job, error) {
	if kind != Events && kind != Profiles {
		return nil, errs.Newf(errs.BadInput, "unknown import kind %q", string(kind))
	}
	gz, err := gzipped(encoding)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.d.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("imports: %w", err)
	}
	id := s.d.NewID()
	if err := s.spool(body, gz, s.path(id)); err != nil {
		return nil, err
	}
	now := s.now()
	j := &Job{ID: id, Workspace: ws, Kind: kind, Status: Running, Actor: actor, Node: s.d.Node,
		Pending: map[int]int64{}, CreatedAt: now, UpdatedAt: now}
	if err := s.d.Store.Create(ctx, j); err != nil {
		_ = os.Remove(s.path(id))
		return nil, err
	}
	s.start(j)
	return j, nil
}

// gzipped reads Content-Encoding: true for gzip, false for none (the body
// may still be gzip: spool sniffs it).
func gzipped(encoding string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return false, nil
	case "gzip", "x-gzip":
		return true, nil
	}
	return false, errs.New(errs.BadInput, "unsupported Content-Encoding: send gzip or nothing")
}

// spool writes the decompressed body to path, durably: it is written to a
// temporary name, synced, then renamed, so a crash never leaves a partial
// file under a job's name.
func (s *Service) spool(body io.Reader, gz bool, path string) (err error) {
	part := path + ".part"
	f, err := os.OpenFile(part, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("imports: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(part)
		}
	}()
	src, err := decompress(bufio.NewReaderSize(body, 64<<10), gz)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, &io.LimitedReader{R: src, N: s.d.MaxBytes + 1})
	switch {
	case err != nil:
		return readError(err)
	case n > s.d.MaxBytes:
		return ErrTooLarge
	case n == 0:
		return errs.New(errs.BadInput, "the body is empty: send newline-delimited JSON")
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("imports: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("imports: %w", err)
	}
	if err := os.Rename(part, path); err != nil {
		return fmt.Errorf("imports: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// decompress returns the body's content: gunzipped when gz is set or the
// body starts with gzip's magic bytes.
func decompress(br *bufio.Reader, gz bool) (io.Reader, error) {
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz = true
	}
	if !gz {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, readError(err)
	}
	return zr, nil
}

// readError classifies a failure to read the upload. The cause is kept:
// the transport tells a body over its limit from it.
func readError(err error) error {
	var corrupt flate.CorruptInputError
	if errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.As(err, &corrupt) {
		return errs.Wrap(errs.BadInput, "the body is not valid gzip", err)
	}
	return errs.Wrap(errs.BadInput, "the body could not be read", err)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("imports: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("imports: sync %s: %w", dir, err)
	}
	return nil
}
