package store

import (
	"testing"
	"time"
)

func TestUsageCodec(t *testing.T) {
	// Ensure that a usage row survives its encoding, that the histogram is
	// stored sparsely (a quiet minute is a few bytes), and that damaged
	// values are refused rather than misread.
	cases := map[string]UsageRow{
		"empty": {},
		"quiet": {Requests: 1, BytesIn: 200, BytesOut: 3000},
		"full":  {Requests: 1 << 40, Errors: 7, BytesIn: 1 << 50, BytesOut: 99},
	}
	full := cases["full"]
	for i := range full.Latency.Counts {
		full.Latency.Counts[i] = uint64(i*i + 1)
	}
	cases["full"] = full
	quiet := cases["quiet"]
	quiet.Latency.Observe(3 * time.Millisecond)
	cases["quiet"] = quiet
	for name, r := range cases {
		v := appendUsage(nil, &r)
		got, err := decodeUsage(v)
		if err != nil || got != r {
			t.Errorf("%s: decoded %+v, %v; want %+v", name, got, err, r)
		}
		for cut := range len(v) {
			if _, err := decodeUsage(v[:cut]); err == nil && cut > 0 {
				t.Errorf("%s: a value cut to %d of %d bytes decoded", name, cut, len(v))
			}
		}
		if _, err := decodeUsage(append(v, 0)); err == nil {
			t.Errorf("%s: a value with a trailing byte decoded", name)
		}
	}
	if n := len(appendUsage(nil, &quiet)); n > 12 {
		t.Errorf("a quiet minute takes %d bytes, want at most 12", n)
	}
}

func TestUsageKeyOrder(t *testing.T) {
	// Ensure that a tenant's keys sort by span then start, and that one
	// tenant's prefix never covers another's ("a" and "ab").
	a := usageKey("a", SpanMinute, time.Unix(100, 0))
	b := usageKey("a", SpanMinute, time.Unix(1<<33, 0))
	if a >= b {
		t.Errorf("keys out of time order: %q >= %q", a, b)
	}
	if start, err := usageKeyStart(b); err != nil || start.Unix() != 1<<33 {
		t.Errorf("usageKeyStart = %v, %v", start, err)
	}
	if k := usageKey("ab", SpanMinute, time.Unix(100, 0)); len(k) >= len(usageTenantPrefix("a")) && k[:len(usageTenantPrefix("a"))] == usageTenantPrefix("a") {
		t.Errorf("tenant ab's key %q is under tenant a's prefix", k)
	}
}
