package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Ensure that bad input gets a clear error naming what is wrong, exit
// code 1, and leaves the configuration exactly as it was.
func TestBadInputIsRefused(t *testing.T) {
	d := startDaemon(t, t.TempDir())
	d.must("settings", "set", "base-domain", "example.test")
	d.must("tenant", "add", "acme")
	d.must("backend", "add", "acme", "http://127.0.0.1:9")
	d.must("domain", "add", "acme", "shop.customer.test")
	junk := filepath.Join(t.TempDir(), "junk.pem")
	os.WriteFile(junk, []byte("not a certificate"), 0o600)

	cases := []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"tenant", "add", "Bad_Slug"}, "tenant.slug"},
		{[]string{"tenant", "add", "-leading"}, ""},
		{[]string{"tenant", "add", strings.Repeat("a", 64)}, "tenant.slug"},
		{[]string{"tenant", "add", "huge", "--name", strings.Repeat("x", 10000)}, "tenant.name"},
		{[]string{"tenant", "add", "ctl", "--name", "bad\x01name"}, "control"},
		{[]string{"tenant", "add", "acme"}, "already exists"},
		{[]string{"tenant", "show", "nobody"}, "not found"},
		{[]string{"tenant", "set", "nobody", "--name", "x"}, "not found"},
		{[]string{"backend", "add", "acme", "ftp://127.0.0.1:21"}, "backend.url"},
		{[]string{"backend", "add", "acme", "http://"}, "backend.url"},
		{[]string{"backend", "add", "acme", "http://127.0.0.1:99999"}, "backend.url"},
		{[]string{"backend", "add", "acme", "http://127.0.0.1:9"}, "already"},
		{[]string{"backend", "add", "acme", "http://127.0.0.1:8", "--weight", "5000"}, "backend.weight"},
		{[]string{"backend", "add", "nobody", "http://127.0.0.1:8"}, "not found"},
		{[]string{"backend", "rm", "acme", "http://127.0.0.1:7"}, "not found"},
		{[]string{"domain", "add", "acme", "not a domain"}, "domain.name"},
		{[]string{"domain", "add", "acme", "x.example.test"}, "base domain"},
		{[]string{"domain", "add", "acme", "shop.customer.test"}, "already"},
		{[]string{"domain", "add", "acme", "http://shop.test/"}, "domain.name"},
		{[]string{"cert", "add", "acme.example.test", "--cert", junk, "--key", junk}, "cert"},
		{[]string{"cert", "add", "acme.example.test", "--cert", "/nonexistent/c.pem", "--key", junk}, "/nonexistent/c.pem"},
		{[]string{"settings", "set", "base-domain", "a b"}, "base-domain"},
		{[]string{"settings", "set", "idle-timeout", "forever"}, "duration"},
		{[]string{"settings", "set", "no-such-key", "1"}, "unknown setting"},
		{[]string{"tenant", "add"}, "SLUG"},
	}
	before := d.snapshotState()
	for _, c := range cases {
		t.Run(strings.Join(c.args, " ")[:min(40, len(strings.Join(c.args, " ")))], func(t *testing.T) {
			out, errOut, code := d.run(c.args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			if !strings.HasPrefix(errOut, "error: ") || !strings.Contains(errOut, c.want) {
				t.Fatalf("stderr %q does not say %q", errOut, c.want)
			}
			if len(errOut) > 2000 {
				t.Fatalf("error message is %d bytes long", len(errOut))
			}
		})
	}
	t.Run("raw API", func(t *testing.T) {
		c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", filepath.Join(d.dir, api.SocketName))
		}}}
		for _, body := range []string{`{"slug":"x","nmae":"y"}`, `{"slug":`, `{"slug":"a"}{"slug":"b"}`, `[]`} {
			resp, err := c.Post("http://foyer/v1/tenants", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 400 && resp.StatusCode != 422 || !strings.Contains(string(b), `"error"`) {
				t.Errorf("body %s: %d %s", body, resp.StatusCode, b)
			}
		}
	})
	if after := d.snapshotState(); after != before {
		t.Fatalf("refused changes altered the configuration:\nbefore %s\nafter  %s", before, after)
	}
}

// snapshotState summarises the configuration: revision, audit length and
// the tenant detail, as the API shows them.
func (d *daemon) snapshotState() string {
	var s api.Status
	d.mustJSON(&s, "status")
	var audit api.List[api.AuditEntry]
	d.mustJSON(&audit, "audit", "--limit", "1000")
	detail := d.must("tenant", "show", "acme", "--json")
	settings := d.must("settings", "list", "--json")
	return strings.Join([]string{
		"rev=" + itoa(s.Revision), "audit=" + itoa(uint64(len(audit.Items))), detail, settings}, "|")
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
