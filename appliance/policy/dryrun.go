package policy

import (
	"fmt"
	"net/http"
	"net/netip"
)

// Step is one policy check's verdict in a dry run (Trace).
type Step struct {
	Check  string // maintenance, redirect, ip, api-key, ip-rate, rate, concurrency
	Off    bool   // the tenant does not use this check
	Status int    // 0: it would pass; else the answer it would give
	Msg    string // why it would refuse
	Detail string // what it read: tokens left, slots held, the key's name
}

// Trace runs Check's checks for tenantID in order without any effect: no
// token is taken from a bucket, no concurrency slot is held, no per-IP
// bucket is created, and no API key's last use is recorded. Every check is
// reported, also after the first that would refuse (Check stops there).
// The rate checks read the buckets at the registry's clock.
func (r *Registry) Trace(tenantID uint64, req *http.Request, trusted []netip.Prefix) []Step {
	st := r.state(tenantID)
	if st == nil {
		return nil
	}
	c := st.cfg.Load()
	now := r.now()
	out := make([]Step, 0, 7)
	s := Step{Check: "maintenance", Off: !c.Maintenance}
	if c.Maintenance {
		s.Status, s.Msg = http.StatusServiceUnavailable, c.Message
	}
	out = append(out, s)
	s = Step{Check: "redirect", Off: !c.RedirectHTTPS}
	if c.RedirectHTTPS && !IsHTTPS(req, trusted) {
		s.Status, s.Msg = http.StatusMovedPermanently, "this site is served over HTTPS"
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			s.Status = http.StatusPermanentRedirect
		}
	}
	out = append(out, s)
	ip := ClientIP(req, trusted)
	s = Step{Check: "ip", Off: len(c.Allow) == 0 && len(c.Deny) == 0, Detail: "client " + ip.String()}
	if !s.Off && !ipAllowed(ip, c) {
		s.Status, s.Msg = http.StatusForbidden, "your address may not use this site"
	}
	out = append(out, s)
	s = Step{Check: "api-key", Off: c.APIKeys == KeysOff}
	if !s.Off {
		name, status, msg := st.checkKeyAt(c, req, now, false)
		s.Status, s.Msg = status, msg
		if name != "" {
			s.Detail = "key " + name
		}
	}
	out = append(out, s)
	s = Step{Check: "ip-rate", Off: c.IPRate <= 0}
	if !s.Off {
		tokens := float64(c.IPBurst) // an IP not seen yet starts with a full bucket
		if l, ok := st.ips.Peek(ip); ok {
			tokens = l.TokensAt(now)
		}
		s.Detail = fmt.Sprintf("%.1f of %d tokens for %s", tokens, c.IPBurst, ip)
		if tokens < 1 {
			s.Status, s.Msg = http.StatusTooManyRequests, "too many requests from your address; slow down"
		}
	}
	out = append(out, s)
	s = Step{Check: "rate", Off: c.Rate <= 0}
	if !s.Off {
		tokens := st.rate.Load().TokensAt(now)
		s.Detail = fmt.Sprintf("%.1f of %d tokens", tokens, c.Burst)
		if tokens < 1 {
			s.Status, s.Msg = http.StatusTooManyRequests, "too many requests to this site; slow down"
		}
	}
	out = append(out, s)
	return append(out, st.slots.trace(c))
}

// trace is the concurrency check's dry run.
func (s *slots) trace(c *compiled) Step {
	st := Step{Check: "concurrency", Off: c.MaxInFlight <= 0}
	if st.Off {
		return st
	}
	running, queued := s.counts()
	st.Detail = fmt.Sprintf("%d of %d in flight, %d of %d queued", running, c.MaxInFlight, queued, c.Queue)
	switch {
	case running < c.MaxInFlight:
	case queued < c.Queue && c.QueueTimeout > 0:
		st.Detail += fmt.Sprintf("; it would wait up to %s for a slot", c.QueueTimeout)
	default:
		st.Status, st.Msg = http.StatusServiceUnavailable, "this site is busy; try again in a moment"
	}
	return st
}

// TraceAuthenticate is Authenticate without effect: the JWT cache is
// neither read nor filled and no API key's last use is recorded.
func (r *Registry) TraceAuthenticate(tenantID uint64, req *http.Request, bearerJWT string) Verdict {
	return r.authenticate(tenantID, req, nil, bearerJWT, false)
}
