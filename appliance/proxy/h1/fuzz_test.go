package h1

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/iotest"
)

// checkRequestResult checks what ParseRequest returned for buf against
// the contract's invariants and returns a snapshot of the result.
func checkRequestResult(t *testing.T, buf []byte, r *Request, err error) string {
	t.Helper()
	if err != nil {
		var e *Error
		switch {
		case err == ErrIncomplete:
		case errors.As(err, &e):
			switch e.Status {
			case 400, 414, 431, 501, 505:
			default:
				t.Fatalf("ParseRequest(%q): status %d", buf, e.Status)
			}
		default:
			t.Fatalf("ParseRequest(%q): unexpected error %v", buf, err)
		}
		return err.Error()
	}
	if r.HeadLen < 4 || r.HeadLen > len(buf) || string(buf[r.HeadLen-4:r.HeadLen]) != "\r\n\r\n" {
		t.Fatalf("ParseRequest(%q): HeadLen %d", buf, r.HeadLen)
	}
	if r.Minor == 1 && len(r.Host) == 0 {
		t.Fatalf("ParseRequest(%q): HTTP/1.1 without Host accepted", buf)
	}
	if r.Chunked && r.ContentLength >= 0 {
		t.Fatalf("ParseRequest(%q): both chunked and Content-Length %d", buf, r.ContentLength)
	}
	if !isToken(r.Method) || len(r.Target) == 0 {
		t.Fatalf("ParseRequest(%q): method %q target %q", buf, r.Method, r.Target)
	}
	for _, f := range r.Fields {
		if !isToken(f.Name) {
			t.Fatalf("ParseRequest(%q): field name %q is not a token", buf, f.Name)
		}
		if bytes.ContainsAny(f.Value, "\r\n\x00") || len(trimOWS(f.Value)) != len(f.Value) {
			t.Fatalf("ParseRequest(%q): field value %q", buf, f.Value)
		}
	}
	return fmt.Sprintf("%q %q %q %q %q %d %d %v %v %v %v %d %q", r.Method, r.Target, r.Path, r.Query, r.Host,
		r.Minor, r.ContentLength, r.Chunked, r.Close, r.Upgrade, r.Expect, r.HeadLen, r.Fields)
}

// isToken reports whether b is a non-empty token.
func isToken(b []byte) bool {
	for _, c := range b {
		if class[c]&cToken == 0 {
			return false
		}
	}
	return len(b) > 0
}

// FuzzParseRequest checks that ParseRequest never panics, that what it
// accepts holds the contract's invariants, that it answers the same bytes
// the same way, that the head less its last byte is incomplete, and that it
// never accepts what net/http's ReadRequest refuses (and agrees with it on
// what both accept).
func FuzzParseRequest(f *testing.F) {
	for _, tc := range requestRefusals {
		f.Add([]byte(tc.raw))
	}
	for _, tc := range requestAccepts {
		f.Add([]byte(tc.raw))
	}
	for _, raw := range append(stricterThanNetHTTP, bothRefuse...) {
		f.Add([]byte(raw))
	}
	f.Add([]byte(browserGET))
	f.Fuzz(func(t *testing.T, buf []byte) {
		var r Request
		err := ParseRequest(buf, Limits{}, &r)
		first := checkRequestResult(t, buf, &r, err)
		headLen := r.HeadLen
		if again := checkRequestResult(t, buf, &r, ParseRequest(buf, Limits{}, &r)); again != first {
			t.Fatalf("ParseRequest(%q) twice:\n%s\n%s", buf, first, again)
		}
		lim := Limits{MaxHeadBytes: 64, MaxHeaders: 3, MaxURIBytes: 16}
		checkRequestResult(t, buf, &r, ParseRequest(buf, lim, &r))
		if err != nil {
			return
		}
		head := buf[:headLen]
		if err := ParseRequest(head[:len(head)-1], Limits{}, &r); err != ErrIncomplete {
			t.Fatalf("ParseRequest(%q) without its last byte: %v", head, err)
		}
		if err := ParseRequest(head, Limits{}, &r); err != nil {
			t.Fatalf("ParseRequest(%q) = %v, but accepted with more bytes after it", head, err)
		}
		checkAgainstNetHTTP(t, head, &r)
	})
}

