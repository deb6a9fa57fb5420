package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer/acme/acmetest"
)

// pebbleLeaf handshakes with the HTTPS listener at addr for sni, trusting
// only roots, and returns the served leaf certificate.
func pebbleLeaf(t *testing.T, addr, sni string, roots *x509.CertPool) []byte {
	t.Helper()
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 20 * time.Second}, "tcp", addr,
		&tls.Config{ServerName: sni, RootCAs: roots})
	if err != nil {
		t.Fatalf("TLS to %s: %v", sni, err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].Raw
}

// listJSON runs a list command with --json and returns its output with
// the rows of tenants named w* (the concurrent writes) left out, and
// those slugs in order.
func listJSON(t *testing.T, d *daemon, args ...string) (rows string, ws []string) {
	t.Helper()
	var all []map[string]any
	d.mustJSON(&all, args...)
	var kept []map[string]any
	for _, r := range all {
		slug, _ := r["slug"].(string)
		if slug == "" {
			slug, _ = r["tenant"].(string)
		}
		if strings.HasPrefix(slug, "w") {
			if r["slug"] != nil {
				ws = append(ws, slug)
			}
			continue
		}
		kept = append(kept, r)
	}
	b, err := json.MarshalIndent(kept, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b), ws
}

// Ensure that a backup taken through a daemon holding certificates from a
// real ACME server (Pebble), while traffic and configuration writes go
// on, restores into a new data directory where a daemon on the same
// ports serves the very same leaves with zero bytes sent to the CA, and
// the tenants and domains are those of the source.
func TestBackupRestoreACMEPebble(t *testing.T) {
	if testing.Short() {
		t.Skip("Pebble tests skipped in -short mode")
	}
	began := time.Now()
	httpPort, tlsPort := acmetest.FreePort(t), acmetest.FreePort(t)
	ca := acmetest.StartPebble(t, acmetest.Options{HTTPPort: httpPort, TLSPort: tlsPort})
	// Only the names the test adds resolve, so nothing else can be
	// validated (and no custom domain gets verified behind its back).
	ca.DNSSet(t, "/set-default-ipv4", map[string]string{"ip": ""})
	hosts := []string{"acme.example.test", "beta.example.test"}
	for _, h := range hosts {
		ca.DNSSet(t, "/add-a", map[string]any{"host": h, "addresses": []string{"127.0.0.1"}})
	}
	httpAddr, httpsAddr := "127.0.0.1:"+strconv.Itoa(httpPort), "127.0.0.1:"+strconv.Itoa(tlsPort)

	srcDir := t.TempDir()
	d := startDaemonOn(t, srcDir, httpAddr, httpsAddr)
	be := newSeenBackend(t, "b1")
	d.must("settings", "set", "base-domain", "example.test")
	d.must("settings", "set", "acme-directory", ca.Directory)
	d.must("settings", "set", "--", "acme-roots", ca.WFERoot) // "--": the PEM starts with dashes
	d.must("settings", "set", "acme-email", "ops@example.test")
	d.must("settings", "set", "dns-resolver", ca.DNS)
	for _, slug := range []string{"acme", "beta"} {
		d.must("tenant", "add", slug)
		d.must("backend", "add", slug, be.URL)
	}
	d.must("domain", "add", "beta", "shop.beta.test") // stays pending: it resolves nowhere
	d.applied()
	t.Logf("Pebble and daemon up: %s", time.Since(began).Round(time.Millisecond))

	start := time.Now()
	leaves := map[string][]byte{}
	for _, h := range hosts { // on-demand issuance by Pebble in the handshake
		leaves[h] = pebbleLeaf(t, httpsAddr, h, ca.Roots)
	}
	issued := ca.CABytes()
	if issued == 0 {
		t.Fatal("no bytes reached Pebble: the certificates did not come from it and the count proves nothing")
	}
	t.Logf("two on-demand issuances: %s, %d bytes to the CA", time.Since(start).Round(time.Millisecond), issued)

	// Bounded load (HTTPS, on the issued certificates) and configuration
	// writes while the backup streams.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var sent, failed atomic.Int64
	// The load runs until the backup is written and 200 requests are
	// sent, 2000 requests and 20s at most.
	var backedUp atomic.Bool
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.Roots},
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", httpsAddr)
		}}}
	defer c.CloseIdleConnections()
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for (!backedUp.Load() || sent.Load() < 200) && sent.Add(1) <= 2000 && ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", "https://"+hosts[i]+"/", nil)
				resp, err := c.Do(req)
				if err != nil || resp.StatusCode != 200 {
					failed.Add(1)
				}
				if err == nil {
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 10 {
			if _, errOut, code := d.run("tenant", "add", fmt.Sprintf("w%02d", i)); code != 0 {
				t.Errorf("tenant add during backup: %s", errOut)
			}
		}
	}()
	file := filepath.Join(t.TempDir(), "acme.foyerbak")
	time.Sleep(50 * time.Millisecond) // let load and writes start
	start = time.Now()
	out := d.must("backup", "-o", file)
	backedUp.Store(true)
	t.Logf("live backup under load: %s (%s)", strings.TrimSpace(out), time.Since(start).Round(time.Millisecond))
	wg.Wait()
	if failed.Load() > 0 {
		t.Errorf("%d of the load's requests failed while the backup ran", failed.Load())
	}
	tenantsBefore, wsSource := listJSON(t, d, "tenant", "list")
	domainsBefore, _ := listJSON(t, d, "domain", "list")
	if len(wsSource) != 10 {
		t.Fatalf("source has concurrent tenants %v, want w00..w09", wsSource)
	}
	if ca.CABytes() != issued {
		t.Fatalf("the load sent %d bytes to the CA: want the cached certificates", ca.CABytes()-issued)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}

	// Restore into a new data directory; a daemon there, on the same
	// ports, serves the same leaves and orders nothing.
	newDir := filepath.Join(t.TempDir(), "new")
	start = time.Now()
	if out, errOut, code := runFoyer(t, d.bin, "restore", file, "--data", newDir); code != 0 {
		t.Fatalf("restore: %s%s", out, errOut)
	}
	t.Logf("restore: %s", time.Since(start).Round(time.Millisecond))
	d2 := startDaemonOn(t, newDir, httpAddr, httpsAddr)
	before := ca.CABytes()
	for _, h := range hosts {
		if got := pebbleLeaf(t, httpsAddr, h, ca.Roots); !bytes.Equal(got, leaves[h]) {
			t.Errorf("%s: the restored daemon serves a different certificate than before the backup", h)
		}
	}
	if n := ca.CABytes() - before; n != 0 {
		t.Errorf("the restored daemon sent %d bytes to the CA: want zero new orders", n)
	}
	tenantsAfter, ws := listJSON(t, d2, "tenant", "list")
	domainsAfter, _ := listJSON(t, d2, "domain", "list")
	if tenantsAfter != tenantsBefore {
		t.Errorf("restored tenants differ from the source:\n%s", firstDiff(tenantsBefore, tenantsAfter))
	}
	if domainsAfter != domainsBefore {
		t.Errorf("restored domains differ from the source:\n%s", firstDiff(domainsBefore, domainsAfter))
	}
	if !strings.Contains(domainsAfter, "shop.beta.test") || !strings.Contains(tenantsAfter, `"beta"`) {
		t.Errorf("restored lists lack the fixture: tenants %s domains %s", tenantsAfter, domainsAfter)
	}
	if !slices.Equal(ws, wsSource[:len(ws)]) { // a consistent snapshot: a prefix of the writes
		t.Errorf("restored concurrent tenants %v are not a prefix of %v", ws, wsSource)
	}
	if err := d2.stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("whole test: %s, %d load requests, %d of 10 concurrent tenants in the backup",
		time.Since(began).Round(time.Millisecond), min(sent.Load(), 2000), len(ws))
}
