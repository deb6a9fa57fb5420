package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"

	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
)

// TraceRequest is a request to explain, not to send.
type TraceRequest struct {
	URL      string      // absolute http:// or https:// URL
	Method   string      // default GET
	Header   http.Header // as the client would send it
	ClientIP string      // the peer's address; default 127.0.0.1
}

// TraceStep is one step of the request path and what it would decide.
type TraceStep struct {
	Step    string // identify, tls, suspended, authenticate, a policy check, breaker, pick
	Verdict string // pass, off, refuse
	Status  int    // the answer foyer would give when Verdict is refuse
	Reason  string // why it refuses
	Detail  string // what it read
}

// TraceBackend is one backend of the pool as the balancer sees it now.
type TraceBackend struct {
	URL      string
	State    string // healthy, unhealthy, ejected, drained
	InFlight int64
	Weight   int
}

// TraceReport is what Trace found. Status is the answer foyer itself
// would give (0 when the request would be forwarded to Pick).
type TraceReport struct {
	Method, URL, Host, ClientIP string
	Tenant, Rule, Matched       string
	Steps                       []TraceStep
	Pool, Algorithm             string
	Backends                    []TraceBackend
	Pick, PickWhy               string
	Exact                       bool // Pick is the balancer's exact next choice
	Status                      int
	Reason                      string
}

// Trace verdicts.
const (
	TracePass   = "pass"
	TraceOff    = "off"
	TraceRefuse = "refuse"
)

// Trace explains how the handler would answer req now, without sending
// anything to a backend and without changing any state: no rate-limit
// token is taken, no concurrency slot held, no API key's last use
// recorded, no rotation counter advanced. Steps go on past the first
// refusal where that is still meaningful (every policy check is shown);
// Status and Reason are the first refusal's.
func (h *Handler) Trace(ctx context.Context, tr TraceRequest) (TraceReport, error) {
	r, err := traceHTTPRequest(ctx, tr)
	if err != nil {
		return TraceReport{}, err
	}
	rep := TraceReport{Method: r.Method, URL: tr.URL, ClientIP: clientIP(r.RemoteAddr)}
	rs := h.cur.Load()
	if rs == nil {
		rep.step(TraceStep{Step: "identify", Status: http.StatusServiceUnavailable, Reason: "foyer is starting; try again in a moment"})
		return rep, nil
	}
	if n, ok := route.NormalizeHost(r.Host); ok {
		rep.Host = n
	}
	m, ok := rs.table.Identify(r.Host, r.URL.Path, r.Header.Get)
	if !ok {
		rep.Rule = route.RuleNone.String()
		rep.step(TraceStep{Step: "identify", Status: http.StatusNotFound, Reason: "no site is configured for this host name",
			Detail: whyNoMatch(rs.table, r)})
		return rep, nil
	}
	tn := m.Tenant
	rep.Tenant, rep.Rule, rep.Matched = tn.Slug, m.Rule.String(), m.Name
	rep.step(TraceStep{Step: "identify", Detail: identDetail(m)})
	if r.TLS != nil {
		s := TraceStep{Step: "tls", Detail: "SNI " + r.TLS.ServerName + " names the same site"}
		if !sniMatches(rs.table, r.TLS.ServerName, m) {
			s.Status, s.Reason = http.StatusMisdirectedRequest, "the connection's SNI names another site"
		}
		rep.step(s)
	}
	if tn.Suspended() {
		rep.step(TraceStep{Step: "suspended", Status: http.StatusServiceUnavailable, Reason: "this site is suspended"})
		return rep, nil
	}
	if m.Rule.Proposed() {
		v := h.pol.TraceAuthenticate(tn.ID, r, route.BearerJWT(r.Header.Get("Authorization")))
		s := TraceStep{Step: "authenticate", Status: v.Status, Reason: v.Msg, Detail: "the " + m.Rule.String() + " rule only proposes the tenant"}
		if v.Key != "" {
			s.Detail = "API key " + v.Key
			dropAPIKey(r)
		} else if v.Status == 0 {
			s.Detail = "JWT verified with the tenant's key"
		}
		if rep.step(s); v.Status != 0 {
			return rep, nil // nothing after this runs for an unauthenticated request
		}
	}
	if m.Strip != "" {
		stripPrefix(r, m.Strip)
	}
	for _, p := range h.pol.Trace(tn.ID, r, *h.fwd.trusted.Load()) {
		s := TraceStep{Step: p.Check, Status: p.Status, Reason: p.Msg, Detail: p.Detail}
		if p.Off {
			s.Verdict = TraceOff
		}
		rep.step(s)
	}
	h.traceBreaker(&rep, tn)
	rs.tracePick(h, &rep, tn, r)
	return rep, nil
}

// step appends s, setting its verdict, and keeps the first refusal.
func (rep *TraceReport) step(s TraceStep) {
	switch {
	case s.Status != 0:
		s.Verdict = TraceRefuse
		if rep.Status == 0 {
			rep.Status, rep.Reason = s.Status, s.Reason
		}
	case s.Verdict == "":
		s.Verdict = TracePass
	}
	rep.Steps = append(rep.Steps, s)
}