// checkResponseResult checks what ParseResponse returned and returns a
// snapshot of the result.
func checkResponseResult(t *testing.T, buf []byte, head bool, r *Response, err error) string {
	t.Helper()
	if err != nil {
		var e *Error
		if err != ErrIncomplete && (!errors.As(err, &e) || e.Status != 502) {
			t.Fatalf("ParseResponse(%q): unexpected error %v", buf, err)
		}
		return err.Error()
	}
	if r.HeadLen < 4 || r.HeadLen > len(buf) || string(buf[r.HeadLen-4:r.HeadLen]) != "\r\n\r\n" {
		t.Fatalf("ParseResponse(%q): HeadLen %d", buf, r.HeadLen)
	}
	if r.Status < 100 || r.Status > 999 || r.Chunked && r.ContentLength >= 0 {
		t.Fatalf("ParseResponse(%q): status %d chunked %v length %d", buf, r.Status, r.Chunked, r.ContentLength)
	}
	if r.NoBody != (head || r.Status < 200 || r.Status == 204 || r.Status == 304) {
		t.Fatalf("ParseResponse(%q, head=%v): NoBody %v for %d", buf, head, r.NoBody, r.Status)
	}
	for _, f := range r.Fields {
		if !isToken(f.Name) || bytes.ContainsAny(f.Value, "\r\n\x00") {
			t.Fatalf("ParseResponse(%q): field %q: %q", buf, f.Name, f.Value)
		}
	}
	return fmt.Sprintf("%d %d %q %d %v %v %v %d %q", r.Minor, r.Status, r.Reason, r.ContentLength,
		r.Chunked, r.Close, r.NoBody, r.HeadLen, r.Fields)
}

// responseSeeds are response heads, valid and not.
var responseSeeds = []string{
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 204 No Content\r\n\r\n",
	"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
	"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
	"HTTP/1.1 200\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	"HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n",
	"HTTP/1.1 200 OK\nA: b\n\n",
	"HTTP/2 200\r\n\r\n",
	"HTTP/1.1 99 X\r\n\r\n",
}

// FuzzParseResponse checks that ParseResponse never panics, that what it
// accepts holds the invariants, that it is deterministic, and that it never
// accepts what net/http's ReadResponse refuses.
func FuzzParseResponse(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, buf []byte, head bool) {
		var r Response
		err := ParseResponse(buf, Limits{}, head, &r)
		first := checkResponseResult(t, buf, head, &r, err)
		headLen := r.HeadLen
		if again := checkResponseResult(t, buf, head, &r, ParseResponse(buf, Limits{}, head, &r)); again != first {
			t.Fatalf("ParseResponse(%q) twice:\n%s\n%s", buf, first, again)
		}
		checkResponseResult(t, buf, head, &r, ParseResponse(buf, Limits{MaxHeadBytes: 48, MaxHeaders: 2}, head, &r))
		if err != nil {
			return
		}
		hd := buf[:headLen]
		if err := ParseResponse(hd[:len(hd)-1], Limits{}, head, &r); err != ErrIncomplete {
			t.Fatalf("ParseResponse(%q) without its last byte: %v", hd, err)
		}
		if err := ParseResponse(hd, Limits{}, head, &r); err != nil {
			t.Fatal(err)
		}
		checkResponseAgainstNetHTTP(t, hd, &r)
	})
}

