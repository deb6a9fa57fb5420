package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/ops"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

// writeShortCert writes a self-signed certificate for host that expires
// after left, and its key, into dir; it returns their paths.
func writeShortCert(t *testing.T, dir, host string, left time.Duration) (certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: now.Add(-30 * 24 * time.Hour), NotAfter: now.Add(left),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, host+".crt"), filepath.Join(dir, host+".key")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath
}

// doctorJSON runs `foyer doctor --json` and decodes its report.
func doctorJSON(t *testing.T, d *daemon) (ops.DoctorReport, int) {
	t.Helper()
	out, errOut, code := d.run("doctor", "--json")
	var r ops.DoctorReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("doctor --json: %v\n%s%s", err, out, errOut)
	}
	return r, code
}

// findCheck returns the report's check named name.
func findCheck(t *testing.T, r ops.DoctorReport, name string) ops.DoctorCheck {
	t.Helper()
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", name, r.Checks)
	return ops.DoctorCheck{}
}

// Ensure that doctor against a real, healthy daemon passes every check and
// exits 0; that a failed domain and an imported certificate two days from
// expiry make it fail with their hints and exit non-zero; and that --json
// parses.
func TestDoctorE2E(t *testing.T) {
	dir := shortTempDir(t)
	d := startDaemon(t, dir)
	d.must("settings", "set", "log-retention-mb", "16")
	out, errOut, code := d.run("doctor")
	if code != 0 {
		t.Fatalf("healthy doctor: exit %d\n%s%s", code, out, errOut)
	}
	r, code := doctorJSON(t, d)
	if code != 0 || !r.Daemon || r.Count(ops.LevelOK) != len(r.Checks) {
		t.Fatalf("healthy doctor --json: exit %d, %+v; want every check ok", code, r)
	}
	for _, name := range []string{"daemon", "listeners", "permissions", "store", "acme", "domains", "certs", "clock", "disk", "log retention"} {
		findCheck(t, r, name)
	}
	if s := findCheck(t, r, "store"); !strings.Contains(s.Detail, "foyer.db: sound") {
		t.Errorf("store check = %+v, want foyer.db sound (asked of the daemon)", s)
	}

	d.must("tenant", "add", "acme")
	d.must("domain", "add", "acme", "shop.acme.test")
	certPath, keyPath := writeShortCert(t, dir, "old.acme.test", 2*24*time.Hour)
	d.must("cert", "add", "old.acme.test", "--cert", certPath, "--key", keyPath)
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	failDomain(t, dir, "shop.acme.test")
	d = startDaemon(t, dir)

	out, errOut, code = d.run("doctor")
	if code == 0 {
		t.Fatalf("doctor with a failed domain and an expiring certificate exited 0:\n%s", out)
	}
	for _, want := range []string{
		"fail  domain shop.acme.test  failed: CAA forbids the CA: issue \"other.example\"\n",
		"hint: add a CAA record for letsencrypt.org\n",
		"hint: foyer does not renew imported certificates: get a new one and `foyer cert add old.acme.test --cert FILE --key FILE`\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor's output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "fail  cert old.acme.test") || !strings.Contains(errOut, "doctor: 2 check(s) failed") {
		t.Errorf("want the certificate to fail and 2 failures:\n%s%s", out, errOut)
	}
	r, code = doctorJSON(t, d)
	if code == 0 || r.Count(ops.LevelFail) != 2 {
		t.Fatalf("doctor --json: exit %d, %d failures; want non-zero and 2:\n%+v", code, r.Count(ops.LevelFail), r)
	}
	if c := findCheck(t, r, "cert old.acme.test"); !strings.Contains(c.Detail, "imported (old.acme.test) expires in 1d") {
		t.Errorf("cert check = %+v", c)
	}
}

// failDomain sets a domain to failed with a reason and hint, in the store
// itself (the daemon stopped), as the verifier does when a CAA record
// forbids the CA.
func failDomain(t *testing.T, dir, name string) {
	t.Helper()
	s, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Update(context.Background(), "test", func(tx store.Tx) error {
		return tx.UpdateDomain(&store.Domain{Name: name, State: store.DomainFailed,
			Reason: `CAA forbids the CA: issue "other.example"`, Hint: "add a CAA record for letsencrypt.org"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Ensure that doctor with no daemon says it is down, runs the offline
// checks (the store check among them) and exits non-zero.
func TestDoctorNoDaemon(t *testing.T) {
	dir := shortTempDir(t)
	d := startDaemon(t, dir)
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	r, code := doctorJSON(t, d)
	if code == 0 || r.Daemon {
		t.Fatalf("doctor with the daemon down: exit %d, daemon %v; want non-zero, false", code, r.Daemon)
	}
	if c := findCheck(t, r, "daemon"); c.Level != ops.LevelFail || !strings.Contains(c.Detail, "running the offline checks only") {
		t.Errorf("daemon check = %+v", c)
	}
	if c := findCheck(t, r, "store"); c.Level != ops.LevelOK || !strings.Contains(c.Detail, "foyer.db: sound") {
		t.Errorf("offline store check = %+v, want ok", c)
	}
	findCheck(t, r, "permissions")
	findCheck(t, r, "disk")
}
