package store

import (
	"testing"
	"time"
)

// Ensure that the resilience keys resolve to their documented defaults and
// that sizes and bad values are parsed and refused as the docs say.
func TestResiliencePolicy(t *testing.T) {
	p, err := ResolvePolicy(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := ResiliencePolicy{Retries: 1, RetryTimeout: 3 * time.Second, BreakerErrorRatio: 0.5,
		BreakerWindow: 10 * time.Second, BreakerMinRequests: 20, BreakerCooldown: 5 * time.Second, BreakerProbes: 3}
	if p.ResiliencePolicy != want {
		t.Fatalf("defaults = %+v, want %+v", p.ResiliencePolicy, want)
	}
	p, err = ResolvePolicy(Policy{"max-body": "1M", "breaker": "on"}, Policy{"retries": "3", "request-timeout": "2s"})
	if err != nil {
		t.Fatal(err)
	}
	if p.MaxBody != 1<<20 || !p.Breaker || p.Retries != 3 || p.RequestTimeout != 2*time.Second {
		t.Fatalf("resolved %+v", p.ResiliencePolicy)
	}
	for _, c := range []struct {
		in   string
		want int64
	}{{"0", 0}, {"512", 512}, {"10k", 10 << 10}, {"100M", 100 << 20}, {"2GiB", 2 << 30}, {"1T", 1 << 40}} {
		if n, err := ParseByteSize(c.in); err != nil || n != c.want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", c.in, n, err, c.want)
		}
	}
	for _, bad := range []Policy{{"retries": "6"}, {"retries": "-1"}, {"max-body": "2T"}, {"max-body": "ten"},
		{"breaker": "maybe"}, {"breaker-error-ratio": "0"}, {"breaker-error-ratio": "1.5"}, {"breaker-window": "10ms"},
		{"connect-timeout": "-1s"}, {"breaker-probes": "x"}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("Validate(%v) = nil, want an error", bad)
		}
	}
}