// decodeChunked decodes body through a bufio.Reader of the smallest size,
// optionally over a one-byte-at-a-time reader, reading into p.
func decodeChunked(body []byte, oneByte bool, p []byte) ([]byte, bool, error) {
	var src io.Reader = bytes.NewReader(body)
	if oneByte {
		src = iotest.OneByteReader(src)
	}
	var c ChunkedReader
	c.Reset(bufio.NewReaderSize(src, 16))
	var out []byte
	for {
		n, err := c.Read(p)
		out = append(out, p[:n]...)
		if err == io.EOF {
			return out, c.Trailers(), nil
		}
		if err != nil {
			return out, false, err
		}
	}
}

// FuzzChunkedReader decodes arbitrary bytes as a chunked body, checks
// that the outcome does not depend on how the bytes arrive, and for a
// body that decodes, re-encodes the data with AppendChunk and
// AppendLastChunk and checks that it decodes to the same data.
func FuzzChunkedReader(f *testing.F) {
	for _, tc := range validChunked {
		f.Add([]byte(tc.body), uint8(3))
	}
	for _, s := range []string{"g\r\nx\r\n0\r\n\r\n", "0x5\r\nhello\r\n0\r\n\r\n", "5 \r\nhello\r\n0\r\n\r\n",
		"8000000000000000\r\n", "3\r\nabcX", "3\n", "0\r\nX: y\n\r\n", "5;a\x00\r\nhello\r\n0\r\n\r\n"} {
		f.Add([]byte(s), uint8(7))
	}
	f.Fuzz(func(t *testing.T, body []byte, size uint8) {
		p := make([]byte, int(size)%64+1)
		data, trailers, err := decodeChunked(body, false, p)
		data1, trailers1, err1 := decodeChunked(body, true, make([]byte, 7))
		if err != err1 || !bytes.Equal(data, data1) || trailers != trailers1 {
			t.Fatalf("body %q: %q %v %v vs one byte at a time %q %v %v", body, data, trailers, err, data1, trailers1, err1)
		}
		if err != nil {
			var e *Error
			if err != io.ErrUnexpectedEOF && (!errors.As(err, &e) || e.Status != 400) {
				t.Fatalf("body %q: unexpected error %v", body, err)
			}
			return
		}
		var enc []byte
		step := int(size)%13 + 1
		for rest := data; len(rest) > 0; {
			n := min(step, len(rest))
			enc, rest = AppendChunk(enc, rest[:n]), rest[n:]
		}
		enc = AppendLastChunk(enc)
		again, trailers2, err := decodeChunked(enc, false, p)
		if err != nil || !bytes.Equal(again, data) || trailers2 {
			t.Fatalf("re-encoded %q decodes to %q, %v (trailers %v); want %q", enc, again, err, trailers2, data)
		}
	})
}

// FuzzRequestParts builds a request from a method, a target, a Host value
// and one header line, so that the mutator explores heads that are mostly
// well formed, and checks them as FuzzParseRequest does, against net/http
// included.
func FuzzRequestParts(f *testing.F) {
	f.Add("GET", "/a?b", "acme.example", "X-A", "v", uint8(1))
	f.Add("POST", "http://[::1]:80/p", "x", "Content-Length", "5", uint8(1))
	f.Add("CONNECT", "a.example:443", "a.example:443", "Transfer-Encoding", "chunked", uint8(1))
	f.Add("OPTIONS", "*", "10.0.0.1", "Connection", "close, upgrade", uint8(0))
	f.Fuzz(func(t *testing.T, method, target, host, name, value string, minor uint8) {
		raw := method + " " + target + " HTTP/1." + string(rune('0'+minor%2)) + "\r\nHost: " + host + "\r\n" +
			name + ": " + value + "\r\n\r\n"
		buf := []byte(raw)
		var r Request
		err := ParseRequest(buf, Limits{}, &r)
		checkRequestResult(t, buf, &r, err)
		if err == nil {
			checkAgainstNetHTTP(t, buf[:r.HeadLen], &r)
		}
	})
}
