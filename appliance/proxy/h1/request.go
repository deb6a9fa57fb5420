package h1

import "bytes"

// Request is a parsed request head. Every slice aliases the buffer given
// to ParseRequest and is valid until that buffer is reused.
type Request struct {
	// Method is the request method as sent (a token; case kept).
	Method []byte
	// Target is the request target as sent: origin-form ("/p?q"),
	// absolute-form ("http://host/p"), authority-form ("host:443", CONNECT
	// only) or "*" (OPTIONS only).
	Target []byte
	// Path is the path part of Target without the query; for
	// absolute-form the part after the authority, or a shared "/" (do not
	// modify it) when that is empty; for "*" it is "*"; nil for
	// authority-form.
	Path []byte
	// Query is what follows '?' in Target, without the '?'; nil when
	// there is no '?'.
	Query []byte
	// Host is the Host header, or the authority of an absolute-form or
	// authority-form target, which wins over the header. Nil only for
	// HTTP/1.0 without either.
	Host []byte
	// Minor is 0 for HTTP/1.0 and 1 for HTTP/1.1.
	Minor int
	// Fields holds every header line in order. Reset keeps its capacity,
	// so a Request reused across parses stops allocating.
	Fields []Field
	// ContentLength is the Content-Length, -1 when the request has none.
	ContentLength int64
	// Chunked reports Transfer-Encoding: chunked (the only coding
	// accepted). A request with neither Chunked nor ContentLength >= 0 has
	// no body.
	Chunked bool
	// Close reports Connection: close, or HTTP/1.0 without
	// Connection: keep-alive: the connection ends after this exchange.
	Close bool
	// Upgrade reports an Upgrade header or Connection: upgrade; the engine
	// hands such a request to net/http.
	Upgrade bool
	// Expect reports an Expect header (100-continue or any other
	// expectation); the engine hands such a request to net/http, which
	// answers 100 Continue or 417.
	Expect bool
	// HeadLen is the number of bytes of the buffer the head used; the
	// body, or the next pipelined request, starts there.
	HeadLen int
}

// slash is the Path of an absolute-form target without a path.
var slash = []byte("/")

// Reset clears r for another parse, keeping the capacity of Fields.
func (r *Request) Reset() {
	*r = Request{Fields: r.Fields[:0], ContentLength: -1}
}

// Get returns the value of the first header named name (ASCII
// case-insensitive), nil if absent. It does not allocate.
func (r *Request) Get(name string) []byte { return get(r.Fields, name) }

// ParseRequest parses the request head at the start of buf into r, after
// resetting r. It returns nil when the head is whole and acceptable,
// ErrIncomplete when buf ends before the head does (read more and call
// again with the whole buffer), or an *Error saying which status to answer
// before closing the connection. It refuses, among others (see the
// package documentation): Content-Length with Transfer-Encoding,
// duplicate, list-valued, signed or overflowing Content-Length, any
// Transfer-Encoding but exactly one chunked (501 for an unknown coding),
// obs-fold, whitespace before a colon, bare LF or CR, control characters,
// a missing (HTTP/1.1), duplicate or invalid Host, and any request line but
// "METHOD SP target SP HTTP/1.x".
func ParseRequest(buf []byte, lim Limits, r *Request) error {
	r.Reset()
	lf := bytes.IndexByte(buf, '\n')
	if lf < 0 {
		return incompleteRequestLine(buf, lim)
	}
	pos, rs, ok := parseRequestLine(buf, lf, lim, r)
	if !ok {
		return reqErrors[rs]
	}
	var h headInfo
	fields, headLen, rs, res := scanFields(buf, pos, lim, r.Fields, &h, true)
	r.Fields = fields
	switch res {
	case scanMore:
		return ErrIncomplete
	case scanBad:
		return reqErrors[rs]
	}
	if rs, ok := r.finish(&h); !ok {
		return reqErrors[rs]
	}
	r.HeadLen = headLen
	return nil
}

// incompleteRequestLine applies the limits to a request line that has no
// LF yet: the target seen so far against MaxURIBytes, then the bytes seen
// against MaxHeadBytes.
func incompleteRequestLine(buf []byte, lim Limits) error {
	if lim.MaxURIBytes > 0 {
		if sp := bytes.IndexByte(buf, ' '); sp >= 0 {
			t := buf[sp+1:]
			if e := bytes.IndexByte(t, ' '); e >= 0 {
				t = t[:e]
			}
			if len(t) > lim.MaxURIBytes {
				return reqErrors[rURITooLong]
			}
		}
	}
	if lim.MaxHeadBytes > 0 && len(buf) > lim.MaxHeadBytes {
		return reqErrors[rHeadTooLarge]
	}
	return ErrIncomplete
}

