package h1

import "bytes"

// Field is one header line. Name keeps its case as sent; Value has its
// leading and trailing SP/HTAB trimmed. Both alias the parsed buffer.
type Field struct{ Name, Value []byte }

// Byte classes, one table lookup per byte.
const (
	cToken  = 1 << iota // tchar (RFC 9110 5.6.2)
	cValue              // field-vchar, SP, HTAB, obs-text
	cTarget             // a byte allowed in a request target: VCHAR but '#', or obs-text
	cHost               // reg-name byte (unreserved / sub-delims), no '%'
	cHex                // HEXDIG
)

var class = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		alnum := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
		if alnum || bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), b) >= 0 {
			t[c] |= cToken
		}
		if b == '\t' || b >= 0x20 && b != 0x7f {
			t[c] |= cValue
		}
		if b > 0x20 && b != 0x7f && b != '#' {
			t[c] |= cTarget
		}
		if alnum || bytes.IndexByte([]byte("-._~!$&'()*+,;="), b) >= 0 {
			t[c] |= cHost
		}
		if '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F' {
			t[c] |= cHex
		}
	}
	return t
}()

// lower folds an ASCII upper-case letter to lower case.
func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}

// equalFold reports whether b equals the lower-case ASCII string s,
// ignoring ASCII case in b.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		if lower(b[i]) != s[i] {
			return false
		}
	}
	return true
}

// equalFoldAny reports whether a equals b ignoring ASCII case.
func equalFoldAny(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// get returns the value of the first field named name, nil if absent.
func get(fields []Field, name string) []byte {
	for i := range fields {
		if equalFoldAny(fields[i].Name, name) {
			return fields[i].Value
		}
	}
	return nil
}

// trimOWS trims leading and trailing SP and HTAB.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// parseField splits one header line (without its CRLF) into f's name and
// trimmed value, refusing obs-fold, whitespace before the colon, an empty
// or invalid name, and control characters (a CR is reported as a bare CR).
func parseField(line []byte, f *Field) (reason, bool) {
	if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
		return rObsFold, false
	}
	i := 0
	for i < len(line) && class[line[i]]&cToken != 0 {
		i++
	}
	switch {
	case i == len(line):
		return rBadName, false // no colon at all
	case line[i] == ':':
		if i == 0 {
			return rEmptyName, false
		}
	case line[i] == ' ' || line[i] == '\t':
		return rSpaceBeforeColon, false
	case line[i] == '\r':
		return rBareCR, false
	default:
		return rBadName, false
	}
	v := trimOWS(line[i+1:])
	if r, ok := checkValue(v); !ok {
		return r, false
	}
	f.Name, f.Value = line[:i], v
	return 0, true
}

// Word-at-a-time checks: eight bytes per step instead of one. Each says
// only whether a block may hold a byte of interest; the byte loop after it
// gives the exact answer, so a false alarm (HTAB) costs speed, never
// correctness.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// load64 reads 8 bytes little-endian (one load on the usual targets).
func load64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// hasLess reports whether some byte of x is below n (n <= 128).
func hasLess(x uint64, n byte) bool { return (x-ones*uint64(n))&^x&highs != 0 }

// hasByte reports whether some byte of x equals c.
func hasByte(x uint64, c byte) bool {
	d := x ^ ones*uint64(c)
	return (d-ones)&^d&highs != 0
}

// checkValue refuses control characters but HTAB in a field value,
// telling a CR apart (a bare CR).
func checkValue(v []byte) (reason, bool) {
	i := 0
	for ; i+8 <= len(v); i += 8 {
		x := load64(v[i:])
		d := x ^ ones*0x7f
		if ((x-ones*0x20)&^x|(d-ones)&^d)&highs != 0 { // a byte < 0x20 or 0x7f
			break
		}
	}
	for _, c := range v[i:] {
		if class[c]&cValue == 0 {
			if c == '\r' {
				return rBareCR, false
			}
			return rCtlInValue, false
		}
	}
	return 0, true
}

// checkTarget refuses a request target byte that is not VCHAR or
// obs-text, or is '#'.
func checkTarget(t []byte) (reason, bool) {
	i := 0
	for ; i+8 <= len(t); i += 8 {
		if x := load64(t[i:]); hasLess(x, 0x21) || hasByte(x, 0x7f) || hasByte(x, '#') {
			break
		}
	}
	for _, c := range t[i:] {
		if class[c]&cTarget == 0 {
			if c == '\r' {
				return rBareCR, false
			}
			return rBadTarget, false
		}
	}
	return 0, true
}