// traceHTTPRequest builds the request the listeners would have received.
func traceHTTPRequest(ctx context.Context, tr TraceRequest) (*http.Request, error) {
	u, err := url.Parse(tr.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("trace: the URL must be absolute, http:// or https://, with a host")
	}
	method := tr.Method
	if method == "" {
		method = http.MethodGet
	}
	r, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	for k, vs := range tr.Header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	if hv := r.Header.Get("Host"); hv != "" {
		r.Host = hv
		r.Header.Del("Host")
	}
	ip := tr.ClientIP
	if ip == "" {
		ip = "127.0.0.1"
	}
	if net.ParseIP(ip) == nil {
		return nil, fmt.Errorf("trace: client IP %q is not an IP address", ip)
	}
	r.RemoteAddr = net.JoinHostPort(ip, "40000")
	if u.Scheme == "https" {
		r.TLS = &tls.ConnectionState{ServerName: u.Hostname()}
	}
	return r, nil
}

func identDetail(m route.Match) string {
	switch m.Rule {
	case route.RuleHost:
		return "custom domain " + m.Name
	case route.RuleSlug:
		return "slug host " + m.Name
	case route.RuleAlias:
		return "alias host " + m.Name
	case route.RulePath:
		if m.Strip != "" {
			return "id-path " + m.Name + " (stripped before forwarding)"
		}
		return "id-path " + m.Name + " (kept)"
	case route.RuleHeader:
		return route.TenantHeader + ": " + m.Name + " (proposed)"
	case route.RuleJWT:
		return "a bearer JWT's claim names " + m.Name + " (proposed)"
	}
	return ""
}

// whyNoMatch says why no rule matched.
func whyNoMatch(t *route.Table, r *http.Request) string {
	if !t.SharedHost(r.Host) {
		return "the host is no custom domain, and not <slug> or <alias> one label below the base domain"
	}
	if slug := r.Header.Get(route.TenantHeader); slug != "" {
		return "X-Tenant-ID " + strconv.Quote(slug) + " names no tenant with id-header on"
	}
	return "the bare base domain: no tenant's id-path, X-Tenant-ID or JWT claim matched"
}

// traceBreaker reports the tenant's circuit breaker without asking it
// for a ticket.
func (h *Handler) traceBreaker(rep *TraceReport, tn *route.Tenant) {
	b := h.brk.Get(tn.ID)
	if b == nil {
		rep.step(TraceStep{Step: "breaker", Verdict: TraceOff})
		return
	}
	st := b.State()
	s := TraceStep{Step: "breaker", Detail: st.State}
	if st.State == balance.BreakerOpen {
		s.Status, s.Reason = http.StatusServiceUnavailable, "this site's servers are failing; foyer is giving them a moment to recover"
	}
	rep.step(s)
}

// tracePick reports the tenant's default pool and the backend the
// balancer would pick now (balance.Peek: no counter moves).
func (rs *routes) tracePick(h *Handler, rep *TraceReport, tn *route.Tenant, r *http.Request) {
	rep.Pool = store.DefaultPool
	ps := rs.defaultPool(tn)
	if p := tn.Pool(store.DefaultPool); p != nil {
		rep.Algorithm = string(p.Algorithm)
	}
	if ps == nil {
		rep.step(TraceStep{Step: "pick", Status: http.StatusServiceUnavailable, Reason: "no backend is available for this site", Detail: "the tenant has no default pool"})
		return
	}
	for _, u := range ps.ups {
		st := u.State.Health().State
		if u.Drained {
			st = "drained"
		}
		rep.Backends = append(rep.Backends, TraceBackend{URL: u.URL.String(), State: st, InFlight: u.State.InFlight(), Weight: u.Weight})
	}
	up, why, exact := ps.peek(h, r)
	rep.Exact = exact
	if up == nil {
		rep.step(TraceStep{Step: "pick", Status: http.StatusServiceUnavailable, Reason: "no backend is available for this site", Detail: "every backend is unhealthy, ejected or drained"})
		return
	}
	rep.Pick, rep.PickWhy = up.URL.String(), why
	rep.step(TraceStep{Step: "pick", Detail: up.URL.String() + ": " + why})
}

// peek is pick without effects, with the reason for its choice.
func (ps *pool) peek(h *Handler, r *http.Request) (*balance.Upstream, string, bool) {
	if ps.sticky {
		if v, ok := cookie(r.Header, balance.StickyCookie); ok {
			if id, ok := h.stk.Check(ps.id, v); ok {
				for _, u := range ps.ups {
					if u.ID == id && u.Usable() {
						return u, "the sticky cookie pins it", true
					}
				}
			}
		}
	}
	up, exact := balance.Peek(ps.sel, ps.ups, ps.keyOf(r))
	var why string
	switch ps.sel.(type) {
	case *balance.RoundRobin:
		why = "next in the rotation among usable backends"
	case *balance.LeastConn:
		why = "fewest requests in flight per unit of weight (ties: next in turn)"
	case *balance.LeastLatency:
		why = "lower latency x load of two random choices; depends on the random choice (predicted for the very next request only)"
	case *balance.Ring:
		why = "consistent hash of " + ps.keyName() + "; depends on the request hash (this request's)"
	case balance.First:
		why = "first usable backend in order"
	}
	if ps.sticky {
		why += "; a sticky cookie would be set"
	}
	return up, why, exact
}

// keyName says what the pool's hash selector hashes.
func (ps *pool) keyName() string {
	switch ps.key {
	case keyHeader:
		return "header " + ps.hashKey + " (else the client IP)"
	case keyCookie:
		return "cookie " + ps.hashKey + " (else the client IP)"
	}
	return "the client IP"
}
