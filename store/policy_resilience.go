package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ResiliencePolicy is the part of a tenant's effective policy for retries,
// the circuit breaker, per-tenant timeouts and the request body limit.
type ResiliencePolicy struct {
	// Retries is how many more backends an idempotent request whose body
	// was not sent may try after a connect error (0..5; default 1).
	Retries int
	// RetryTimeout bounds the time from the first attempt after which no
	// retry starts (default 3s).
	RetryTimeout time.Duration
	// ConnectTimeout bounds dialing a backend; 0 (the default) keeps the
	// server's upstream_dial_timeout.
	ConnectTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for the backend's response
	// header once the request is sent; 0 (the default) keeps the server's
	// upstream_response_header_timeout.
	ResponseHeaderTimeout time.Duration
	// RequestTimeout bounds the whole request, body and streaming included;
	// 0 (the default) is no limit.
	RequestTimeout time.Duration
	// MaxBody is the largest request body in bytes; 0 (the default) is no
	// limit.
	MaxBody int64

	Breaker            bool          // the tenant's circuit breaker is on (default off)
	BreakerErrorRatio  float64       // share of errors in the window that opens it (default 0.5)
	BreakerLatency     time.Duration // an answer slower than this counts as an error; 0 (default) = latency ignored
	BreakerWindow      time.Duration // the sliding window of outcomes (default 10s)
	BreakerMinRequests int           // requests in the window before it may open (default 20)
	BreakerCooldown    time.Duration // how long it stays open before half-open (default 5s)
	BreakerProbes      int           // requests let through half-open; all must succeed to close (default 3)
}

// Limits of the resilience keys.
const (
	MaxPolicyRetries = 5
	MaxPolicyBody    = 1 << 40 // 1T
)

func policyDurationKey(key, doc, def string, lo, hi time.Duration, f func(*EffectivePolicy) *time.Duration) PolicyKey {
	return PolicyKey{Key: key, Doc: doc, Default: def, parse: func(p *EffectivePolicy, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			return fmt.Errorf("must be a duration from %v to %v, got %q", lo, hi, v)
		}
		*f(p) = d
		return nil
	}}
}

// ParseByteSize parses a size in bytes with an optional K, M or G suffix
// (powers of 1024; a trailing B or iB is allowed): "0", "512K", "100M".
func ParseByteSize(v string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "IB"), "B")
	mult := int64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			s = s[:n-1]
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > MaxPolicyBody/mult {
		return 0, fmt.Errorf("must be a size from 0 (no limit) to 1T such as 512K, 10M or 1G, got %q", truncate(v))
	}
	return n * mult, nil
}

// resilienceKeys are the policy keys of ResiliencePolicy.
func resilienceKeys() []PolicyKey {
	return []PolicyKey{
		intKey("retries", "other backends an idempotent request (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) with an unsent body tries after a connect error; POST and PATCH never", "1", MaxPolicyRetries,
			func(p *EffectivePolicy) *int { return &p.Retries }),
		policyDurationKey("retry-timeout", "no retry starts this long after the first attempt began", "3s", 0, time.Minute,
			func(p *EffectivePolicy) *time.Duration { return &p.RetryTimeout }),
		policyDurationKey("connect-timeout", "time limit to connect to a backend; 0 keeps the server's upstream dial timeout", "0s", 0, time.Minute,
			func(p *EffectivePolicy) *time.Duration { return &p.ConnectTimeout }),
		policyDurationKey("response-header-timeout", "time limit for the backend's response header once the request is sent (504); 0 keeps the server's", "0s", 0, time.Hour,
			func(p *EffectivePolicy) *time.Duration { return &p.ResponseHeaderTimeout }),
		policyDurationKey("request-timeout", "time limit of the whole request (504 before the answer starts, a cut connection after); 0 is none", "0s", 0, 24*time.Hour,
			func(p *EffectivePolicy) *time.Duration { return &p.RequestTimeout }),
		{Key: "max-body", Doc: "largest request body (K, M, G suffixes, powers of 1024); larger gets 413; 0 is no limit", Default: "0",
			parse: func(p *EffectivePolicy, v string) error {
				n, err := ParseByteSize(v)
				p.MaxBody = n
				return err
			}},
		{Key: "breaker", Doc: "on turns the tenant's circuit breaker on: too many errors answer 503 at once for breaker-cooldown", Default: "off",
			parse: func(p *EffectivePolicy, v string) error {
				switch v {
				case "on", "true":
					p.Breaker = true
				case "off", "false":
					p.Breaker = false
				default:
					return fmt.Errorf("must be on or off, got %q", truncate(v))
				}
				return nil
			}},
		{Key: "breaker-error-ratio", Doc: "share of errors (5xx, unreachable backend, too slow) in the window that opens the breaker", Default: "0.5",
			parse: func(p *EffectivePolicy, v string) error {
				r, err := strconv.ParseFloat(v, 64)
				if err != nil || !(r > 0 && r <= 1) {
					return fmt.Errorf("must be a number above 0 and at most 1, got %q", truncate(v))
				}
				p.BreakerErrorRatio = r
				return nil
			}},
		policyDurationKey("breaker-latency", "an answer whose header takes longer than this counts as an error for the breaker; 0 ignores latency", "0s", 0, time.Hour,
			func(p *EffectivePolicy) *time.Duration { return &p.BreakerLatency }),
		policyDurationKey("breaker-window", "the sliding window of outcomes the breaker judges", "10s", time.Second, time.Hour,
			func(p *EffectivePolicy) *time.Duration { return &p.BreakerWindow }),
		intKey("breaker-min-requests", "requests in the window before the breaker may open", "20", 1e6,
			func(p *EffectivePolicy) *int { return &p.BreakerMinRequests }),
		policyDurationKey("breaker-cooldown", "how long the breaker stays open before it lets probes through (half-open)", "5s", 0, time.Hour,
			func(p *EffectivePolicy) *time.Duration { return &p.BreakerCooldown }),
		intKey("breaker-probes", "requests let through half-open; all succeeding close the breaker, one failing opens it again", "3", 1000,
			func(p *EffectivePolicy) *int { return &p.BreakerProbes }),
	}
}
