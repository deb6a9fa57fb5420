package h1

import (
	"bufio"
	"bytes"
	"net/http"
	"testing"
)

// h1 is stricter than net/http's http.ReadRequest. These shapes are
// refused by h1 and accepted by ReadRequest (TestStricterThanNetHTTP
// checks each one still is):
//
//   - Content-Length together with Transfer-Encoding (net/http drops the
//     Content-Length and reads the chunked body);
//   - duplicate equal Content-Length lines;
//   - Transfer-Encoding in HTTP/1.0 (net/http ignores it);
//   - bare LF line ends (textproto accepts them);
//   - obs-fold (textproto joins the lines) and whitespace between a field
//     name and its colon;
//   - a missing Host in HTTP/1.1, an empty or invalid Host (ReadRequest
//     leaves these to the server);
//   - a request target with '#', or a CONNECT without a port, or an
//     origin-form target for CONNECT, or "*" for another method than OPTIONS,
//     or an authority-form target for another method than CONNECT;
//   - a userinfo ("user@") in an absolute-form target;
//   - HTTP versions other than 1.0 and 1.1 (505 rather than parsed);
//   - a Host or absolute-form port longer than 5 digits or empty.
//
// Both refuse the shapes in bothRefuse: more than one Host, control
// characters in values or the target, invalid tokens, signed, list-valued
// or non-numeric Content-Length, transfer codings other than one chunked,
// extra spaces in the request line, bad percent-encoding in the path.
var stricterThanNetHTTP = []string{
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
	"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
	"GET / HTTP/1.1\nHost: a\n\n",
	"GET / HTTP/1.1\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
	"GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n",
	"CONNECT a HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET * HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a:\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\n",
}

// bothRefuse are shapes h1 and http.ReadRequest both refuse.
var bothRefuse = []string{
	"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX: b\x00c\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX: b\rc\r\n\r\n",
	"GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n",
	"G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
	"GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
	"GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n",
}

// checkAgainstNetHTTP checks a head that h1 accepted (parsed into r)
// against http.ReadRequest: it must accept it too and agree on method,
// target, host, content length, chunked and close.
func checkAgainstNetHTTP(t *testing.T, head []byte, r *Request) {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(head)))
	if err != nil {
		t.Fatalf("h1 accepts what http.ReadRequest refuses (%v): %q", err, head)
	}
	wantCL := r.ContentLength
	if wantCL < 0 && !r.Chunked {
		wantCL = 0 // net/http: a request without a body has length 0
	}
	chunked := len(req.TransferEncoding) == 1 && req.TransferEncoding[0] == "chunked"
	if req.Method != string(r.Method) || req.RequestURI != string(r.Target) || req.Host != string(r.Host) ||
		req.ContentLength != wantCL || chunked != r.Chunked || req.Close != r.Close {
		t.Fatalf("h1 and net/http disagree on %q:\n h1:       %s %s host %q length %d chunked %v close %v\n net/http: %s %s host %q length %d chunked %v close %v",
			head, r.Method, r.Target, r.Host, r.ContentLength, r.Chunked, r.Close,
			req.Method, req.RequestURI, req.Host, req.ContentLength, chunked, req.Close)
	}
}

// checkResponseAgainstNetHTTP checks a response head that h1 accepted:
// http.ReadResponse must accept it too, with the same status.
func checkResponseAgainstNetHTTP(t *testing.T, head []byte, r *Response) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(head)), nil)
	if err != nil {
		t.Fatalf("h1 accepts a response http.ReadResponse refuses (%v): %q", err, head)
	}
	if resp.StatusCode != r.Status {
		t.Fatalf("status of %q: h1 %d, net/http %d", head, r.Status, resp.StatusCode)
	}
}

// Ensure that every request head in the tables that h1 accepts is
// accepted by http.ReadRequest too, with the same meaning, and every
// response head likewise by http.ReadResponse.
func TestNeverLaxerThanNetHTTP(t *testing.T) {
	var heads []string
	for _, tc := range requestAccepts {
		heads = append(heads, tc.raw)
	}
	for _, tc := range requestRefusals {
		heads = append(heads, tc.raw)
	}
	heads = append(heads, browserGET)
	accepted := 0
	for _, h := range heads {
		var r Request
		if ParseRequest([]byte(h), Limits{}, &r) == nil {
			checkAgainstNetHTTP(t, []byte(h)[:r.HeadLen], &r)
			accepted++
		}
	}
	if accepted != len(requestAccepts)+1 {
		t.Fatalf("%d heads accepted, want %d", accepted, len(requestAccepts)+1)
	}
	for _, s := range responseSeeds {
		var r Response
		if ParseResponse([]byte(s), Limits{}, false, &r) == nil {
			checkResponseAgainstNetHTTP(t, []byte(s)[:r.HeadLen], &r)
		}
	}
}

// Ensure that the shapes listed as "h1 is stricter" are still accepted by
// http.ReadRequest and refused by h1, so the list stays true.
func TestStricterThanNetHTTP(t *testing.T) {
	for _, h := range bothRefuse {
		var r Request
		if err := ParseRequest([]byte(h), Limits{}, &r); err == nil {
			t.Errorf("h1 accepts %q", h)
		}
		if _, err := http.ReadRequest(bufio.NewReader(bytes.NewReader([]byte(h)))); err == nil {
			t.Errorf("net/http accepts %q: move it to stricterThanNetHTTP", h)
		}
	}
	for _, h := range stricterThanNetHTTP {
		var r Request
		if err := ParseRequest([]byte(h), Limits{}, &r); err == nil {
			t.Errorf("h1 accepts %q", h)
		}
		if _, err := http.ReadRequest(bufio.NewReader(bytes.NewReader([]byte(h)))); err != nil {
			t.Errorf("net/http refuses %q (%v): drop it from the list", h, err)
		}
	}
}