// parseContentLength parses a Content-Length value: one or more digits,
// no sign, no list, no overflow past int64.
func parseContentLength(v []byte) (int64, reason, bool) {
	if len(v) == 0 {
		return 0, rBadCL, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			if c == ',' {
				return 0, rListCL, false
			}
			return 0, rBadCL, false
		}
		d := int64(c - '0')
		if n > (1<<63-1-d)/10 {
			return 0, rBadCL, false
		}
		n = n*10 + d
	}
	return n, 0, true
}

// knownCoding reports whether c is a transfer coding this package knows
// by name (and refuses with 400 rather than 501 when it is not alone).
func knownCoding(c []byte) bool {
	switch len(c) {
	case 4:
		return equalFold(c, "gzip")
	case 6:
		return equalFold(c, "x-gzip")
	case 7:
		return equalFold(c, "chunked") || equalFold(c, "deflate")
	case 8:
		return equalFold(c, "compress") || equalFold(c, "identity")
	case 10:
		return equalFold(c, "x-compress")
	}
	return false
}

// checkTE accepts exactly one "chunked"; any unknown coding in the list
// is 501, anything else (known codings, lists, empty elements) 400.
func checkTE(v []byte) (reason, bool) {
	if equalFold(v, "chunked") {
		return 0, true
	}
	r := rBadTE
	for len(v) > 0 {
		el := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			el, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		el = trimOWS(el)
		if len(el) > 0 && !knownCoding(el) {
			r = rUnknownTE
		}
	}
	return r, false
}

// Connection tokens of interest.
const (
	connClose = 1 << iota
	connKeepAlive
	connUpgrade
)

// connTokens returns the Connection options named in v.
func connTokens(v []byte) (f int) {
	for len(v) > 0 {
		el := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			el, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		el = trimOWS(el)
		switch {
		case equalFold(el, "close"):
			f |= connClose
		case equalFold(el, "keep-alive"):
			f |= connKeepAlive
		case equalFold(el, "upgrade"):
			f |= connUpgrade
		}
	}
	return f
}

// validHost reports whether h is uri-host [ ":" port ]: a non-empty
// reg-name (no percent-encoding) or IPv4 address, or an IP-literal in
// brackets, then an optional port of 1 to 5 digits.
func validHost(h []byte) bool {
	if len(h) == 0 {
		return false
	}
	var rest []byte
	if h[0] == '[' {
		end := bytes.IndexByte(h, ']')
		if end < 0 || !validIPv6(h[1:end]) {
			return false
		}
		rest = h[end+1:]
	} else {
		i := 0
		for i < len(h) && class[h[i]]&cHost != 0 {
			i++
		}
		if i == 0 {
			return false
		}
		rest = h[i:]
	}
	if len(rest) == 0 {
		return true
	}
	if rest[0] != ':' || len(rest) < 2 || len(rest) > 6 {
		return false
	}
	for _, c := range rest[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// validIPv6 checks the text of an IPv6 address (RFC 4291 2.2): groups of
// 1 to 4 hex digits separated by colons, at most one "::", eight groups
// (or fewer with "::"), an optional dotted IPv4 tail. Zones and IPvFuture
// are refused.
func validIPv6(b []byte) bool {
	groups, dbl := 0, false
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		dbl, b = true, b[2:]
		if len(b) == 0 {
			return true
		}
	}
	for {
		n := 0
		for n < len(b) && n < 5 && class[b[n]]&cHex != 0 {
			n++
		}
		if n < len(b) && b[n] == '.' {
			if !validIPv4(b) {
				return false
			}
			groups += 2
			break
		}
		if n == 0 || n > 4 {
			return false
		}
		groups++
		b = b[n:]
		if len(b) == 0 {
			break
		}
		if b[0] != ':' {
			return false
		}
		b = b[1:]
		if len(b) > 0 && b[0] == ':' {
			if dbl {
				return false
			}
			dbl, b = true, b[1:]
			if len(b) == 0 {
				break
			}
		} else if len(b) == 0 {
			return false
		}
	}
	if dbl {
		return groups < 8
	}
	return groups == 8
}

// validIPv4 checks a dotted quad of decimal octets without leading zeros.
func validIPv4(b []byte) bool {
	for part := range 4 {
		n, v := 0, 0
		for n < len(b) && '0' <= b[n] && b[n] <= '9' {
			v = v*10 + int(b[n]-'0')
			n++
			if n > 3 {
				return false
			}
		}
		if n == 0 || v > 255 || n > 1 && b[0] == '0' {
			return false
		}
		b = b[n:]
		if part < 3 {
			if len(b) == 0 || b[0] != '.' {
				return false
			}
			b = b[1:]
		}
	}
	return len(b) == 0
}
