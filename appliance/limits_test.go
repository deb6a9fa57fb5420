package appliance

import (
	"net/http"
	"testing"
	"time"
)

// Ensure that header lines are counted per value, Host included, and that
// counting stops once past the limit.
func TestHeaderLines(t *testing.T) {
	h := http.Header{"A": {"1", "2"}, "B": {"3"}}
	if n := headerLines(h, 100); n != 4 {
		t.Fatalf("headerLines = %d, want 4 (three values and Host)", n)
	}
	if n := headerLines(h, 1); n <= 1 {
		t.Fatalf("headerLines over a limit of 1 = %d", n)
	}
	if n := headerLines(http.Header{}, 100); n != 1 {
		t.Fatalf("headerLines of no headers = %d, want 1", n)
	}
}

// Ensure that a body's deadline is its start plus body-read-timeout plus a
// second per body-min-rate bytes received, and that rate 0 gives each read
// body-read-timeout from now.
func TestTimedBodyDeadline(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		n, rate int64
		want    time.Duration
	}{
		{0, 500, 20 * time.Second},
		{500, 500, 21 * time.Second},
		{250, 500, 20*time.Second + 500*time.Millisecond},
		{10 << 30, 500, 20*time.Second + (10<<30)/500*time.Second + 480*time.Millisecond},
	} {
		b := &timedBody{d: 20 * time.Second, rate: c.rate, start: start, n: c.n}
		if got := b.deadline().Sub(start); got.Round(time.Millisecond) != c.want {
			t.Errorf("n=%d rate=%d: deadline start+%v, want start+%v", c.n, c.rate, got, c.want)
		}
	}
	b := &timedBody{d: 20 * time.Second}
	before := time.Now()
	if got := b.deadline().Sub(before); got < 20*time.Second || got > 21*time.Second || !b.start.IsZero() {
		t.Errorf("rate 0: deadline now+%v, want now+20s", got)
	}
}
