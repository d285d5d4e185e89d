package imports

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// lineReader reads a spool file line by line in constant memory, keeping
// the byte offset and the number of the lines it has consumed, so a job can
// checkpoint them and resume there.
type lineReader struct {
	r      *bufio.Reader
	max    int
	offset int64 // bytes consumed
	line   int64 // lines consumed
}

// line is one line of the file.
type line struct {
	no      int64  // its number, from 1
	text    []byte // without the line ending; valid until the next call
	tooLong bool   // longer than max: text is nil
}

// newLineReader reads r, which is positioned offset bytes (and line lines)
// into the file, with lines of at most max bytes.
func newLineReader(r io.Reader, max int, offset, line int64) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, max+2), max: max, offset: offset, line: line}
}

// next returns the next line, or io.EOF after the last one. A last line
// without a newline is a line.
func (lr *lineReader) next() (line, error) {
	b, err := lr.r.ReadSlice('\n')
	n := int64(len(b))
	long := false
	for errors.Is(err, bufio.ErrBufferFull) { // skip the rest of an over-long line
		long = true
		b, err = lr.r.ReadSlice('\n')
		n += int64(len(b))
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return line{}, err
	}
	if n == 0 {
		return line{}, io.EOF
	}
	lr.offset += n
	lr.line++
	l := line{no: lr.line}
	if long {
		l.tooLong = true
		return l, nil
	}
	l.text = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte{'\n'}), []byte{'\r'})
	if len(l.text) > lr.max {
		l.text, l.tooLong = nil, true
	}
	return l, nil
}
