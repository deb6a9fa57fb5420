package h1

import (
	"bufio"
	"io"
	"strconv"
)

// Bounds of the chunked framing around the data.
const (
	// maxChunkExt bounds the extensions of one chunk-size line (after ';').
	maxChunkExt = 4096
	// maxTrailerBytes bounds the whole trailer section.
	maxTrailerBytes = 16 << 10
)

// Chunked-body refusals (Status 400), shared so they allocate nothing.
var (
	errChunkSize     = &Error{Status: 400, Reason: "invalid chunk size"}
	errChunkOverflow = &Error{Status: 400, Reason: "chunk size overflows"}
	errChunkExt      = &Error{Status: 400, Reason: "invalid or too long chunk extension"}
	errChunkLine     = &Error{Status: 400, Reason: "chunk line not ended by CRLF"}
	errChunkData     = &Error{Status: 400, Reason: "chunk data not followed by CRLF"}
	errTrailer       = &Error{Status: 400, Reason: "invalid trailer section"}
)

// chunked decoder states.
const (
	stSize    = iota // at a chunk-size line
	stData           // inside chunk data, left bytes to go
	stDataEnd        // at the CRLF after chunk data
	stTrailer        // in the trailer section
	stDone           // after the final CRLF
)

// ChunkedReader decodes a chunked body from a bufio.Reader. Read returns
// decoded data. It validates each chunk-size line (hex digits only, no
// "0x", sign or whitespace, no overflow past 63 bits, extensions after ';'
// skipped but bounded, CRLF only) before it returns any byte of that chunk,
// and returns io.EOF after the last chunk and the trailer section's final
// CRLF. A malformed body returns an *Error with Status 400; a body cut
// short returns io.ErrUnexpectedEOF. Either error sticks. The zero value
// is not ready: call Reset first. A ChunkedReader does not allocate.
type ChunkedReader struct {
	br       *bufio.Reader
	state    int
	left     int64 // data bytes left in the current chunk
	trailers bool
	err      error
}

// Reset makes c read a new chunked body from br.
func (c *ChunkedReader) Reset(br *bufio.Reader) {
	*c = ChunkedReader{br: br}
}

// Trailers reports whether the trailer section was non-empty. It is
// meaningful once Read has returned io.EOF; the engine then closes the
// connection, since trailers are not forwarded.
func (c *ChunkedReader) Trailers() bool { return c.trailers }

// Read reads decoded body data into p.
func (c *ChunkedReader) Read(p []byte) (int, error) {
	for c.err == nil {
		switch c.state {
		case stSize:
			c.err = c.readSize()
		case stData:
			if len(p) == 0 {
				return 0, nil
			}
			if int64(len(p)) > c.left {
				p = p[:c.left]
			}
			n, err := c.br.Read(p)
			c.left -= int64(n)
			if c.left == 0 {
				c.state = stDataEnd
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			c.err = err
			if n > 0 {
				return n, nil
			}
		case stDataEnd:
			c.err = c.expectCRLF(errChunkData)
			c.state = stSize
		case stTrailer:
			c.err = c.readTrailers()
		case stDone:
			return 0, io.EOF
		}
	}
	return 0, c.err
}

// readByte reads one byte, turning the end of input into
// io.ErrUnexpectedEOF.
func (c *ChunkedReader) readByte() (byte, error) {
	b, err := c.br.ReadByte()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return b, err
}

// expectCRLF reads CR LF; anything else is bad.
func (c *ChunkedReader) expectCRLF(bad error) error {
	for _, want := range [2]byte{'\r', '\n'} {
		b, err := c.readByte()
		if err != nil {
			return err
		}
		if b != want {
			return bad
		}
	}
	return nil
}

// readSize reads a chunk-size line: 1*HEXDIG [ ";" ext ] CRLF.
func (c *ChunkedReader) readSize() error {
	var n int64
	digits := 0
	var b byte
	var err error
	for {
		if b, err = c.readByte(); err != nil {
			return err
		}
		if class[b]&cHex == 0 {
			break
		}
		if n > (1<<63-1)>>4 {
			return errChunkOverflow
		}
		n = n<<4 | int64(unhex(b))
		digits++
	}
	if digits == 0 {
		return errChunkSize
	}
	switch b {
	case ';':
		if err := c.skipExt(); err != nil {
			return err
		}
	case '\r':
		if b, err = c.readByte(); err != nil {
			return err
		}
		if b != '\n' {
			return errChunkLine
		}
	case '\n':
		return errChunkLine
	default:
		return errChunkSize
	}
	if n == 0 {
		c.state = stTrailer
	} else {
		c.state, c.left = stData, n
	}
	return nil
}

// skipExt skips chunk extensions up to and including the CRLF, refusing
// control characters (but HTAB), a bare CR or LF, and more than
// maxChunkExt bytes.
func (c *ChunkedReader) skipExt() error {
	for i := 0; ; i++ {
		if i > maxChunkExt {
			return errChunkExt
		}
		b, err := c.readByte()
		if err != nil {
			return err
		}
		switch {
		case b == '\r':
			if b, err = c.readByte(); err != nil {
				return err
			}
			if b != '\n' {
				return errChunkLine
			}
			return nil
		case b == '\n':
			return errChunkLine
		case class[b]&cValue == 0:
			return errChunkExt
		}
	}
}

// readTrailers reads the trailer section: field lines, each ended by
// CRLF, then an empty line; at most maxTrailerBytes in all.
func (c *ChunkedReader) readTrailers() error {
	total, lineLen := 0, 0
	colon := false
	for {
		b, err := c.readByte()
		if err != nil {
			return err
		}
		if total++; total > maxTrailerBytes {
			return errTrailer
		}
		switch {
		case b == '\r':
			if b, err = c.readByte(); err != nil {
				return err
			}
			if b != '\n' {
				return errTrailer
			}
			if lineLen == 0 {
				c.state = stDone
				return nil
			}
			if !colon {
				return errTrailer
			}
			c.trailers, lineLen, colon = true, 0, false
			continue
		case !colon && b == ':':
			if lineLen == 0 {
				return errTrailer
			}
			colon = true
		case !colon && class[b]&cToken == 0, colon && class[b]&cValue == 0:
			return errTrailer
		}
		lineLen++
	}
}

// unhex returns the value of a hex digit.
func unhex(b byte) byte {
	switch {
	case b <= '9':
		return b - '0'
	case b >= 'a':
		return b - 'a' + 10
	}
	return b - 'A' + 10
}

// AppendChunk appends data framed as one chunk ("%x\r\n" data "\r\n") to
// dst and returns the extended slice. Empty data appends nothing, since an
// empty chunk would end the body.
func AppendChunk(dst, data []byte) []byte {
	if len(data) == 0 {
		return dst
	}
	dst = strconv.AppendUint(dst, uint64(len(data)), 16)
	dst = append(dst, '\r', '\n')
	dst = append(dst, data...)
	return append(dst, '\r', '\n')
}

// AppendLastChunk appends the last chunk and an empty trailer section,
// "0\r\n\r\n", to dst.
func AppendLastChunk(dst []byte) []byte {
	return append(dst, "0\r\n\r\n"...)
}
