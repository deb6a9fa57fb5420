package admin

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// tokenAPI is the harness's server behind TokenHandler on a real TLS
// listener on 127.0.0.1, as the appliance serves it.
type tokenAPI struct {
	t  *testing.T
	ts *httptest.Server
}

// serveTokenAPI starts TokenHandler over TLS for h; the cleanup stops it.
func serveTokenAPI(h *harness) *tokenAPI {
	ts := httptest.NewUnstartedServer(h.srv.TokenHandler())
	ts.StartTLS()
	h.t.Cleanup(ts.Close)
	return &tokenAPI{t: h.t, ts: ts}
}

// call sends a request with the bearer token text (none if "") and
// returns the status, the WWW-Authenticate header and the body.
func (a *tokenAPI) call(token, method, path, body string) (int, http.Header, []byte) {
	a.t.Helper()
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.ts.URL+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.ts.Client().Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// mustToken creates a token through the socket client and returns its text.
func (h *harness) mustToken(name, role string) string {
	h.t.Helper()
	k, err := h.client.CreateToken(h.t.Context(), api.CreateTokenRequest{Name: name, Role: role})
	if err != nil {
		h.t.Fatalf("create token %s: %v", name, err)
	}
	return k.Token
}

// scopeFixture is two tenants with a domain each, a token limited to acme
// and an admin token, served over TLS.
func scopeFixture(t *testing.T) (h *harness, a *tokenAPI, acme, admin string) {
	h = start(t)
	h.mustTenant("acme")
	h.mustTenant("beta")
	for slug, name := range map[string]string{"acme": "a.acme.test", "beta": "b.beta.test"} {
		if _, err := h.client.AddDomain(t.Context(), slug, name); err != nil {
			t.Fatal(err)
		}
	}
	return h, serveTokenAPI(h), h.mustToken("saas", "tenant:acme"), h.mustToken("ops", "admin")
}

func TestTenantTokenRefusedOutsideItsTenant(t *testing.T) {
	// Ensure that a tenant token gets 403 with a hint on every route that
	// is not about its own tenant: the other tenant, its domains, settings,
	// the tenant list, tokens, certs, audit, status, watch, backend writes.
	h, a, tok, _ := scopeFixture(t)
	cases := []struct{ method, path, body string }{
		{"GET", "/v1/tenants/beta", ""},
		{"GET", "/v1/tenants/beta/backends", ""},
		{"GET", "/v1/tenants/beta/domains", ""},
		{"POST", "/v1/tenants/beta/domains", `{"name":"x.beta.test"}`},
		{"GET", "/v1/domains/b.beta.test", ""},
		{"POST", "/v1/domains/b.beta.test/check", ""},
		{"DELETE", "/v1/domains/b.beta.test", ""},
		{"GET", "/v1/domains", ""},
		{"GET", "/v1/settings", ""},
		{"PUT", "/v1/settings/base-domain", `{"value":"evil.test"}`},
		{"GET", "/v1/tenants", ""},
		{"POST", "/v1/tenants", `{"slug":"gamma"}`},
		{"PATCH", "/v1/tenants/acme", `{"state":"suspended"}`},
		{"DELETE", "/v1/tenants/acme", ""},
		{"POST", "/v1/tenants/acme/pools/default/backends", `{"url":"http://127.0.0.1:9"}`},
		{"GET", "/v1/tenants/acme/policy", ""},
		{"GET", "/v1/tenants/acme/apikeys", ""},
		{"GET", "/v1/tokens", ""},
		{"POST", "/v1/tokens", `{"name":"mine","role":"admin"}`},
		{"DELETE", "/v1/tokens/ops", ""},
		{"GET", "/v1/certs", ""},
		{"GET", "/v1/audit", ""},
		{"GET", "/v1/status", ""},
		{"GET", "/v1/watch", ""},
		{"GET", "/v1/logs", ""},
		{"GET", "/v1/logs?tenant=beta", ""},
		{"GET", "/v1/logs/follow?tenant=beta", ""},
		{"GET", "/v1/usage", ""},
		{"GET", "/v1/usage?tenant=beta", ""},
	}
	before := h.store.Revision()
	for _, c := range cases {
		code, _, body := a.call(tok, c.method, c.path, c.body)
		if code != http.StatusForbidden {
			t.Errorf("%s %s: %d %s, want 403", c.method, c.path, code, body)
			continue
		}
		eb := errorBodyOf(t, body)
		if !strings.Contains(eb.Error, "token saas via https-api is limited to tenant acme") || !strings.Contains(eb.Hint, "admin token") {
			t.Errorf("%s %s: refusal %q (hint %q), want it to name the token, its tenant and a hint", c.method, c.path, eb.Error, eb.Hint)
		}
	}
	if rev := h.store.Revision(); rev != before {
		t.Errorf("revision %d -> %d after refused calls", before, rev)
	}
	if _, err := h.client.Domain(t.Context(), "b.beta.test"); err != nil {
		t.Errorf("beta's domain after a refused delete: %v", err)
	}
}

func TestTenantTokenAllowedInsideItsTenant(t *testing.T) {
	// Ensure that a tenant token can read its tenant, backends, usage and
	// access log, and add,
	// list, read and remove its own domains, audited under the token's name.
	h, a, tok, _ := scopeFixture(t)
	for _, p := range []string{"/v1/tenants/acme", "/v1/tenants/acme/backends", "/v1/domains/a.acme.test", "/v1/usage?tenant=acme"} {
		if code, _, body := a.call(tok, "GET", p, ""); code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", p, code, body)
		}
	}
	// Its own access log passes the scope (this fixture opens no logs.db,
	// so the handler answers 503, not 403).
	if code, _, body := a.call(tok, "GET", "/v1/logs?tenant=acme", ""); code != http.StatusServiceUnavailable {
		t.Fatalf("GET /v1/logs?tenant=acme: %d %s, want the handler's 503", code, body)
	}
	code, _, body := a.call(tok, "POST", "/v1/tenants/acme/domains", `{"name":"shop.acme.test"}`)
	var d api.Domain
	if code != http.StatusCreated || json.Unmarshal(body, &d) != nil || d.Name != "shop.acme.test" || d.Setup == nil || d.Setup.TXTValue == "" {
		t.Fatalf("add domain: %d %s", code, body)
	}
	code, _, body = a.call(tok, "GET", "/v1/tenants/acme/domains", "")
	var ds []api.Domain
	if code != http.StatusOK || json.Unmarshal(body, &ds) != nil || len(ds) != 2 {
		t.Fatalf("list domains: %d %s, want acme's two", code, body)
	}
	if code, _, body := a.call(tok, "GET", "/v1/domains/nowhere.test", ""); code != http.StatusNotFound {
		t.Fatalf("GET a missing domain: %d %s, want 404", code, body)
	}
	if code, _, body := a.call(tok, "DELETE", "/v1/domains/shop.acme.test", ""); code != http.StatusNoContent {
		t.Fatalf("remove domain: %d %s", code, body)
	}
	page, err := h.client.Audit(t.Context(), 2, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Items {
		if e.Actor != "token saas via https-api" || !strings.HasPrefix(e.Actions[0], "domain.") {
			t.Errorf("audit entry %+v, want the domain change by token saas via https-api", e)
		}
	}
}

func TestAdminTokenMayDoAll(t *testing.T) {
	// Ensure that an admin token may call every kind of route, including
	// token management and the watch stream.
	_, a, _, adm := scopeFixture(t)
	for _, p := range []string{"/v1/tenants", "/v1/tokens", "/v1/settings", "/v1/audit", "/v1/domains/b.beta.test"} {
		if code, _, body := a.call(adm, "GET", p, ""); code != http.StatusOK {
			t.Errorf("GET %s: %d %s", p, code, body)
		}
	}
	if code, _, body := a.call(adm, "POST", "/v1/tenants", `{"slug":"gamma"}`); code != http.StatusCreated {
		t.Errorf("create tenant: %d %s", code, body)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", a.ts.URL+"/v1/watch", nil)
	req.Header.Set("Authorization", "Bearer "+adm)
	resp, err := a.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadBytes('\n')
	var ev api.Event
	if resp.StatusCode != http.StatusOK || err != nil || json.Unmarshal(line, &ev) != nil || ev.Type != api.EventConfig {
		t.Fatalf("watch: %d %q %v", resp.StatusCode, line, err)
	}
}

func TestTokenUnauthorized(t *testing.T) {
	// Ensure that a missing, malformed, unknown, wrong or revoked token gets
	// 401 with WWW-Authenticate: Bearer and a JSON error body.
	h, a, tok, _ := scopeFixture(t)
	id, _ := store.TokenID(tok)
	wrongSecret := "fyt_" + id + "_" + strings.Repeat("a", 39)
	otherText, _, _, _ := store.NewToken()
	apiKey, _, _, _ := store.NewAPIKeyToken()
	if err := h.client.RevokeToken(t.Context(), "saas"); err != nil {
		t.Fatal(err)
	}
	for name, auth := range map[string]string{
		"none": "", "basic": "Basic b3BzOnB3", "empty bearer": "Bearer ", "garbage": "Bearer hello",
		"api key": "Bearer " + apiKey, "unknown": "Bearer " + otherText, "wrong secret": "Bearer " + wrongSecret,
		"revoked": "Bearer " + tok,
	} {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", a.ts.URL+"/v1/tenants/acme", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := a.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: %d, WWW-Authenticate %q; want 401 and Bearer", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			continue
		}
		if eb := errorBodyOf(t, b); eb.Hint == "" || bytes.Contains(b, []byte(wrongSecret)) {
			t.Errorf("%s: body %s, want an error with a hint and no token text", name, b)
		}
	}
}

func TestTokenLifecycle(t *testing.T) {
	// Ensure that a token is created (its text shown once), listed without
	// its text, marked used, revoked, and audited by name, never by secret.
	h, a, tok, _ := scopeFixture(t)
	ks, err := h.client.Tokens(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(ks)
	if len(ks) != 2 || ks[0].Name != "ops" || ks[1].Role != "tenant:acme" || bytes.Contains(raw, []byte(tok)) || bytes.Contains(raw, []byte(`"hash"`)) {
		t.Fatalf("tokens %s", raw)
	}
	if !ks[1].LastUsed.IsZero() {
		t.Fatalf("unused token has LastUsed %s", ks[1].LastUsed)
	}
	if code, _, _ := a.call(tok, "GET", "/v1/tenants/acme", ""); code != http.StatusOK {
		t.Fatalf("GET tenant: %d", code)
	}
	ks, _ = h.client.Tokens(t.Context())
	if ks[1].LastUsed.IsZero() {
		t.Fatal("LastUsed not set after a request")
	}
	_, err = h.client.CreateToken(t.Context(), api.CreateTokenRequest{Name: "saas", Role: "admin"})
	apiError(t, err, http.StatusConflict)
	_, err = h.client.CreateToken(t.Context(), api.CreateTokenRequest{Name: "x", Role: "tenant:ghost"})
	apiError(t, err, http.StatusNotFound)
	_, err = h.client.CreateToken(t.Context(), api.CreateTokenRequest{Name: "x", Role: "root"})
	apiError(t, err, http.StatusUnprocessableEntity)
	if err := h.client.RevokeToken(t.Context(), "saas"); err != nil {
		t.Fatal(err)
	}
	apiError(t, h.client.RevokeToken(t.Context(), "saas"), http.StatusNotFound)
	page, _ := h.client.Audit(t.Context(), 100, "")
	secret := tok[strings.LastIndexByte(tok, '_')+1:]
	var created, revoked bool
	for _, e := range page.Items {
		all := strings.Join(e.Actions, "\n")
		if strings.Contains(all, secret) {
			t.Fatalf("audit holds the secret: %+v", e)
		}
		created = created || strings.HasPrefix(all, "token.create saas role tenant:acme")
		revoked = revoked || strings.HasPrefix(all, "token.revoke saas")
	}
	if !created || !revoked {
		t.Fatalf("audit %+v, want token.create and token.revoke of saas", page.Items)
	}
}

func TestTenantScopesNameRoutes(t *testing.T) {
	// Ensure that every entry of tenantScopes names a route of the table
	// (a typo would silently refuse a route to tenant tokens).
	have := map[string]bool{}
	for _, rt := range routes {
		have[rt.method+" "+rt.pattern] = true
	}
	for k := range tenantScopes {
		if !have[k] {
			t.Errorf("tenantScopes has %q, which is no route", k)
		}
	}
}

func TestTokenIdentityActor(t *testing.T) {
	// Ensure that a token identity is audited by its name and listener.
	id := Identity{Role: RoleTenant, Tenant: "acme", Token: "saas", Via: ViaHTTPSAPI}
	if got := id.Actor(); got != "token saas via https-api" {
		t.Errorf("Actor() = %q", got)
	}
}
