package h1

import "bytes"

// Limits bound a head. Zero means "no limit" for that field. A limit is
// checked as soon as the bytes seen exceed it, even while the head is
// still incomplete, so a slow giant head is refused early.
type Limits struct {
	// MaxHeadBytes bounds the request or status line, the header lines and
	// the final CRLF together; over it a request gets *Error{Status: 431}.
	MaxHeadBytes int
	// MaxHeaders bounds the number of header lines; over it a request gets
	// *Error{Status: 431}.
	MaxHeaders int
	// MaxURIBytes bounds the request target; over it a request gets
	// *Error{Status: 414}. It is checked before the other two.
	MaxURIBytes int
}

// scan results.
const (
	scanDone = iota
	scanMore
	scanBad
)

// headInfo collects what the header lines say about framing and the
// connection while scanFields walks them.
type headInfo struct {
	cl      int64
	clSeen  bool
	teSeen  bool
	teBad   reason // set with teOK false when Transfer-Encoding is not one chunked
	teOK    bool
	conn    int // connClose | connKeepAlive | connUpgrade
	hosts   int
	host    []byte
	upgrade bool
	expect  bool
}

// scanFields walks the header lines of buf from pos up to and including
// the empty line, appending each to fields. It returns the fields, the
// head length (when scanDone), and the reason (when scanBad).
func scanFields(buf []byte, pos int, lim Limits, fields []Field, h *headInfo, req bool) ([]Field, int, reason, int) {
	for {
		rel := bytes.IndexByte(buf[pos:], '\n')
		if rel < 0 {
			if lim.MaxHeadBytes > 0 && len(buf) > lim.MaxHeadBytes {
				return fields, 0, rHeadTooLarge, scanBad
			}
			return fields, 0, 0, scanMore
		}
		lf := pos + rel
		if lim.MaxHeadBytes > 0 && lf+1 > lim.MaxHeadBytes {
			return fields, 0, rHeadTooLarge, scanBad
		}
		if rel == 0 || buf[lf-1] != '\r' {
			return fields, 0, rBareLF, scanBad
		}
		line := buf[pos : lf-1]
		if len(line) == 0 {
			return fields, lf + 1, 0, scanDone
		}
		n := len(fields)
		fields = append(fields, Field{})
		f := &fields[n]
		if r, ok := parseField(line, f); !ok {
			return fields[:n], 0, r, scanBad
		}
		if lim.MaxHeaders > 0 && n >= lim.MaxHeaders {
			return fields[:n], 0, rTooManyHeaders, scanBad
		}
		if r, ok := h.note(f, req); !ok {
			return fields[:n], 0, r, scanBad
		}
		pos = lf + 1
	}
}

// note records a field that matters for framing, the connection or the
// host, refusing duplicates and malformed values.
func (h *headInfo) note(f *Field, req bool) (reason, bool) {
	switch len(f.Name) {
	case 4:
		if req && equalFold(f.Name, "host") {
			h.hosts++
			if h.hosts > 1 {
				return rDuplicateHost, false
			}
			if !validHost(f.Value) {
				return rBadHost, false
			}
			h.host = f.Value
		}
	case 6:
		if req && equalFold(f.Name, "expect") {
			h.expect = true
		}
	case 7:
		if req && equalFold(f.Name, "upgrade") {
			h.upgrade = true
		}
	case 10:
		if equalFold(f.Name, "connection") {
			h.conn |= connTokens(f.Value)
		}
	case 14:
		if equalFold(f.Name, "content-length") {
			if h.clSeen {
				return rDuplicateCL, false
			}
			n, r, ok := parseContentLength(f.Value)
			if !ok {
				return r, false
			}
			h.cl, h.clSeen = n, true
		}
	case 17:
		if equalFold(f.Name, "transfer-encoding") {
			if h.teSeen {
				return rDuplicateTE, false
			}
			h.teSeen = true
			h.teBad, h.teOK = checkTE(f.Value)
		}
	}
	return 0, true
}

// framing applies the cross-field rules: Transfer-Encoding must be one
// chunked, never with Content-Length and never in HTTP/1.0. It returns
// the content length (-1 when absent) and whether the body is chunked.
func (h *headInfo) framing(minor int) (int64, bool, reason, bool) {
	if h.teSeen {
		switch {
		case h.clSeen:
			return 0, false, rCLWithTE, false
		case minor == 0:
			return 0, false, rTEInHTTP10, false
		case !h.teOK:
			return 0, false, h.teBad, false
		}
		return -1, true, 0, true
	}
	if h.clSeen {
		return h.cl, false, 0, true
	}
	return -1, false, 0, true
}

// closes reports whether the connection closes after this message:
// Connection: close, or HTTP/1.0 without Connection: keep-alive.
func (h *headInfo) closes(minor int) bool {
	return h.conn&connClose != 0 || minor == 0 && h.conn&connKeepAlive == 0
}

// parseVersion reads "HTTP/1.0" or "HTTP/1.1". Another well-formed
// version ("HTTP/2.0", "HTTP/1.2") is rUnsupportedVersion.
func parseVersion(v []byte) (int, reason, bool) {
	if len(v) != 8 || string(v[:5]) != "HTTP/" || v[6] != '.' ||
		v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9' {
		return 0, rBadVersion, false
	}
	if v[5] != '1' || v[7] > '1' {
		return 0, rUnsupportedVersion, false
	}
	return int(v[7] - '0'), 0, true
}
