package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

func TestStatusFor(t *testing.T) {
	// Ensure that every error kind maps to its status, also when wrapped.
	cases := []struct {
		err  error
		want int
	}{
		{store.Errf(store.ErrNotFound, "", "", "x"), 404},
		{store.Errf(store.ErrExists, "", "", "x"), 409},
		{store.Errf(store.ErrConflict, "", "", "x"), 409},
		{store.Errf(store.ErrInvalid, "f", "", "x"), 422},
		{store.Errf(store.ErrLocked, "", "", "x"), 423},
		{errorf(errBadRequest, "", "", "x"), 400},
		{errorf(errTooLarge, "", "", "x"), 413},
		{errorf(errForbidden, "", "", "x"), 403},
		{fmt.Errorf("doing x: %w", store.Errf(store.ErrNotFound, "", "", "x")), 404},
		{errors.New("disk on fire"), 500},
	}
	for _, c := range cases {
		if got := statusFor(c.err); got != c.want {
			t.Errorf("statusFor(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

func TestErrorMapping(t *testing.T) {
	// Ensure that refused calls answer the right status with the store's field and hint.
	h := start(t)
	h.mustTenant("acme")
	ctx := t.Context()
	bad := "bogus"
	cases := []struct {
		name   string
		call   func() error
		status int
		field  string
	}{
		{"unknown tenant", func() error { _, err := h.client.Tenant(ctx, "nobody"); return err }, 404, ""},
		{"unknown setting", func() error { _, err := h.client.Setting(ctx, "colour"); return err }, 404, "key"},
		{"tenant exists", func() error {
			_, err := h.client.CreateTenant(ctx, api.CreateTenantRequest{Slug: "acme"})
			return err
		}, 409, "tenant.slug"},
		{"invalid slug", func() error {
			_, err := h.client.CreateTenant(ctx, api.CreateTenantRequest{Slug: "Not A Slug"})
			return err
		}, 422, "tenant.slug"},
		{"invalid state", func() error {
			_, err := h.client.UpdateTenant(ctx, "acme", api.UpdateTenantRequest{State: &bad})
			return err
		}, 422, "tenant.state"},
		{"invalid setting", func() error { _, err := h.client.SetSetting(ctx, "idle-timeout", "soon"); return err }, 422, "settings.idle-timeout"},
		{"invalid backend", func() error {
			_, err := h.client.AddBackend(ctx, "acme", "", api.AddBackendRequest{URL: "ftp://x"})
			return err
		}, 422, "backend.url"},
		{"invalid cert", func() error {
			_, err := h.client.AddCert(ctx, api.AddCertRequest{Name: "a.example.com", CertPEM: "nope"})
			return err
		}, 422, "cert.cert_pem"},
		{"missing url", func() error {
			return h.client.RemoveBackend(ctx, "acme", "", "")
		}, 400, "url"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ae := apiError(t, c.call(), c.status)
			if ae.Field != c.field || ae.Msg == "" {
				t.Errorf("field %q msg %q, want field %q", ae.Field, ae.Msg, c.field)
			}
			if ae.Hint == "" && c.status != 404 {
				t.Errorf("no hint for %q", ae.Msg)
			}
		})
	}
}

func TestRequestErrors(t *testing.T) {
	// Ensure that malformed requests, unknown routes and wrong methods get JSON errors that say what is wrong.
	h := start(t)
	cases := []struct {
		name, method, path, body string
		status                   int
		field, msg, hint         string
	}{
		{"unknown field", "POST", "/v1/tenants", `{"slug":"a","nmae":"A"}`, 400,
			"nmae", `unknown field "nmae" in request body`, "valid fields: slug, name"},
		{"empty body", "POST", "/v1/tenants", ``, 400, "", "request body is empty", "slug, name"},
		{"two values", "POST", "/v1/tenants", `{"slug":"a"} {"slug":"b"}`, 400, "", "after its JSON value", ""},
		{"not json", "POST", "/v1/tenants", `slug=a`, 400, "", "not valid JSON", ""},
		{"cut short", "POST", "/v1/tenants", `{"slug":`, 400, "", "ends in the middle", ""},
		{"wrong type", "POST", "/v1/tenants/a/pools/default/backends", `{"url":"http://x","weight":"2"}`, 400,
			"weight", `field "weight" must be a whole number, not string`, ""},
		{"too big", "POST", "/v1/certs", `{"cert_pem":"` + strings.Repeat("A", maxBody) + `"}`, 413,
			"", "larger than", "2 MiB"},
		{"bad limit", "GET", "/v1/tenants?limit=ten", "", 400, "limit", `limit "ten"`, ""},
		{"bad cursor", "GET", "/v1/audit?cursor=x", "", 400, "cursor", `cursor "x"`, ""},
		{"bad force", "DELETE", "/v1/tenants/a?force=maybe", "", 400, "force", `force "maybe"`, "true or false"},
		{"wrong method", "PUT", "/v1/status", "", 405, "", "method PUT is not allowed on /v1/status (allowed: GET, HEAD)", ""},
		{"no route", "GET", "/v1/nothing", "", 404, "", "no API endpoint /v1/nothing", "same foyer version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := h.raw(c.method, c.path, []byte(c.body))
			if resp.StatusCode != c.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, c.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			eb := errorBodyOf(t, body)
			if eb.Field != c.field || !strings.Contains(eb.Error, c.msg) || !strings.Contains(eb.Hint, c.hint) {
				t.Errorf("got %+v, want field %q, error containing %q, hint containing %q", eb, c.field, c.msg, c.hint)
			}
		})
	}
}

func TestServerErrorIsLogged(t *testing.T) {
	// Ensure that a 500 is answered with the error and logged without the request body.
	var logged logBuffer
	h := newHarness(t, func(o *Options) { o.Logger = logged.logger() }).serve()
	h.store.Close() // every store call now fails with a backend error
	resp, body := h.raw("POST", "/v1/tenants", []byte(`{"slug":"secret-slug"}`))
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d (%s), want 500", resp.StatusCode, body)
	}
	if eb := errorBodyOf(t, body); eb.Hint != "see the daemon's log" {
		t.Errorf("hint %q", eb.Hint)
	}
	if out := logged.String(); !strings.Contains(out, "/v1/tenants") || strings.Contains(out, "secret-slug") {
		t.Errorf("log %q: want the path, never the body", out)
	}
}
