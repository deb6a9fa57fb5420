package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

// storeDump is everything a data directory's foyer.db holds, read through
// the store: the configuration snapshot, imported certificates, every
// certmagic blob (issued certificates, ACME accounts, the internal CA) by
// hash, tokens, the audit trail and the usage rows.
type storeDump struct {
	Snapshot *store.Snapshot
	Certs    []store.Certificate
	Blobs    map[string]string
	Tokens   []store.Token
	Audit    []store.Entry
	Usage    []store.UsageRow
}

// dumpStore opens dir (no daemon may hold it) and reads it whole.
func dumpStore(t *testing.T, dir string) storeDump {
	t.Helper()
	ctx := context.Background()
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var d storeDump
	if d.Snapshot, err = st.Snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	if d.Certs, err = st.ListCerts(ctx); err != nil {
		t.Fatal(err)
	}
	keys, err := st.ListBlobs(ctx, "", true)
	if err != nil {
		t.Fatal(err)
	}
	d.Blobs = map[string]string{}
	for _, k := range keys {
		b, err := st.GetBlob(ctx, k)
		if errors.Is(err, store.ErrNotFound) { // a directory
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		d.Blobs[k] = hex.EncodeToString(sum[:])
	}
	if err := st.View(ctx, func(tx store.Tx) (err error) { d.Tokens, err = tx.Tokens(); return err }); err != nil {
		t.Fatal(err)
	}
	if d.Audit, err = st.AuditLog(ctx, 1_000_000, 0); err != nil {
		t.Fatal(err)
	}
	if d.Usage, err = st.QueryUsage(ctx, store.UsageQuery{Span: store.SpanMinute, From: time.Unix(0, 0), Until: time.Now().AddDate(1, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	return d
}

// dirHashes is the SHA-256 of every file in dir, by name.
func dirHashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			out[e.Name()] = "dir"
			continue
		}
		sum := sha256.Sum256(b)
		out[e.Name()] = hex.EncodeToString(sum[:])
	}
	return out
}

// leafDER handshakes with the daemon's HTTPS listener for sni, trusting
// only roots, and returns the served leaf certificate.
func leafDER(t *testing.T, d *daemon, sni string, roots *x509.CertPool) []byte {
	t.Helper()
	_, port, _ := net.SplitHostPort(d.status.Listeners["https"])
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", net.JoinHostPort("127.0.0.1", port),
		&tls.Config{ServerName: sni, RootCAs: roots})
	if err != nil {
		t.Fatalf("TLS to %s: %v", sni, err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].Raw
}

// caRoots is the daemon's internal CA root as a pool.
func caRoots(t *testing.T, d *daemon) *x509.CertPool {
	t.Helper()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(d.must("ca", "export-root"))) {
		t.Fatal("ca export-root printed no certificate")
	}
	return roots
}