// parseRequestLine parses buf[:lf+1] as "METHOD SP target SP HTTP/1.x
// CRLF" into r and returns where the header lines start.
func parseRequestLine(buf []byte, lf int, lim Limits, r *Request) (int, reason, bool) {
	line := buf[:lf]
	i := 0
	for i < len(line) && class[line[i]]&cToken != 0 {
		i++
	}
	switch {
	case i < len(line) && line[i] != ' ' && line[i] != '\r':
		return 0, rBadMethod, false
	case i == 0 || i == len(line) || line[i] != ' ':
		return 0, rBadRequestLine, false
	}
	r.Method = line[:i]
	rest := line[i+1:]
	sp := bytes.IndexByte(rest, ' ')
	if sp < 0 {
		if lim.MaxURIBytes > 0 && len(rest) > lim.MaxURIBytes {
			return 0, rURITooLong, false
		}
		return 0, rBadRequestLine, false
	}
	r.Target = rest[:sp]
	if lim.MaxURIBytes > 0 && len(r.Target) > lim.MaxURIBytes {
		return 0, rURITooLong, false
	}
	if lim.MaxHeadBytes > 0 && lf+1 > lim.MaxHeadBytes {
		return 0, rHeadTooLarge, false
	}
	if line[len(line)-1] != '\r' {
		return 0, rBareLF, false
	}
	if len(r.Target) == 0 {
		return 0, rBadRequestLine, false
	}
	minor, rs, ok := parseVersion(rest[sp+1 : len(rest)-1])
	if !ok {
		return 0, rs, false
	}
	r.Minor = minor
	if rs, ok := r.parseTarget(); !ok {
		return 0, rs, false
	}
	return lf + 1, 0, true
}

// parseTarget checks the target's bytes and form and sets Path and Query
// (and Host for absolute-form; finish lets it win over the header).
func (r *Request) parseTarget() (reason, bool) {
	t := r.Target
	if rs, ok := checkTarget(t); !ok {
		return rs, false
	}
	connect := string(r.Method) == "CONNECT"
	switch {
	case t[0] == '/':
		if connect {
			return rTargetForm, false
		}
		return r.splitPath(t)
	case len(t) == 1 && t[0] == '*':
		if string(r.Method) != "OPTIONS" {
			return rTargetForm, false
		}
		r.Path = t
		return 0, true
	case connect:
		// authority-form: host and port, nothing else.
		if bytes.LastIndexByte(t, ':') < 0 || !validHost(t) || t[len(t)-1] == ']' {
			return rTargetForm, false
		}
		r.Host = t
		return 0, true
	}
	var rest []byte
	switch {
	case len(t) > 7 && equalFold(t[:7], "http://"):
		rest = t[7:]
	case len(t) > 8 && equalFold(t[:8], "https://"):
		rest = t[8:]
	default:
		return rTargetForm, false
	}
	end := bytes.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	if !validHost(rest[:end]) {
		return rBadHost, false
	}
	r.Host = rest[:end]
	if end == len(rest) || rest[end] == '?' {
		r.Path = slash
		if end < len(rest) {
			r.Query = rest[end+1:]
		}
		return 0, true
	}
	return r.splitPath(rest[end:])
}

// splitPath sets Path and Query from p (which starts with '/'), refusing
// a '%' in the path that is not followed by two hex digits.
func (r *Request) splitPath(p []byte) (reason, bool) {
	if q := bytes.IndexByte(p, '?'); q >= 0 {
		r.Path, r.Query = p[:q], p[q+1:]
	} else {
		r.Path = p
	}
	for p := r.Path; ; {
		i := bytes.IndexByte(p, '%')
		if i < 0 {
			return 0, true
		}
		if i+2 >= len(p) || class[p[i+1]]&cHex == 0 || class[p[i+2]]&cHex == 0 {
			return rBadTarget, false
		}
		p = p[i+3:]
	}
}

// finish applies the rules that need the whole head.
func (r *Request) finish(h *headInfo) (reason, bool) {
	if r.Minor == 1 && h.hosts == 0 {
		return rMissingHost, false
	}
	if r.Host == nil {
		r.Host = h.host
	}
	cl, chunked, rs, ok := h.framing(r.Minor)
	if !ok {
		return rs, false
	}
	r.ContentLength, r.Chunked = cl, chunked
	r.Close = h.closes(r.Minor)
	r.Upgrade = h.upgrade || h.conn&connUpgrade != 0
	r.Expect = h.expect
	return 0, true
}
