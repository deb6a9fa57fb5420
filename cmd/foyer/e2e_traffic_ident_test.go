package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestE2ETrafficIdent(t *testing.T) {
	// Ensure that aliases, id-paths, X-Tenant-ID with a key and an HS256 JWT identify tenants through the whole binary, and a spoofed header reaches nothing.
	dir := t.TempDir()
	d := startDaemon(t, dir)
	var hits atomic.Int64
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, r.Header.Get("X-Foyer-Tenant")+" "+r.URL.Path)
	}))
	defer be.Close()
	d.must("settings", "set", "base-domain", "example.test")
	for _, slug := range []string{"acme", "beta"} {
		d.must("tenant", "add", slug)
		d.must("backend", "add", slug, be.URL)
	}
	d.must("tenant", "alias", "add", "acme", "www-acme")
	if _, errOut, code := d.run("tenant", "alias", "add", "beta", "www-acme"); code == 0 || !strings.Contains(errOut, "acme") {
		t.Fatalf("a taken alias: %d %q", code, errOut)
	}
	if out := d.must("tenant", "show", "acme"); !strings.Contains(out, "www-acme.example.test") {
		t.Fatalf("tenant show lacks the alias: %s", out)
	}
	d.must("policy", "set", "acme", "id-path=/t/acme", "id-header=true")
	if _, errOut, code := d.run("policy", "set", "beta", "id-path=/t/acme/x"); code == 0 || !strings.Contains(errOut, "acme") {
		t.Fatalf("an overlapping id-path: %d %q", code, errOut)
	}
	secret := filepath.Join(dir, "secret.bin")
	os.WriteFile(secret, []byte("a-secret-of-at-least-thirty-two-bytes!!"), 0o600)
	d.must("tenant", "jwt-key", "beta", "--hs256-secret-file", secret)
	d.must("policy", "set", "beta", "jwt=on", "jwt-alg=HS256")
	tok, _, _ := d.run("apikey", "create", "acme", "ci")
	tok = strings.TrimSpace(tok)
	d.applied()

	get := func(path string, hdr ...string) (int, string) {
		req, _ := http.NewRequest("GET", d.url("http")+path, nil)
		req.Host = "example.test"
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := hostGet(t, http.DefaultClient, d.url("http")+"/a", "www-acme.example.test"); code != 200 || body != "acme /a" {
		t.Fatalf("alias: %d %q", code, body)
	}
	if code, body := get("/t/acme/a"); code != 200 || body != "acme /a" {
		t.Fatalf("id-path: %d %q", code, body)
	}
	before := hits.Load()
	if code, _ := get("/", "X-Tenant-ID", "acme"); code != 401 || hits.Load() != before {
		t.Fatalf("spoofed X-Tenant-ID: %d, backend hits %d", code, hits.Load()-before)
	}
	if code, body := get("/h", "X-Tenant-ID", "acme", "X-API-Key", tok); code != 200 || body != "acme /h" {
		t.Fatalf("X-Tenant-ID with a key: %d %q", code, body)
	}
	jt, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"tenant": "beta", "exp": time.Now().Add(time.Hour).Unix()}).
		SignedString([]byte("a-secret-of-at-least-thirty-two-bytes!!"))
	if code, body := get("/j", "Authorization", "Bearer "+jt); code != 200 || body != "beta /j" {
		t.Fatalf("JWT: %d %q", code, body)
	}
	// Forge by changing the signature's first character: its last one
	// carries bits a lenient base64 decoder ignores, so changing the end
	// could leave the signature valid (about 1 run in 1,000).
	sig := strings.LastIndexByte(jt, '.') + 1
	forged := jt[:sig] + map[bool]string{true: "B", false: "A"}[jt[sig] == 'A'] + jt[sig+1:]
	if code, _ := get("/j", "Authorization", "Bearer "+forged); code != 401 {
		t.Fatalf("a forged JWT: %d", code)
	}
}