// Ensure that a backup taken through the running daemon while traffic and
// configuration writes go on restores into a new data directory where a
// daemon serves the same certificates without issuing any, and that an
// offline backup restores a store equal in every record: tenants, domains
// with state, backends, plans, hashed keys and tokens, imported
// certificates, certmagic blobs, audit entries and usage rows.
func TestBackupRestoreEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	srcDir := t.TempDir()
	d := startDaemon(t, srcDir)
	be := newSeenBackend(t, "b1")
	d.must("settings", "set", "base-domain", "example.test")
	d.must("settings", "set", "internal-ca", "on")
	for _, slug := range []string{"acme", "beta", "gamma"} {
		d.must("tenant", "add", slug)
		d.must("backend", "add", slug, be.URL)
	}
	d.must("domain", "add", "beta", "shop.beta.test")
	d.must("plan", "add", "pro", "rate=500", "burst=1000")
	d.must("apikey", "create", "acme", "ci")
	d.must("token", "create", "ops", "--role", "admin")
	chain, key, _, err := demoCertificate([]string{"imported.example.test"})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(t.TempDir(), "c.pem"), filepath.Join(t.TempDir(), "k.pem")
	os.WriteFile(certFile, []byte(chain), 0o600)
	os.WriteFile(keyFile, []byte(key), 0o600)
	d.must("cert", "add", "imported.example.test", "--cert", certFile, "--key", keyFile)
	d.applied()
	roots := caRoots(t, d)
	hosts := []string{"acme.example.test", "beta.example.test", "gamma.example.test"}
	leaves := map[string][]byte{}
	for _, h := range hosts { // on-demand issuance by the internal CA
		leaves[h] = leafDER(t, d, h, roots)
	}

	// Bounded load and configuration writes while the backup streams.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var sent, failed atomic.Int64
	c := &http.Client{Timeout: 5 * time.Second}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sent.Add(1) <= 600 && ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", d.url("http")+"/", nil)
				req.Host = "acme.example.test"
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
		for i := range 15 {
			if _, errOut, code := d.run("tenant", "add", fmt.Sprintf("w%02d", i)); code != 0 {
				t.Errorf("tenant add during backup: %s", errOut)
			}
		}
	}()
	live := filepath.Join(t.TempDir(), "live.foyerbak")
	time.Sleep(50 * time.Millisecond) // let load and writes start
	start := time.Now()
	out := d.must("backup", "-o", live, "--with-logs")
	t.Logf("live backup under load: %s (%s)", strings.TrimSpace(out), time.Since(start))
	wg.Wait()
	if failed.Load() > 0 {
		t.Errorf("%d of the load's requests failed while the backup ran", failed.Load())
	}

	// Restore the live backup into a new data directory and serve from it.
	newDir := filepath.Join(t.TempDir(), "new")
	start = time.Now()
	out, errOut, code := runFoyer(t, d.bin, "restore", live, "--data", newDir)
	if code != 0 {
		t.Fatalf("restore: %s%s", out, errOut)
	}
	t.Logf("restore: %s\n%s", time.Since(start), out)
	restored := dumpStore(t, newDir)
	var ws []string
	for _, tn := range restored.Snapshot.Tenants {
		if strings.HasPrefix(tn.Slug, "w") {
			ws = append(ws, tn.Slug)
		}
	}
	for i, s := range ws { // a consistent snapshot: the writes before it, none after a gap
		if s != fmt.Sprintf("w%02d", i) {
			t.Fatalf("restored concurrent tenants %v are not a prefix of the writes", ws)
		}
	}
	blobsBefore := restored.Blobs
	d2 := startDaemon(t, newDir)
	for _, h := range hosts {
		if got := leafDER(t, d2, h, caRoots(t, d2)); !bytes.Equal(got, leaves[h]) {
			t.Errorf("%s: the restored daemon serves a different certificate than before the backup", h)
		}
	}
	if err := d2.stop(); err != nil {
		t.Fatal(err)
	}
	if after := dumpStore(t, newDir).Blobs; !mapsEqual(after, blobsBefore) {
		t.Errorf("the restored daemon changed certificate storage (an issuance): %d blobs before, %d after", len(blobsBefore), len(after))
	}

	// Offline backup of the stopped source, restored: equal in every record.
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	offline := filepath.Join(t.TempDir(), "offline.foyerbak")
	if out, errOut, code := runFoyer(t, d.bin, "backup", "--data", srcDir, "-o", offline); code != 0 {
		t.Fatalf("offline backup: %s%s", out, errOut)
	}
	eqDir := filepath.Join(t.TempDir(), "eq")
	if out, errOut, code := runFoyer(t, d.bin, "restore", offline, "--data", eqDir); code != 0 {
		t.Fatalf("restore offline backup: %s%s", out, errOut)
	}
	want, got := dumpStore(t, srcDir), dumpStore(t, eqDir)
	if len(want.Snapshot.APIKeys) == 0 || len(want.Tokens) == 0 || len(want.Certs) == 0 || len(want.Blobs) < 4 || len(want.Audit) == 0 {
		t.Fatalf("the source lacks data to compare: %d keys, %d tokens, %d certs, %d blobs, %d audit",
			len(want.Snapshot.APIKeys), len(want.Tokens), len(want.Certs), len(want.Blobs), len(want.Audit))
	}
	wj, _ := json.MarshalIndent(want, "", " ")
	gj, _ := json.MarshalIndent(got, "", " ")
	if !bytes.Equal(wj, gj) {
		t.Fatalf("restored store differs from the source:\n%s", firstDiff(string(wj), string(gj)))
	}
	t.Logf("usage rows: %d, audit entries: %d, blobs: %d", len(want.Usage), len(want.Audit), len(want.Blobs))
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// firstDiff shows the first line where a and b differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(al), len(bl))
}
