package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress shows an import's progress on stderr: a redrawn bar on a
// terminal, plain lines when something changed otherwise.
type progress struct {
	w    io.Writer
	tty  bool
	sent atomic.Int64 // bytes of the file uploaded
	last string       // the last line shown
	mu   sync.Mutex
}

func newProgress(w io.Writer) *progress { return &progress{w: w, tty: isTerminal(w)} }

// uploading shows the bytes sent of total until the returned func is called.
func (p *progress) uploading(total int64) (stop func()) {
	done, over := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(over)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				p.show(uploadLine(p.sent.Load(), total))
				p.done()
				return
			case <-t.C:
				if p.tty {
					p.show(uploadLine(p.sent.Load(), total))
				}
			}
		}
	}()
	return func() { close(done); <-over }
}

// uploadLine draws the upload's bar.
func uploadLine(sent, total int64) string {
	const width = 30
	frac := 1.0
	if total > 0 {
		frac = min(1, float64(sent)/float64(total))
	}
	n := int(frac * width)
	return fmt.Sprintf("uploading [%s%s] %3.0f%% %s of %s", strings.Repeat("=", n), strings.Repeat(" ", width-n),
		frac*100, size(sent), size(total))
}

// rows shows a job's counters.
func (p *progress) rows(j jobView) {
	p.show(fmt.Sprintf("rows read %d  stored %d  duplicate %d  folded %d  rejected %d",
		j.RowsRead, j.RowsStored, j.RowsDuplicate, j.RowsFolded, j.RowsRejected))
}

// show draws line over the last one on a terminal, or prints it as a line
// of its own when it differs from the last.
func (p *progress) show(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if line == p.last {
		return
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(p.w, line)
	}
	p.last = line
}

// done ends the bar's line on a terminal.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.last != "" {
		fmt.Fprintln(p.w)
		p.last = ""
	}
}

// size prints a byte count for people.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
