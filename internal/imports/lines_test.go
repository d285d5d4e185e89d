package imports

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestLineReader(t *testing.T) {
	long := strings.Repeat("x", 11)
	tests := []struct {
		name string
		in   string
		want []string // "!" marks a line too long
	}{
		{"empty file", "", nil},
		{"lines", "a\nbb\n", []string{"a", "bb"}},
		{"last line without newline", "a\nbb", []string{"a", "bb"}},
		{"CRLF", "a\r\nb\r\n", []string{"a", "b"}},
		{"blank lines count", "\n\na\n", []string{"", "", "a"}},
		{"exactly the maximum", strings.Repeat("y", 10) + "\nz\n", []string{strings.Repeat("y", 10), "z"}},
		{"one byte over", long + "\nz\n", []string{"!", "z"}},
		{"one byte over with CRLF", long + "\r\nz\n", []string{"!", "z"}},
		{"far over, then more", strings.Repeat("w", 100) + "\nz\n" + long, []string{"!", "z", "!"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := newLineReader(strings.NewReader(tt.in), 10, 0, 0)
			var got []string
			for {
				l, err := lr.next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if l.no != int64(len(got)+1) {
					t.Fatalf("line %d numbered %d", len(got)+1, l.no)
				}
				s := string(l.text)
				if l.tooLong {
					s = "!"
				}
				got = append(got, s)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if lr.offset != int64(len(tt.in)) {
				t.Errorf("offset %d, want %d", lr.offset, len(tt.in))
			}
		})
	}
}

// TestLineReaderResumes: a reader started at a checkpoint's offset and line
// reads the same lines, with the same numbers, as one that read from the start.
func TestLineReaderResumes(t *testing.T) {
	in := "a\nbb\n" + strings.Repeat("x", 30) + "\nccc\nd"
	lr := newLineReader(strings.NewReader(in), 10, 0, 0)
	for range 2 {
		if _, err := lr.next(); err != nil {
			t.Fatal(err)
		}
	}
	again := newLineReader(strings.NewReader(in[lr.offset:]), 10, lr.offset, lr.line)
	for _, want := range []string{"!", "ccc", "d"} {
		a, errA := lr.next()
		b, errB := again.next()
		if errA != nil || errB != nil || a.no != b.no || string(a.text) != string(b.text) || a.tooLong != b.tooLong {
			t.Fatalf("from the start %+v %v, resumed %+v %v (want %q)", a, errA, b, errB, want)
		}
	}
	if lr.offset != again.offset || lr.offset != int64(len(in)) {
		t.Errorf("offsets %d and %d, want %d", lr.offset, again.offset, len(in))
	}
}
