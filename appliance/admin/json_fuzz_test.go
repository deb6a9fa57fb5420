package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// bodyRoutes are the routes FuzzRequestBody sends bodies to: every route
// that may read one (POST, PUT, PATCH, and the DELETE of backends, which
// names the backend in its body), with the path's wildcards filled in
// with names that exist in the fuzz server's store.
var bodyRoutes = func() []route {
	fill := strings.NewReplacer("{slug}", "acme", "{pool}", "default", "{key}", "base-domain",
		"{name}", "app.example.com", "{alias}", "shop")
	var out []route
	for _, rt := range routes {
		if rt.method == "GET" || rt.method == "DELETE" && !strings.HasSuffix(rt.pattern, "/backends") {
			continue
		}
		rt.pattern = fill.Replace(rt.pattern)
		out = append(out, rt)
	}
	return out
}()

// fuzzServer serves a Server over a real unix socket for the whole fuzz
// run, with a tenant "acme" that has a backend and a domain, and returns
// a client for it.
func fuzzServer(f *testing.F) *http.Client {
	db, err := memstore.Open(context.Background(), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	err = db.Update(context.Background(), "fuzz", func(tx store.Tx) error {
		if err := tx.CreateTenant(&store.Tenant{Slug: "acme"}); err != nil {
			return err
		}
		if err := tx.AddBackend(&store.Backend{Tenant: "acme", URL: "http://127.0.0.1:9000"}); err != nil {
			return err
		}
		return tx.AddDomain(&store.Domain{Name: "app.example.com", Tenant: "acme"})
	})
	if err != nil {
		f.Fatal(err)
	}
	sock := filepath.Join(f.TempDir(), api.SocketName)
	srv, err := New(Options{Store: db, Socket: sock,
		Trace: func(context.Context, api.TraceRequest) (api.TraceReport, error) { return api.TraceReport{}, nil },
		CheckDomain: func(_ context.Context, name string) (api.DomainCheck, error) {
			return api.DomainCheck{}, nil
		}})
	if err != nil {
		f.Fatal(err)
	}
	ln, err := Listen(sock)
	if err != nil {
		f.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	f.Cleanup(func() {
		hc.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			f.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil {
			f.Errorf("Serve: %v", err)
		}
		db.Close()
	})
	return hc
}

// FuzzRequestBody sends arbitrary bodies to every route that reads one,
// over the real socket. Whatever the body, the server must answer (no
// panic, no dropped connection) with a 2xx or 4xx status, never 5xx, and
// every answer that has a body is one JSON value; a 4xx one is an error
// object with a message.
func FuzzRequestBody(f *testing.F) {
	hc := fuzzServer(f)
	for i := range bodyRoutes {
		for _, b := range []string{"", "{}", "null", "[]", "1", `"x"`, "{", "}", "{}{}", "{} x", `{"nope":1}`,
			`{"slug":"new","name":"New"}`, `{"slug":7}`, `{"url":"http://127.0.0.1:9001"}`, `{"url":"ftp://x"}`,
			`{"name":"shop.example.com"}`, `{"value":"saas.example.test"}`, `{"value":"-bad-"}`, `{"policy":{"rate":"5"}}`,
			`{"policy":{"rate":"-1"}}`, `{"state":"disabled"}`, `{"weight":1e400}`, `{"weight":-1}`,
			`{"url":"http://acme.example.com/"}`, `{"tenants":[{"slug":"acme"}]}`, "\xff\xfe", `{"a":` + strings.Repeat("[", 10000)} {
			f.Add(uint8(i), []byte(b))
		}
	}
	f.Fuzz(func(t *testing.T, i uint8, body []byte) {
		if int(i) >= len(bodyRoutes) {
			return
		}
		rt := bodyRoutes[i]
		req, err := http.NewRequest(rt.method, "http://foyer"+rt.pattern, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("%s %s with %q: %v", rt.method, rt.pattern, body, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s %s with %q: reading the answer: %v", rt.method, rt.pattern, body, err)
		}
		if resp.StatusCode >= 500 || resp.StatusCode < 200 || resp.StatusCode >= 300 && resp.StatusCode < 400 {
			t.Fatalf("%s %s with %q: status %d, want 2xx or 4xx; body %s", rt.method, rt.pattern, body, resp.StatusCode, b)
		}
		if len(b) == 0 && resp.StatusCode == http.StatusNoContent {
			return
		}
		if !json.Valid(b) {
			t.Fatalf("%s %s with %q: status %d, answer is not JSON: %q", rt.method, rt.pattern, body, resp.StatusCode, b)
		}
		if resp.StatusCode >= 400 {
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
				t.Fatalf("%s %s with %q: status %d, answer %s has no error message", rt.method, rt.pattern, body, resp.StatusCode, b)
			}
		}
	})
}
