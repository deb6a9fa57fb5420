package proxy

import (
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/foyerhq/foyer/appliance/policy"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
)

// hstsValue is the Strict-Transport-Security header foyer sends on HTTPS
// answers of tenants with hsts on (the default): one year.
const hstsValue = "max-age=31536000"

func newPolicy(r *policy.Registry) *policy.Registry {
	if r == nil {
		return policy.New(policy.Options{})
	}
	return r
}

// Policy returns the registry of tenants' policy state (the appliance
// flushes API keys' last use from it).
func (h *Handler) Policy() *policy.Registry { return h.pol }

// syncPolicy gives the policy registry every tenant's configuration from
// a new table.
func (h *Handler) syncPolicy(t *route.Table) {
	ts := make([]policy.Tenant, 0, len(t.Tenants()))
	for _, tn := range t.Tenants() {
		ts = append(ts, policy.Tenant{ID: tn.ID, Slug: tn.Slug, Config: policyConfig(tn)})
	}
	h.pol.Sync(ts)
}

// policyConfig is the runtime's view of a tenant's effective policy.
func policyConfig(tn *route.Tenant) policy.Config {
	e := tn.Effective
	c := policy.Config{Rate: e.Rate, Burst: e.Burst, IPRate: e.IPRate, IPBurst: e.IPBurst,
		MaxInFlight: e.MaxInFlight, Queue: e.Queue, QueueTimeout: e.QueueTimeout,
		Allow: e.Allow, Deny: e.Deny, Maintenance: e.Maintenance, Message: e.MaintenanceMessage,
		RedirectHTTPS: e.RedirectHTTPS, JWT: jwtConfig(tn)}
	switch e.APIKeys {
	case store.APIKeysOptional:
		c.APIKeys = policy.KeysOptional
	case store.APIKeysRequired:
		c.APIKeys = policy.KeysRequired
	}
	if len(tn.APIKeys) > 0 {
		c.Keys = make(map[string]policy.Key, len(tn.APIKeys))
		for _, k := range tn.APIKeys {
			pk := policy.Key{Name: k.Name, Expires: k.Expires}
			if _, err := hex.Decode(pk.Hash[:], []byte(k.Hash)); err != nil {
				continue // the store validates hashes; a bad one matches nothing
			}
			c.Keys[k.ID] = pk
		}
	}
	return c
}

// policyStep holds the request to its tenant's policy. When it refuses,
// it has answered and ok is false. Otherwise the caller releases slot when
// the request ends and forwards through w, which applies the tenant's
// response header rules and HSTS; the request's header rules are applied
// to r here.
func (h *Handler) policyStep(w http.ResponseWriter, r *http.Request, id string, tn *route.Tenant) (_ http.ResponseWriter, slot *policy.Slot, ok bool) {
	trusted := *h.fwd.trusted.Load()
	v := h.pol.Check(tn.ID, r, w.Header(), trusted)
	e := tn.Effective
	if v.Status != 0 {
		if e.HSTS && policy.IsHTTPS(r, trusted) {
			w.Header()["Strict-Transport-Security"] = []string{hstsValue}
		}
		writeError(w, r, id, v.Status, v.Msg)
		return w, nil, false
	}
	if v.Key != "" { // the key was for foyer; the backend does not see it
		r.Header.Del("X-Api-Key")
		if a := r.Header.Get("Authorization"); len(a) > 10 && strings.EqualFold(a[:7], "Bearer ") && strings.HasPrefix(strings.TrimSpace(a[7:]), store.APIKeyPrefix) {
			r.Header.Del("Authorization")
		}
	}
	for _, k := range e.RequestRemove {
		delete(r.Header, k)
	}
	for _, hv := range e.RequestSet {
		r.Header[hv.Name] = []string{hv.Value}
	}
	hsts := e.HSTS && policy.IsHTTPS(r, trusted)
	if !hsts && len(e.ResponseSet) == 0 && len(e.ResponseRemove) == 0 {
		return w, v.Slot, true
	}
	return &policyWriter{ResponseWriter: w, eff: e, hsts: hsts}, v.Slot, true
}

// policyWriter applies response header rules and HSTS when the answer's
// header is written: after ReverseProxy has copied the backend's headers,
// so a rule overrides the backend. Unwrap keeps http.ResponseController
// (flush, hijack) working through it.
type policyWriter struct {
	http.ResponseWriter
	eff   *store.EffectivePolicy
	hsts  bool
	wrote bool
}

// WriteHeader applies the rules once, before the first final status.
func (p *policyWriter) WriteHeader(code int) {
	if !p.wrote && code >= 200 {
		p.wrote = true
		h := p.ResponseWriter.Header()
		for _, k := range p.eff.ResponseRemove {
			delete(h, k)
		}
		for _, hv := range p.eff.ResponseSet {
			h[hv.Name] = []string{hv.Value}
		}
		if p.hsts {
			h["Strict-Transport-Security"] = []string{hstsValue}
		}
	}
	p.ResponseWriter.WriteHeader(code)
}

// Write writes an implicit 200 header first.
func (p *policyWriter) Write(b []byte) (int, error) {
	if !p.wrote {
		p.WriteHeader(http.StatusOK)
	}
	return p.ResponseWriter.Write(b)
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (p *policyWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }
