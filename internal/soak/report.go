package soak

import (
	"fmt"
	"io"
)

// report is what a soak saw.
type report struct {
	sent               sent
	subscribers, ended int
	messages, fewest   int
	base, peak, after  snapshot
}

// add counts one subscriber's messages.
func (r *report) add(s *subscriber) {
	if r.subscribers == 0 || s.received < r.fewest {
		r.fewest = s.received
	}
	r.subscribers++
	r.messages += s.received
	if s.ended {
		r.ended++
	}
}

// settled reports whether the process came back to its baseline.
func (r *report) settled() bool { return r.after.within(r.base) }

func (r *report) write(out io.Writer) {
	fmt.Fprintf(out, "soak: %d events sent (%d calls failed)\n", r.sent.events, r.sent.failed)
	fmt.Fprintf(out, "soak: %d subscribers received %d updates (fewest %d); %d ended by the server early\n",
		r.subscribers, r.messages, r.fewest, r.ended)
	fmt.Fprintf(out, "soak: goroutines %d at baseline, %d at peak, %d after (allowed %d)\n",
		r.base.goroutines, r.peak.goroutines, r.after.goroutines, r.base.goroutines+slackGoroutines)
	fmt.Fprintf(out, "soak: heap %s at baseline, %s at peak, %s after (allowed %s)\n",
		mib(r.base.heap), mib(r.peak.heap), mib(r.after.heap), mib(r.base.heap*3/2+slackHeap))
	verdict := "PASS: back to the baseline"
	if !r.settled() {
		verdict = "FAIL: not back to the baseline"
	}
	fmt.Fprintln(out, "soak:", verdict)
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
