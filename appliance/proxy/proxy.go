// Package proxy is foyer's request handler: identify the tenant, hold it to
// its policy, pick a backend, forward, record. It reads an immutable
// snapshot of the routing state through one atomic pointer: no lock and no
// store I/O on the request path.
package proxy

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/appliance/policy"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/appliance/traffic"
	"github.com/foyerhq/foyer/store"
)

// Handler is the http.Handler for tenants' traffic on the HTTP and HTTPS
// listeners.
type Handler struct {
	cur atomic.Pointer[routes] // the state requests use; swapped by Swap
	reg *balance.Registry
	fwd *stdForwarder
	hc  *balance.Checker // active health checks; runs under CheckHealth
	stk *balance.Sticky  // signs sticky-session cookies
	log *slog.Logger
	pol *policy.Registry  // tenants' policy state (limits, keys); synced by Swap
	brk *balance.Breakers // tenants' circuit breakers; synced by Swap
	rec *traffic.Recorder // reports every request; nil: nothing is recorded
	// recHook, when set (by tests), sees every record after the recorder.
	recHook func(*store.LogRecord)
}

// routes is the handler's compiled view of one route.Table: the table, plus
// a selector and upstream list per pool, plus the settings it needs.
type routes struct {
	table *route.Table
	pools map[uint64]*pool // by pool ID
}

// pool is defined in pick.go.

// Options configures a Handler.
type Options struct {
	// Logger receives upstream errors; default slog.Default().
	Logger *slog.Logger
	// Registry holds backends' runtime state; default a new one on the
	// real clock (tests inject a clock through it).
	Registry *balance.Registry
	// Policy holds tenants' policy state; default a new one on the real
	// clock (tests inject a clock through it).
	Policy *policy.Registry
	// Breakers holds tenants' circuit breakers; default a new set on the
	// real clock (tests inject a clock through it).
	Breakers *balance.Breakers
	// Recorder receives every request that reaches ServeHTTP, once, when
	// it ends (record.go); nil records nothing.
	Recorder *traffic.Recorder
}

// New returns a Handler that answers 503 until the first Swap.
func New(opts Options) *Handler {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	reg := opts.Registry
	if reg == nil {
		reg = balance.NewRegistry()
	}
	h := &Handler{reg: reg, log: log, hc: balance.NewChecker(log), stk: balance.NewSticky(nil)}
	h.fwd = newStdForwarder(h)
	h.pol = newPolicy(opts.Policy)
	h.brk = opts.Breakers
	h.rec = opts.Recorder
	if h.brk == nil {
		h.brk = balance.NewBreakers(nil)
	}
	return h
}

// Swap compiles t with settings s and puts it in service. Requests already
// running finish on the state they started with. Backend state (health,
// rotation) carries over by ID. A pool whose settings and backends are
// unchanged since the table in service keeps its compiled form (reused,
// not rebuilt: with 10,000 tenants, compiling every pool was a third of a
// configuration change's swap).
func (h *Handler) Swap(t *route.Table, s store.Settings) {
	n := len(t.Tenants())
	rs := &routes{table: t, pools: make(map[uint64]*pool, n)}
	var prev map[uint64]*pool
	if old := h.cur.Load(); old != nil {
		prev = old.pools
	}
	keepB, keepP := make(map[uint64]bool, n), make(map[uint64]bool, n)
	all := make([]*balance.Upstream, 0, n)
	var checks []balance.Target
	for _, tn := range t.Tenants() {
		for _, p := range tn.Pools() {
			ps := prev[p.ID]
			if ps == nil || !samePool(ps.src, p) {
				ps = h.compilePool(p)
			}
			for _, u := range ps.ups {
				keepB[u.ID] = true
			}
			keepP[p.ID] = true
			all = append(all, ps.ups...)
			rs.pools[p.ID] = ps
			if c, ok := healthTarget(p, ps.ups); ok {
				checks = append(checks, c)
			}
		}
	}
	h.fwd.configure(s)
	h.fwd.setBackends(all)
	h.syncPolicy(t)
	h.syncBreakers(t)
	h.cur.Store(rs)
	h.reg.Retain(keepB, keepP)
	h.hc.Set(checks)
}

// Table returns the route table in service, or nil before the first Swap.
func (h *Handler) Table() *route.Table {
	if rs := h.cur.Load(); rs != nil {
		return rs.table
	}
	return nil
}

// Close releases idle upstream connections.
func (h *Handler) Close() { h.fwd.close() }

// ServeHTTP implements http.Handler. Every request is reported once to
// the recorder, when there is one (record.go).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ew := engineWriterOf(w) // the fast engine's writer, or nil: looked up once
	id := requestIDOn(ew, r)
	rw := h.startRecord(w, r, id, start)
	if rw == nil {
		h.serve(w, r, id, nil, ew)
		return
	}
	defer h.finishRecord(rw, r)
	h.serve(rw, r, id, rw, ew)
}

// serve runs the steps. rw is the record step's writer (nil when nothing
// is recorded; w is rw otherwise): each step that answers for foyer says
// its outcome there. ew is the fast engine's writer under w, or nil.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, id string, rw *recordWriter, ew *engineWriter) {
	setOne(ew, w.Header(), "X-Request-Id", id)
	rs := h.cur.Load()
	if rs == nil {
		rw.setOutcome(store.OutcomeUnknownHost)
		writeError(w, r, id, http.StatusServiceUnavailable, "foyer is starting; try again in a moment")
		return
	}
	m, ok := rs.table.Identify(r.Host, r.URL.Path, r.Header.Get)
	if !ok {
		rw.setOutcome(store.OutcomeUnknownHost)
		writeError(w, r, id, http.StatusNotFound, "no site is configured for this host name")
		return
	}
	tn := m.Tenant
	if rw != nil {
		rw.tenant = tn
		if l := h.rec.Live; l != nil {
			defer l.Begin(tn.Slug).End()
		}
	}
	if r.TLS != nil && r.TLS.ServerName != "" {
		if !sniMatches(rs.table, r.TLS.ServerName, m) {
			rw.setOutcome(store.OutcomeUnknownHost) // no tenant of this connection's name
			writeError(w, r, id, http.StatusMisdirectedRequest, "this connection was opened for another site; open a new connection for this host name")
			return
		}
	}
	if tn.Suspended() {
		rw.setOutcome(store.OutcomeSuspended)
		writeError(w, r, id, http.StatusServiceUnavailable, "this site is suspended")
		return
	}
	if !h.identStep(w, r, id, m) { // ident_step.go
		rw.setOutcome(store.OutcomeUnauthorized)
		return
	}
	// The tenant's policy step (appliance/policy), in policy_step.go.
	w, slot, ok := h.policyStep(w, r, id, tn)
	if !ok {
		if rw != nil {
			rw.setOutcome(policyOutcome(rw.status, tn))
		}
		return
	}
	defer slot.Release()
	brk, ok := h.breakerStep(w, r, id, tn) // breaker_step.go
	if !ok {
		rw.setOutcome(store.OutcomeBreakerOpen)
		return
	}
	up, sticky := rs.pick(h, tn, r)
	if up == nil {
		brk.Release()
		rw.setOutcome(store.OutcomeNoBackend)
		w.Header().Set("Retry-After", rs.retryAfter(tn))
		writeError(w, r, id, http.StatusServiceUnavailable, "no backend is available for this site")
		return
	}
	up.State.Begin()
	defer up.State.End()
	h.fwd.Forward(w, r, Request{ID: id, Tenant: tn, Upstream: up, SetCookie: sticky, pool: rs.defaultPool(tn), breaker: brk, rec: rw})
}
