package h1

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// requestRefusals are heads ParseRequest must refuse, with the status.
var requestRefusals = []struct {
	name, raw string
	status    int
}{
	{"CL with TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
	{"TE with CL", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400},
	{"duplicate CL equal", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 400},
	{"duplicate CL differing", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ncontent-length: 6\r\n\r\n", 400},
	{"list CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400},
	{"non-numeric CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", 400},
	{"hex CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n", 400},
	{"signed CL +", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400},
	{"signed CL -", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n", 400},
	{"empty CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400},
	{"CL inner space", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\n", 400},
	{"overflowing CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n", 400},
	{"huge CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400},
	{"TE gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400},
	{"TE chunked, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400},
	{"TE identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", 400},
	{"TE two lines", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
	{"TE unknown", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: foo\r\n\r\n", 501},
	{"TE unknown in list", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: foo, chunked\r\n\r\n", 501},
	{"TE empty", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", 400},
	{"TE chunked with junk", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;x\r\n\r\n", 501},
	{"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
	{"obs-fold SP", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400},
	{"obs-fold HTAB", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n", 400},
	{"space before colon", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\n", 400},
	{"tab before colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400},
	{"empty name", "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400},
	{"no colon", "GET / HTTP/1.1\r\nHost: a\r\nX-A\r\n\r\n", 400},
	{"bad name char", "GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n", 400},
	{"non-ASCII name", "GET / HTTP/1.1\r\nHost: a\r\nX\xc3\xa9: b\r\n\r\n", 400},
	{"bad method char", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"bare LF request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400},
	{"bare LF header", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", 400},
	{"bare LF end", "GET / HTTP/1.1\r\nHost: a\r\n\n", 400},
	{"bare LF only", "\n", 400},
	{"bare CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX: b\rc\r\n\r\n", 400},
	{"bare CR in name", "GET / HTTP/1.1\r\nHost: a\r\nX\r: b\r\n\r\n", 400},
	{"bare CR in target", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"CR CR LF", "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", 400},
	{"NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: b\x00c\r\n\r\n", 400},
	{"DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: b\x7fc\r\n\r\n", 400},
	{"ESC in value", "GET / HTTP/1.1\r\nHost: a\r\nX: \x1b[31m\r\n\r\n", 400},
	{"NUL in target", "GET /a\x00b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"TAB in target", "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"fragment in target", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"bad percent in path", "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"short percent in path", "GET /a% HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"missing Host", "GET / HTTP/1.1\r\nX: b\r\n\r\n", 400},
	{"missing Host absolute-form", "GET http://a/ HTTP/1.1\r\n\r\n", 400},
	{"two Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400},
	{"empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400},
	{"Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
	{"Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400},
	{"Host with path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400},
	{"Host bad port", "GET / HTTP/1.1\r\nHost: a:x\r\n\r\n", 400},
	{"Host empty port", "GET / HTTP/1.1\r\nHost: a:\r\n\r\n", 400},
	{"Host long port", "GET / HTTP/1.1\r\nHost: a:123456\r\n\r\n", 400},
	{"Host two ports", "GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n", 400},
	{"Host bad IPv6", "GET / HTTP/1.1\r\nHost: [::g]\r\n\r\n", 400},
	{"Host unclosed IPv6", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400},
	{"Host IPv6 zone", "GET / HTTP/1.1\r\nHost: [fe80::1%25eth0]\r\n\r\n", 400},
	{"Host percent", "GET / HTTP/1.1\r\nHost: a%41\r\n\r\n", 400},
	{"absolute-form bad host", "GET http://a b/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"absolute-form userinfo", "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"absolute-form empty host", "GET http:/// HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"absolute-form ftp", "GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"star for GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"authority-form for GET", "GET a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"CONNECT origin-form", "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"CONNECT without port", "CONNECT a HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"two spaces after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"two spaces after target", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400},
	{"leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"tab separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
	{"no version", "GET /\r\nHost: a\r\n\r\n", 400},
	{"HTTP/0.9 style", "GET\r\n\r\n", 400},
	{"lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400},
	{"version junk", "GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400},
	{"long version", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400},
	{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
	{"HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505},
	{"HTTP/0.9", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505},
	{"empty line first", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
}

// Ensure that ParseRequest refuses every shape the contract lists, with
// the right status, and that a refusal allocates nothing.
func TestParseRequestRefusals(t *testing.T) {
	for _, tc := range requestRefusals {
		t.Run(tc.name, func(t *testing.T) {
			var r Request
			err := ParseRequest([]byte(tc.raw), Limits{}, &r)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseRequest(%q) = %v, want *Error %d", tc.raw, err, tc.status)
			}
			if e.Status != tc.status {
				t.Fatalf("ParseRequest(%q) status %d (%s), want %d", tc.raw, e.Status, e.Reason, tc.status)
			}
			buf := []byte(tc.raw)
			if n := testing.AllocsPerRun(10, func() { _ = ParseRequest(buf, Limits{}, &r) }); n != 0 {
				t.Fatalf("refusal allocates %v times", n)
			}
		})
	}
}

// want is the expected outcome of an accepted request.
type want struct {
	method, target, path, query, host string
	noQuery                           bool
	minor                             int
	cl                                int64
	chunked, close, upgrade, expect   bool
}

// requestAccepts are heads ParseRequest must accept, with what it reports.
var requestAccepts = []struct {
	name, raw string
	w         want
}{
	{"simple GET", "GET /a/b?c=d&e HTTP/1.1\r\nHost: example.com\r\n\r\n",
		want{method: "GET", target: "/a/b?c=d&e", path: "/a/b", query: "c=d&e", host: "example.com", minor: 1, cl: -1}},
	{"no query", "GET /x HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
		want{method: "GET", target: "/x", path: "/x", noQuery: true, host: "example.com:8080", minor: 1, cl: -1}},
	{"empty query", "GET /x? HTTP/1.1\r\nHost: a\r\n\r\n",
		want{method: "GET", target: "/x?", path: "/x", query: "", host: "a", minor: 1, cl: -1}},
	{"percent path", "GET /a%20b%2F HTTP/1.1\r\nHost: a\r\n\r\n",
		want{method: "GET", target: "/a%20b%2F", path: "/a%20b%2F", noQuery: true, host: "a", minor: 1, cl: -1}},
	{"POST CL", "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 0042\r\n\r\n",
		want{method: "POST", target: "/p", path: "/p", noQuery: true, host: "a", minor: 1, cl: 42}},
	{"POST chunked any case", "POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ChUnKeD\r\n\r\n",
		want{method: "POST", target: "/p", path: "/p", noQuery: true, host: "a", minor: 1, cl: -1, chunked: true}},
	{"absolute-form host wins", "GET http://Real.Example:81/p?q HTTP/1.1\r\nHost: other.example\r\n\r\n",
		want{method: "GET", target: "http://Real.Example:81/p?q", path: "/p", query: "q", host: "Real.Example:81", minor: 1, cl: -1}},
	{"absolute-form https no path", "GET HTTPS://a.example HTTP/1.1\r\nHost: a.example\r\n\r\n",
		want{method: "GET", target: "HTTPS://a.example", path: "/", noQuery: true, host: "a.example", minor: 1, cl: -1}},
	{"absolute-form query no path", "GET http://a.example?x=1 HTTP/1.1\r\nHost: a.example\r\n\r\n",
		want{method: "GET", target: "http://a.example?x=1", path: "/", query: "x=1", host: "a.example", minor: 1, cl: -1}},
	{"OPTIONS star", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
		want{method: "OPTIONS", target: "*", path: "*", noQuery: true, host: "a", minor: 1, cl: -1}},
	{"CONNECT authority", "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
		want{method: "CONNECT", target: "a.example:443", noQuery: true, host: "a.example:443", minor: 1, cl: -1}},
	{"CONNECT IPv6", "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n",
		want{method: "CONNECT", target: "[::1]:443", noQuery: true, host: "[::1]:443", minor: 1, cl: -1}},
	{"HTTP/1.0 closes", "GET / HTTP/1.0\r\n\r\n",
		want{method: "GET", target: "/", path: "/", noQuery: true, minor: 0, cl: -1, close: true}},
	{"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\nHost: a\r\n\r\n",
		want{method: "GET", target: "/", path: "/", noQuery: true, host: "a", minor: 0, cl: -1}},
	{"HTTP/1.0 keep-alive in list", "GET / HTTP/1.0\r\nConnection: foo , keep-alive\r\n\r\n",
		want{method: "GET", target: "/", path: "/", noQuery: true, minor: 0, cl: -1}},
	{"HTTP/1.1 close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
		want{method: "GET", target: "/", path: "/", noQuery: true, host: "a", minor: 1, cl: -1, close: true}},
	{"close wins over keep-alive", "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nConnection: CLOSE\r\n\r\n",
		want{method: "GET", target: "/", path: "/", noQuery: true, host: "a", minor: 1, cl: -1, close: true}},
	{"upgrade header", "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
		want{method: "GET", target: "/ws", path: "/ws", noQuery: true, host: "a", minor: 1, cl: -1, upgrade: true}},
	{"connection upgrade only", "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, upgrade\r\n\r\n",
		want{method: "GET", target: "/", path: "/", noQuery: true, host: "a", minor: 1, cl: -1, upgrade: true}},
	{"expect", "PUT /u HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
		want{method: "PUT", target: "/u", path: "/u", noQuery: true, host: "a", minor: 1, cl: 3, expect: true}},
	{"IPv4 host", "GET / HTTP/1.1\r\nHost: 10.0.0.1:80\r\n\r\n",
		want{method: "GET", target: "/", path: "/", noQuery: true, host: "10.0.0.1:80", minor: 1, cl: -1}},
	{"IPv6 host", "GET / HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n",
		want{method: "GET", target: "/", path: "/", noQuery: true, host: "[2001:db8::1]:8443", minor: 1, cl: -1}},
	{"IPv6 v4 tail", "GET / HTTP/1.1\r\nHost: [::ffff:10.0.0.1]\r\n\r\n",
		want{method: "GET", target: "/", path: "/", noQuery: true, host: "[::ffff:10.0.0.1]", minor: 1, cl: -1}},
	{"trimmed host", "GET / HTTP/1.1\r\nHost: \t a.example \t\r\n\r\n",
		want{method: "GET", target: "/", path: "/", noQuery: true, host: "a.example", minor: 1, cl: -1}},
	{"extension method", "PURGE /c HTTP/1.1\r\nHost: a\r\n\r\n",
		want{method: "PURGE", target: "/c", path: "/c", noQuery: true, host: "a", minor: 1, cl: -1}},
	{"CL zero", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
		want{method: "POST", target: "/", path: "/", noQuery: true, host: "a", minor: 1, cl: 0}},
	{"CL max", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n",
		want{method: "POST", target: "/", path: "/", noQuery: true, host: "a", minor: 1, cl: 9223372036854775807}},
	{"obs-text in value", "GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\xc3\xa9\r\n\r\n",
		want{method: "GET", target: "/", path: "/", noQuery: true, host: "a", minor: 1, cl: -1}},
}

// Ensure that ParseRequest accepts the valid variants and reports what
// they say: targets, host (absolute-form wins), framing and connection.
func TestParseRequestAccepts(t *testing.T) {
	for _, tc := range requestAccepts {
		t.Run(tc.name, func(t *testing.T) {
			var r Request
			raw := []byte(tc.raw + "BODY")
			if err := ParseRequest(raw, Limits{}, &r); err != nil {
				t.Fatalf("ParseRequest(%q) = %v", tc.raw, err)
			}
			w := tc.w
			got := fmt.Sprintf("%s|%s|%s|%s|%v|%s|%d|%d|%v|%v|%v|%v|%d",
				r.Method, r.Target, r.Path, r.Query, r.Query == nil, r.Host, r.Minor,
				r.ContentLength, r.Chunked, r.Close, r.Upgrade, r.Expect, r.HeadLen)
			exp := fmt.Sprintf("%s|%s|%s|%s|%v|%s|%d|%d|%v|%v|%v|%v|%d",
				w.method, w.target, w.path, w.query, w.noQuery, w.host, w.minor,
				w.cl, w.chunked, w.close, w.upgrade, w.expect, len(tc.raw))
			if got != exp {
				t.Fatalf("ParseRequest(%q)\n got %s\nwant %s", tc.raw, got, exp)
			}
		})
	}
}

// Ensure that values are trimmed, names keep their case, header order is
// kept, many headers are fine, and Get finds the first value ignoring case.
func TestParseRequestFields(t *testing.T) {
	var b strings.Builder
	b.WriteString("GET / HTTP/1.1\r\nhOsT: a\r\nX-Empty:\r\nX-Trim: \t v  w \t\r\nx-dup: 1\r\nX-Dup: 2\r\n")
	for i := range 200 {
		fmt.Fprintf(&b, "X-H%d: %d\r\n", i, i)
	}
	b.WriteString("\r\n")
	var r Request
	if err := ParseRequest([]byte(b.String()), Limits{}, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Fields) != 205 {
		t.Fatalf("%d fields, want 205", len(r.Fields))
	}
	for i, f := range r.Fields[5:] {
		if string(f.Name) != fmt.Sprintf("X-H%d", i) || string(f.Value) != fmt.Sprint(i) {
			t.Fatalf("field %d = %s: %s", i+5, f.Name, f.Value)
		}
	}
	if string(r.Fields[0].Name) != "hOsT" {
		t.Fatalf("name case lost: %s", r.Fields[0].Name)
	}
	for name, want := range map[string]string{"x-trim": "v  w", "X-DUP": "1", "Host": "a", "x-h199": "199"} {
		if got := r.Get(name); string(got) != want {
			t.Errorf("Get(%q) = %q, want %q", name, got, want)
		}
	}
	if v := r.Get("X-Empty"); v == nil || len(v) != 0 {
		t.Errorf("Get(X-Empty) = %#v, want empty non-nil", v)
	}
	if v := r.Get("X-Absent"); v != nil {
		t.Errorf("Get(X-Absent) = %q, want nil", v)
	}
	if n := testing.AllocsPerRun(100, func() { _ = r.Get("X-H199") }); n != 0 {
		t.Errorf("Get allocates %v times", n)
	}
}

// Ensure that every valid head cut at every byte returns ErrIncomplete
// and then parses once whole, with and without limits that it just fits.
func TestParseRequestIncomplete(t *testing.T) {
	raws := []string{browserGET, "POST http://a.example/up?x=1 HTTP/1.1\r\nHost: b\r\nContent-Length: 3\r\nX: y\r\n\r\n"}
	for _, tc := range requestAccepts {
		raws = append(raws, tc.raw)
	}
	for _, raw := range raws {
		var r Request
		if err := ParseRequest([]byte(raw), Limits{}, &r); err != nil {
			t.Fatalf("ParseRequest(%q) = %v", raw, err)
		}
		want := checkRequestResult(t, []byte(raw), &r, nil)
		exact := Limits{MaxHeadBytes: len(raw), MaxHeaders: len(r.Fields), MaxURIBytes: len(r.Target)}
		for _, lim := range []Limits{{}, exact} {
			for i := range len(raw) {
				if err := ParseRequest([]byte(raw[:i]), lim, &r); err != ErrIncomplete {
					t.Fatalf("limits %+v: ParseRequest(%q) = %v, want ErrIncomplete", lim, raw[:i], err)
				}
			}
			err := ParseRequest([]byte(raw), lim, &r)
			if got := checkRequestResult(t, []byte(raw), &r, err); got != want {
				t.Fatalf("limits %+v: whole head %q:\n got %s\nwant %s", lim, raw, got, want)
			}
		}
	}
}

// Ensure that the limits refuse with 414 before 431, count exactly, and
// refuse an incomplete head as soon as what was seen is over a limit.
func TestParseRequestLimits(t *testing.T) {
	raw := "GET /0123456789 HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n" // 43 bytes, target 11, 2 headers
	for _, tc := range []struct {
		name   string
		raw    string
		lim    Limits
		status int // 0: accepted; -1: ErrIncomplete
	}{
		{"all at the limit", raw, Limits{MaxHeadBytes: len(raw), MaxHeaders: 2, MaxURIBytes: 11}, 0},
		{"URI over", raw, Limits{MaxURIBytes: 10}, 414},
		{"head over", raw, Limits{MaxHeadBytes: len(raw) - 1}, 431},
		{"headers over", raw, Limits{MaxHeaders: 1}, 431},
		{"414 before 431", raw, Limits{MaxHeadBytes: 10, MaxHeaders: 1, MaxURIBytes: 10}, 414},
		{"431 when URI fits", raw, Limits{MaxHeadBytes: 10, MaxURIBytes: 11}, 431},
		{"incomplete URI over", "GET /0123456789", Limits{MaxURIBytes: 10}, 414},
		{"incomplete URI fits", "GET /012345678", Limits{MaxURIBytes: 10}, -1},
		{"incomplete line over head", "GET /0123456789", Limits{MaxHeadBytes: 14}, 431},
		{"incomplete headers over head", "GET / HTTP/1.1\r\nHost: a\r\nX: 12345", Limits{MaxHeadBytes: 32}, 431},
		{"incomplete headers fit head", "GET / HTTP/1.1\r\nHost: a\r\nX: 12345", Limits{MaxHeadBytes: 33}, -1},
		{"incomplete too many headers", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n", Limits{MaxHeaders: 2}, 431},
		{"incomplete line over URI and head", "GET /" + strings.Repeat("a", 100), Limits{MaxHeadBytes: 20, MaxURIBytes: 50}, 414},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Request
			err := ParseRequest([]byte(tc.raw), tc.lim, &r)
			switch tc.status {
			case 0:
				if err != nil {
					t.Fatalf("ParseRequest = %v, want nil", err)
				}
			case -1:
				if err != ErrIncomplete {
					t.Fatalf("ParseRequest = %v, want ErrIncomplete", err)
				}
			default:
				var e *Error
				if !errors.As(err, &e) || e.Status != tc.status {
					t.Fatalf("ParseRequest = %v, want status %d", err, tc.status)
				}
			}
		})
	}
}

// Ensure that a Request reused across parses stops allocating and that
// Reset clears everything but the capacity of Fields.
func TestParseRequestReuse(t *testing.T) {
	a := []byte("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nConnection: close\r\n\r\n")
	b := []byte("GET /b HTTP/1.1\r\nHost: b\r\n\r\n")
	var r Request
	if err := ParseRequest(a, Limits{}, &r); err != nil {
		t.Fatal(err)
	}
	if err := ParseRequest(b, Limits{}, &r); err != nil {
		t.Fatal(err)
	}
	if r.ContentLength != -1 || r.Close || len(r.Fields) != 1 || string(r.Host) != "b" {
		t.Fatalf("state leaked across parses: %+v", r)
	}
	if n := testing.AllocsPerRun(100, func() { _ = ParseRequest(a, Limits{}, &r) }); n != 0 {
		t.Fatalf("ParseRequest allocates %v times", n)
	}
}

// Ensure that pipelined requests parse one after another from HeadLen.
func TestParseRequestPipelined(t *testing.T) {
	buf := []byte("POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /2 HTTP/1.1\r\nHost: a\r\n\r\n")
	var r Request
	if err := ParseRequest(buf, Limits{}, &r); err != nil {
		t.Fatal(err)
	}
	next := buf[r.HeadLen+int(r.ContentLength):]
	if err := ParseRequest(next, Limits{}, &r); err != nil || string(r.Path) != "/2" || r.HeadLen != len(next) {
		t.Fatalf("second request: %v %q %d", err, r.Path, r.HeadLen)
	}
}
