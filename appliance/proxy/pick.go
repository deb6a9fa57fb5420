package proxy

import (
	"context"
	"math"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
)

// pool is one pool compiled for the request path.
type pool struct {
	src     *route.Pool // what it was compiled from (samePool)
	id      uint64
	ups     []*balance.Upstream
	sel     balance.Selector
	key     keyKind // what the hash selectors hash
	hashKey string  // header (canonical) or cookie name
	sticky  bool
	conf    *balance.Conf
}

// keyKind says where a request's balance.Key comes from.
type keyKind uint8

const (
	keyNone   keyKind = iota
	keyIP             // the client IP
	keyHeader         // a header, falling back to the client IP
	keyCookie         // a cookie, falling back to the client IP
)

// compilePool builds the request-path view of p: upstreams with their
// runtime state from the registry, and the selector of its algorithm.
func (h *Handler) compilePool(p *route.Pool) *pool {
	c := p.Conf
	ps := &pool{src: p, id: p.ID, sticky: c.Sticky, ups: make([]*balance.Upstream, len(p.Backends)),
		conf: &balance.Conf{MaxFails: c.MaxFails, Cooldown: c.Cooldown.D(), SlowStart: c.SlowStart.D()}}
	ids := make([]uint64, len(p.Backends))
	weights := make([]int, len(p.Backends))
	for i, b := range p.Backends {
		ps.ups[i] = &balance.Upstream{ID: b.ID, URL: b.URL, Weight: b.Weight, Drained: b.Drained,
			Conf: ps.conf, State: h.reg.Backend(b.ID)}
		ids[i], weights[i] = b.ID, b.Weight
	}
	switch p.Algorithm {
	case store.IPHash:
		ps.key = keyIP
	case store.HeaderHash:
		ps.key, ps.hashKey = keyHeader, textproto.CanonicalMIMEHeaderKey(c.HashKey)
	case store.CookieHash:
		ps.key, ps.hashKey = keyCookie, c.HashKey
	}
	ps.sel = balance.New(h.reg, balance.Config{Algorithm: string(p.Algorithm), PoolID: p.ID, IDs: ids, Weights: weights})
	return ps
}

// samePool reports whether a pool compiled from a gives what compiling b
// would: the same ID, settings and backends (by ID, URL, weight and
// drain). Runtime state is the registry's, by ID, so it needs no check.
func samePool(a, b *route.Pool) bool {
	if a == b {
		return true
	}
	if a.ID != b.ID || a.Algorithm != b.Algorithm || a.Conf != b.Conf || len(a.Backends) != len(b.Backends) {
		return false
	}
	for i, x := range a.Backends {
		y := b.Backends[i]
		if x.ID != y.ID || x.Weight != y.Weight || x.Drained != y.Drained || *x.URL != *y.URL {
			return false
		}
	}
	return true
}

// healthTarget is p's active health check, if it has one.
func healthTarget(p *route.Pool, ups []*balance.Upstream) (balance.Target, bool) {
	c := p.Conf
	if c.HealthPath == "" {
		return balance.Target{}, false
	}
	lo, hi, err := store.ParseStatusRange(c.HealthStatus)
	if err != nil {
		lo, hi = 200, 399
	}
	return balance.Target{PoolID: p.ID, Path: c.HealthPath, Interval: c.HealthInterval.D(), Timeout: c.HealthTimeout.D(),
		StatusLo: lo, StatusHi: hi, Healthy: c.HealthyThreshold, Unhealthy: c.UnhealthyThreshold, Upstreams: ups}, true
}

// pick chooses a backend of the tenant's default pool: the one its sticky
// cookie names while that one is usable, else the selector's choice. When
// the pool is sticky and the choice is new, setCookie is the Set-Cookie
// value to send. (Path rules that pick another pool come later.)
func (rs *routes) pick(h *Handler, tn *route.Tenant, r *http.Request) (up *balance.Upstream, setCookie string) {
	ps := rs.defaultPool(tn)
	if ps == nil {
		return nil, ""
	}
	if ps.sticky {
		if v, ok := cookie(r.Header, balance.StickyCookie); ok {
			if id, ok := h.stk.Check(ps.id, v); ok {
				if up := balance.Pinned(ps.ups, id); up != nil {
					return up, ""
				}
			}
		}
	}
	up = ps.sel.Select(ps.ups, ps.keyOf(r))
	if up != nil && ps.sticky {
		setCookie = balance.StickyCookie + "=" + h.stk.Value(ps.id, up.ID) + "; Path=/; HttpOnly; SameSite=Lax"
	}
	return up, setCookie
}

func (rs *routes) defaultPool(tn *route.Tenant) *pool {
	p := tn.Pool(store.DefaultPool)
	if p == nil {
		return nil
	}
	return rs.pools[p.ID]
}

// keyOf is the request's hash key, for the hash algorithms.
func (ps *pool) keyOf(r *http.Request) balance.Key {
	switch ps.key {
	case keyHeader:
		if v := r.Header[ps.hashKey]; len(v) > 0 && v[0] != "" {
			return balance.Key{Hash: balance.Hash(v[0])}
		}
	case keyCookie:
		if v, ok := cookie(r.Header, ps.hashKey); ok {
			return balance.Key{Hash: balance.Hash(v)}
		}
	case keyNone:
		return balance.Key{}
	}
	return balance.Key{Hash: balance.Hash(clientIP(r.RemoteAddr))}
}

// clientIP is the host part of a "host:port" remote address, without
// allocating. (The trusted-proxy client IP is the policy step's business.)
func clientIP(remote string) string {
	if i := strings.LastIndexByte(remote, ':'); i > 0 {
		remote = remote[:i]
	}
	return strings.TrimSuffix(strings.TrimPrefix(remote, "["), "]")
}

// cookie finds a cookie's value without parsing every cookie into an
// http.Cookie (which allocates).
func cookie(h http.Header, name string) (string, bool) {
	for _, line := range h["Cookie"] {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = strings.TrimSpace(part)
			k, v, ok := strings.Cut(part, "=")
			if ok && k == name {
				return strings.Trim(v, `"`), true
			}
		}
	}
	return "", false
}

// retryAfter is the Retry-After, in seconds, of a 503 for a pool with no
// usable backend: when its first ejected backend is let back, else 5.
func (rs *routes) retryAfter(tn *route.Tenant) string {
	ps := rs.defaultPool(tn)
	best := time.Duration(math.MaxInt64)
	if ps != nil {
		for _, u := range ps.ups {
			if c := u.State.Cooldown(); c > 0 && c < best {
				best = c
			}
		}
	}
	if best == time.Duration(math.MaxInt64) {
		return "5"
	}
	return strconv.Itoa(max(int(math.Ceil(best.Seconds())), 1))
}

// CheckHealth runs the active health checks of every pool that has them
// until ctx ends. The appliance runs it beside the listeners.
func (h *Handler) CheckHealth(ctx context.Context) { h.hc.Run(ctx) }

// Health reports the runtime health of backend id; false if it is not in
// the table in service.
func (h *Handler) Health(id uint64) (balance.Health, bool) {
	s := h.reg.Lookup(id)
	if s == nil {
		return balance.Health{}, false
	}
	return s.Health(), true
}
