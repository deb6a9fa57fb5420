package h1

import "bytes"

// Response is a parsed response head. Every slice aliases the buffer given
// to ParseResponse and is valid until that buffer is reused.
//
// The body's framing is one of: none (NoBody), Chunked, ContentLength
// bytes (ContentLength >= 0), or, when ContentLength is -1 and neither
// Chunked nor NoBody is set, everything until the upstream closes the
// connection (read-until-close: the upstream connection cannot be reused
// afterwards, whatever Close says).
type Response struct {
	// Minor is 0 for HTTP/1.0 and 1 for HTTP/1.1.
	Minor int
	// Status is the three-digit status code (100 to 999).
	Status int
	// Reason is the reason phrase, possibly empty.
	Reason []byte
	// Fields holds every header line in order. Reset keeps its capacity.
	Fields []Field
	// ContentLength is the Content-Length, -1 when absent.
	ContentLength int64
	// Chunked reports Transfer-Encoding: chunked (the only coding
	// accepted; "gzip, chunked" from upstream is refused with 502).
	Chunked bool
	// Close reports Connection: close, or HTTP/1.0 without
	// Connection: keep-alive.
	Close bool
	// NoBody reports a 1xx, 204 or 304 status or an answer to HEAD: no
	// body follows, whatever the headers say.
	NoBody bool
	// HeadLen is the number of bytes of the buffer the head used.
	HeadLen int
}

// Reset clears r for another parse, keeping the capacity of Fields.
func (r *Response) Reset() {
	*r = Response{Fields: r.Fields[:0], ContentLength: -1}
}

// Get returns the value of the first header named name (ASCII
// case-insensitive), nil if absent. It does not allocate.
func (r *Response) Get(name string) []byte { return get(r.Fields, name) }

// ParseResponse parses the response head at the start of buf into r,
// after resetting r; head says the request was HEAD. It returns nil,
// ErrIncomplete (read more and call again with the whole buffer), or an
// *Error with Status 502 for a malformed or over-limit head (the same
// framing rules as ParseRequest; MaxURIBytes is not used). A 1xx response
// is returned like any other: the caller reads the next head after it.
func ParseResponse(buf []byte, lim Limits, head bool, r *Response) error {
	r.Reset()
	lf := bytes.IndexByte(buf, '\n')
	if lf < 0 {
		if lim.MaxHeadBytes > 0 && len(buf) > lim.MaxHeadBytes {
			return respErrors[rHeadTooLarge]
		}
		return ErrIncomplete
	}
	if lim.MaxHeadBytes > 0 && lf+1 > lim.MaxHeadBytes {
		return respErrors[rHeadTooLarge]
	}
	if rs, ok := r.parseStatusLine(buf[:lf]); !ok {
		return respErrors[rs]
	}
	var h headInfo
	fields, headLen, rs, res := scanFields(buf, lf+1, lim, r.Fields, &h, false)
	r.Fields = fields
	switch res {
	case scanMore:
		return ErrIncomplete
	case scanBad:
		return respErrors[rs]
	}
	cl, chunked, rs, ok := h.framing(r.Minor)
	if !ok {
		return respErrors[rs]
	}
	r.ContentLength, r.Chunked = cl, chunked
	r.Close = h.closes(r.Minor)
	r.NoBody = head || r.Status < 200 || r.Status == 204 || r.Status == 304
	r.HeadLen = headLen
	return nil
}

// parseStatusLine parses "HTTP/1.x SP 3DIGIT [SP reason] CR" (the line
// without its LF). A status line without the SP before an empty reason
// is accepted, as RFC 9112 asks of a client.
func (r *Response) parseStatusLine(line []byte) (reason, bool) {
	if len(line) == 0 || line[len(line)-1] != '\r' {
		return rBareLF, false
	}
	line = line[:len(line)-1]
	if len(line) < 12 || line[8] != ' ' {
		return rBadStatusLine, false
	}
	minor, rs, ok := parseVersion(line[:8])
	if !ok {
		return rs, false
	}
	r.Minor = minor
	st := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return rBadStatus, false
		}
		st = st*10 + int(c-'0')
	}
	if st < 100 {
		return rBadStatus, false
	}
	r.Status = st
	rest := line[12:]
	if len(rest) == 0 {
		return 0, true
	}
	if rest[0] != ' ' {
		return rBadStatusLine, false
	}
	for _, c := range rest[1:] {
		if class[c]&cValue == 0 {
			if c == '\r' {
				return rBareCR, false
			}
			return rCtlInValue, false
		}
	}
	r.Reason = rest[1:]
	return 0, true
}
