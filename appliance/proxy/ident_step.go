package proxy

import (
	"net/http"
	"strings"

	"github.com/foyerhq/foyer/appliance/policy"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
)

// sniMatches reports whether the TLS server name of the connection fits
// the match: the same tenant for host rules; for the rules of the bare
// base domain (path, header, JWT), the base domain itself.
func sniMatches(t *route.Table, sni string, m route.Match) bool {
	if m.Rule >= route.RulePath {
		return t.SharedHost(sni)
	}
	sm, ok := t.Identify(sni, "", nil)
	return ok && sm.Tenant == m.Tenant
}

// identStep finishes identification: a proposed tenant (X-Tenant-ID or a
// JWT claim) must authenticate as that tenant before anything else runs,
// else 401 and nothing is forwarded; an id-path is stripped when the
// tenant asks for it. When it refuses, it has answered and ok is false.
func (h *Handler) identStep(w http.ResponseWriter, r *http.Request, id string, m route.Match) bool {
	if m.Rule.Proposed() {
		v := h.pol.Authenticate(m.Tenant.ID, r, w.Header(), route.BearerJWT(r.Header.Get("Authorization")))
		if v.Status != 0 {
			writeError(w, r, id, v.Status, v.Msg)
			return false
		}
		if v.Key != "" { // the key was for foyer; the backend does not see it
			dropAPIKey(r)
		}
	}
	if m.Strip != "" {
		stripPrefix(r, m.Strip)
	}
	return true
}

// dropAPIKey removes a foyer API key from the request.
func dropAPIKey(r *http.Request) {
	r.Header.Del("X-Api-Key")
	if a := r.Header.Get("Authorization"); len(a) > 10 && strings.EqualFold(a[:7], "Bearer ") && strings.HasPrefix(strings.TrimSpace(a[7:]), store.APIKeyPrefix) {
		r.Header.Del("Authorization")
	}
}

// stripPrefix removes an id-path from the request's path ("/t/acme/x" ->
// "/x", "/t/acme" -> "/").
func stripPrefix(r *http.Request, prefix string) {
	p := strings.TrimPrefix(r.URL.Path, prefix)
	if p == "" {
		p = "/"
	}
	r.URL.Path, r.URL.RawPath = p, ""
}

// jwtConfig is the policy runtime's view of a tenant's JWT settings; nil
// when jwt is off or the tenant has no key.
func jwtConfig(tn *route.Tenant) *policy.JWTConfig {
	e := tn.Effective
	if !e.JWT || tn.JWTKeys == nil {
		return nil
	}
	c := &policy.JWTConfig{Alg: e.JWTAlg, Claim: e.JWTClaim, Secret: tn.JWTKeys.Secret}
	for _, k := range tn.JWTKeys.Keys {
		c.Keys = append(c.Keys, policy.JWK{Kid: k.Kid, Key: k.Key})
	}
	return c
}
