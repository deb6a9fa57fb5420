package h1

import (
	"errors"
	"fmt"
	"testing"
)

// Ensure that ParseResponse reports status, framing and NoBody: 1xx, 204,
// 304 and HEAD have no body whatever the headers say; Content-Length,
// chunked and read-until-close are told apart.
func TestParseResponseAccepts(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		head      bool
		// status|reason|minor|cl|chunked|close|nobody
		want string
	}{
		{"200 CL", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false, "200|OK|1|5|false|false|false"},
		{"200 chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, "200|OK|1|-1|true|false|false"},
		{"200 until close", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", false, "200|OK|1|-1|false|true|false"},
		{"200 until close no header", "HTTP/1.1 200 OK\r\n\r\n", false, "200|OK|1|-1|false|false|false"},
		{"HTTP/1.0 closes", "HTTP/1.0 200 OK\r\n\r\n", false, "200|OK|0|-1|false|true|false"},
		{"HTTP/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", false, "200|OK|0|0|false|false|false"},
		{"HEAD with CL", "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", true, "200|OK|1|500|false|false|true"},
		{"HEAD with chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true, "200|OK|1|-1|true|false|true"},
		{"100 continue", "HTTP/1.1 100 Continue\r\n\r\n", false, "100|Continue|1|-1|false|false|true"},
		{"103 early hints", "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n", false, "103|Early Hints|1|-1|false|false|true"},
		{"204", "HTTP/1.1 204 No Content\r\n\r\n", false, "204|No Content|1|-1|false|false|true"},
		{"304 with CL", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", false, "304|Not Modified|1|10|false|false|true"},
		{"empty reason", "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", false, "200||1|0|false|false|false"},
		{"no reason no SP", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false, "200||1|0|false|false|false"},
		{"reason with obs-text", "HTTP/1.1 404 Nicht gefunden \xe2\x9c\x97\r\n\r\n", false, "404|Nicht gefunden \xe2\x9c\x97|1|-1|false|false|false"},
		{"599", "HTTP/1.1 599 X\r\n\r\n", false, "599|X|1|-1|false|false|false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Response
			if err := ParseResponse([]byte(tc.raw+"body"), Limits{}, tc.head, &r); err != nil {
				t.Fatalf("ParseResponse(%q) = %v", tc.raw, err)
			}
			got := fmt.Sprintf("%d|%s|%d|%d|%v|%v|%v", r.Status, r.Reason, r.Minor, r.ContentLength, r.Chunked, r.Close, r.NoBody)
			if got != tc.want || r.HeadLen != len(tc.raw) {
				t.Fatalf("ParseResponse(%q)\n got %s HeadLen %d\nwant %s HeadLen %d", tc.raw, got, r.HeadLen, tc.want, len(tc.raw))
			}
		})
	}
}

// Ensure that a malformed or over-limit response head is a 502 refusal.
func TestParseResponseRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		lim       Limits
	}{
		{"lower-case version", "http/1.1 200 OK\r\n\r\n", Limits{}},
		{"HTTP/2", "HTTP/2.0 200 OK\r\n\r\n", Limits{}},
		{"HTTP/1.2", "HTTP/1.2 200 OK\r\n\r\n", Limits{}},
		{"two-digit status", "HTTP/1.1 20 OK\r\n\r\n", Limits{}},
		{"four-digit status", "HTTP/1.1 2000 OK\r\n\r\n", Limits{}},
		{"status below 100", "HTTP/1.1 099 X\r\n\r\n", Limits{}},
		{"letters in status", "HTTP/1.1 2x0 OK\r\n\r\n", Limits{}},
		{"no status", "HTTP/1.1\r\n\r\n", Limits{}},
		{"two spaces", "HTTP/1.1  200 OK\r\n\r\n", Limits{}},
		{"tab separator", "HTTP/1.1\t200 OK\r\n\r\n", Limits{}},
		{"bare LF status line", "HTTP/1.1 200 OK\n\r\n", Limits{}},
		{"bare LF header", "HTTP/1.1 200 OK\r\nA: b\n\r\n", Limits{}},
		{"control in reason", "HTTP/1.1 200 O\x00K\r\n\r\n", Limits{}},
		{"bare CR in reason", "HTTP/1.1 200 O\rK\r\n\r\n", Limits{}},
		{"CL with TE", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", Limits{}},
		{"duplicate CL", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", Limits{}},
		{"list CL", "HTTP/1.1 200 OK\r\nContent-Length: 3,3\r\n\r\n", Limits{}},
		{"gzip, chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Limits{}},
		{"TE in HTTP/1.0", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", Limits{}},
		{"obs-fold", "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", Limits{}},
		{"space before colon", "HTTP/1.1 200 OK\r\nA : b\r\n\r\n", Limits{}},
		{"NUL in value", "HTTP/1.1 200 OK\r\nA: \x00\r\n\r\n", Limits{}},
		{"head over", "HTTP/1.1 200 OK\r\nA: b\r\n\r\n", Limits{MaxHeadBytes: 24}},
		{"incomplete head over", "HTTP/1.1 200 OK\r\nA: bbbbbbbbbbbbbbbbbbbbbbb", Limits{MaxHeadBytes: 24}},
		{"incomplete status line over", "HTTP/1.1 200 OKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK", Limits{MaxHeadBytes: 24}},
		{"too many headers", "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n", Limits{MaxHeaders: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Response
			err := ParseResponse([]byte(tc.raw), tc.lim, false, &r)
			var e *Error
			if !errors.As(err, &e) || e.Status != 502 {
				t.Fatalf("ParseResponse(%q) = %v, want a 502 *Error", tc.raw, err)
			}
		})
	}
}

// Ensure that a response head cut at every byte is ErrIncomplete, then
// parses, and that a reused Response does not allocate.
func TestParseResponseIncomplete(t *testing.T) {
	raw := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n"
	var r Response
	for i := range len(raw) {
		if err := ParseResponse([]byte(raw[:i]), Limits{MaxHeadBytes: len(raw)}, false, &r); err != ErrIncomplete {
			t.Fatalf("ParseResponse(%q) = %v, want ErrIncomplete", raw[:i], err)
		}
	}
	buf := []byte(raw)
	if err := ParseResponse(buf, Limits{MaxHeadBytes: len(raw)}, false, &r); err != nil || r.ContentLength != 12 {
		t.Fatalf("whole head: %v, ContentLength %d", err, r.ContentLength)
	}
	if string(r.Get("content-type")) != "text/plain" || r.Get("X") != nil {
		t.Fatalf("Get: %q %q", r.Get("content-type"), r.Get("X"))
	}
	if n := testing.AllocsPerRun(100, func() { _ = ParseResponse(buf, Limits{}, false, &r) }); n != 0 {
		t.Fatalf("ParseResponse allocates %v times", n)
	}
}
