package policy

import (
	"crypto/sha256"
	"crypto/subtle"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Verdict is what Check decided. Status 0 means the request goes on
// (release Slot when it ends); otherwise answer with Status and Msg (Check
// has set the answer's extra headers: Location, Retry-After, RateLimit-*,
// WWW-Authenticate).
type Verdict struct {
	Status int
	Msg    string
	Slot   *Slot
	Key    string // the name of the API key the request carried, if any
}

// Check holds one request of tenant tenantID to its policy, in order:
// maintenance, HTTPS redirect, IP rules, API key, per-IP rate, tenant
// rate, concurrency. trusted are the peers whose X-Forwarded-For (and
// X-Forwarded-Proto) are believed. h is the answer's header.
func (r *Registry) Check(tenantID uint64, req *http.Request, h http.Header, trusted []netip.Prefix) Verdict {
	st := r.state(tenantID)
	if st == nil {
		return Verdict{}
	}
	c := st.cfg.Load()
	if c.Maintenance {
		h.Set("Retry-After", "60")
		return Verdict{Status: http.StatusServiceUnavailable, Msg: c.Message}
	}
	if c.RedirectHTTPS && !IsHTTPS(req, trusted) {
		h.Set("Location", "https://"+hostOnly(req.Host)+req.URL.RequestURI())
		code := http.StatusPermanentRedirect
		if req.Method == http.MethodGet || req.Method == http.MethodHead {
			code = http.StatusMovedPermanently
		}
		return Verdict{Status: code, Msg: "this site is served over HTTPS"}
	}
	var ip netip.Addr
	if len(c.Allow) > 0 || len(c.Deny) > 0 || c.IPRate > 0 {
		ip = ClientIP(req, trusted)
		if !ipAllowed(ip, c) {
			return Verdict{Status: http.StatusForbidden, Msg: "your address may not use this site"}
		}
	}
	var v Verdict
	now := r.now()
	if c.APIKeys != KeysOff {
		name, status, msg := st.checkKey(c, req, now)
		if status != 0 {
			auth := `Bearer realm="foyer"`
			if msg != msgNoKey {
				auth += `, error="invalid_token"`
			}
			h.Set("WWW-Authenticate", auth)
			return Verdict{Status: status, Msg: msg}
		}
		v.Key = name
	}
	if c.IPRate > 0 {
		l := st.ipLimiter(ip, c)
		if !l.AllowN(now, 1) {
			limited(h, float64(l.Limit()), l.Burst(), l.TokensAt(now))
			return Verdict{Status: http.StatusTooManyRequests, Msg: "too many requests from your address; slow down"}
		}
	}
	if l := st.rate.Load(); c.Rate > 0 && !l.AllowN(now, 1) {
		limited(h, c.Rate, c.Burst, l.TokensAt(now))
		return Verdict{Status: http.StatusTooManyRequests, Msg: "too many requests to this site; slow down"}
	}
	if c.MaxInFlight > 0 {
		slot, ok := st.slots.acquire(req.Context(), c.QueueTimeout, r.after)
		if !ok {
			h.Set("Retry-After", "1")
			return Verdict{Status: http.StatusServiceUnavailable, Msg: "this site is busy; try again in a moment"}
		}
		v.Slot = slot
	}
	return v
}

// limited sets the headers of a 429: when a token is next available, and
// the bucket's size.
func limited(h http.Header, limit float64, burst int, tokens float64) {
	wait := 1.0
	if limit > 0 {
		wait = math.Max(1, math.Ceil((1-tokens)/limit))
	}
	secs := strconv.Itoa(int(wait))
	h.Set("Retry-After", secs)
	h.Set("RateLimit-Limit", strconv.Itoa(burst))
	h.Set("RateLimit-Remaining", "0")
	h.Set("RateLimit-Reset", secs)
}

func ipAllowed(ip netip.Addr, c *compiled) bool {
	for _, p := range c.Deny {
		if p.Contains(ip) {
			return false
		}
	}
	if len(c.Allow) == 0 {
		return true
	}
	for _, p := range c.Allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

const (
	msgNoKey   = "this site needs an API key: send it as Authorization: Bearer <key> or X-API-Key"
	msgBadKey  = "the API key is not valid for this site"
	msgExpired = "the API key has expired"
)

// checkKey finds and verifies the request's API key. A key is looked up by
// its public ID, then its SHA-256 compared in constant time.
func (st *state) checkKey(c *compiled, req *http.Request, now time.Time) (name string, status int, msg string) {
	return st.checkKeyAt(c, req, now, true)
}

// checkKeyAt is checkKey; when live is false (trace) the key's last use
// is not recorded.
func (st *state) checkKeyAt(c *compiled, req *http.Request, now time.Time, live bool) (name string, status int, msg string) {
	tok := token(req)
	if tok == "" {
		if c.APIKeys == KeysRequired {
			return "", http.StatusUnauthorized, msgNoKey
		}
		return "", 0, ""
	}
	id, ok := keyID(tok)
	k, found := c.Keys[id]
	if !ok || !found {
		return "", http.StatusUnauthorized, msgBadKey
	}
	var buf [128]byte
	if len(tok) > len(buf) {
		return "", http.StatusUnauthorized, msgBadKey
	}
	sum := sha256.Sum256(buf[:copy(buf[:], tok)])
	if subtle.ConstantTimeCompare(sum[:], k.Hash[:]) != 1 {
		return "", http.StatusUnauthorized, msgBadKey
	}
	if !k.Expires.IsZero() && !now.Before(k.Expires) {
		return "", http.StatusUnauthorized, msgExpired
	}
	if live {
		st.markUsed(id, now)
	}
	return k.Name, 0, ""
}

// token is the API key a request carries: Authorization: Bearer, else
// X-API-Key.
func token(req *http.Request) string {
	if a := req.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "Bearer ") {
		if t := strings.TrimSpace(a[7:]); strings.HasPrefix(t, "fy_") {
			return t
		}
	}
	return strings.TrimSpace(req.Header.Get("X-Api-Key")) // the canonical form: Get allocates nothing
}

// keyID is the public ID in "fy_<id>_<secret>" (store.APIKeyID's rule).
func keyID(tok string) (string, bool) {
	const idLen = 8
	if len(tok) < 3+idLen+2 || tok[:3] != "fy_" || tok[3+idLen] != '_' {
		return "", false
	}
	return tok[3 : 3+idLen], true
}

// ClientIP is the request's client address: the peer's, or, when the peer
// is a trusted proxy, the right-most address in X-Forwarded-For that is not
// itself a trusted proxy.
func ClientIP(req *http.Request, trusted []netip.Prefix) netip.Addr {
	ap, err := netip.ParseAddrPort(req.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	ip := ap.Addr().Unmap()
	if !inAny(ip, trusted) {
		return ip
	}
	xff := req.Header.Values("X-Forwarded-For")
	for i := len(xff) - 1; i >= 0; i-- {
		s := xff[i]
		for s != "" {
			j := strings.LastIndexByte(s, ',')
			part := strings.TrimSpace(s[j+1:])
			s = s[:max(j, 0)]
			a, err := netip.ParseAddr(part)
			if err != nil {
				return ip // a malformed hop: trust nothing before it
			}
			ip = a.Unmap()
			if !inAny(ip, trusted) {
				return ip
			}
		}
	}
	return ip
}

func inAny(ip netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// IsHTTPS reports whether the client reached foyer over TLS: the
// connection's own, or a trusted proxy's X-Forwarded-Proto.
func IsHTTPS(req *http.Request, trusted []netip.Prefix) bool {
	if req.TLS != nil {
		return true
	}
	if len(trusted) == 0 {
		return false
	}
	p := req.Header.Get("X-Forwarded-Proto")
	if p == "" || !strings.EqualFold(p, "https") {
		return false
	}
	ap, err := netip.ParseAddrPort(req.RemoteAddr)
	return err == nil && inAny(ap.Addr().Unmap(), trusted)
}

func hostOnly(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[:i+1]
		}
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.IndexByte(h, ':') == i {
		return h[:i]
	}
	return h
}
