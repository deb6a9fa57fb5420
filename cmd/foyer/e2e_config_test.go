package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// configFixture builds a configuration through the CLI: settings, plans,
// tenants (one suspended) with aliases, policies with identification
// options, pools, weighted and drained backends, domains, a PEM JWT key
// and API keys.
func configFixture(t *testing.T, d *daemon) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	pemFile := filepath.Join(t.TempDir(), "acme.pem")
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"settings", "set", "base-domain", "saas.test"},
		{"settings", "set", "idle-timeout", "3m"},
		{"settings", "set", "acme-eab-mac-key", "c2VjcmV0LW1hYw"},
		{"plan", "add", "free", "rate=10", "burst=20"},
		{"plan", "add", "pro", "rate=1000"},
		{"tenant", "add", "acme", "--name", "Acme Inc."},
		{"tenant", "add", "beta"},
		{"tenant", "add", "gamma"},
		{"tenant", "suspend", "beta"},
		{"tenant", "alias", "add", "acme", "acme-eu"},
		{"policy", "set", "acme", "--plan", "pro", "max-in-flight=50", "id-path=/t/acme", "jwt=on", "jwt-alg=ES256"},
		{"policy", "set", "beta", "--plan", "free"},
		{"backend", "add", "acme", "http://127.0.0.1:8001"},
		{"backend", "add", "acme", "http://127.0.0.1:8002", "--weight", "3"},
		{"backend", "drain", "acme", "http://127.0.0.1:8002"},
		{"backend", "add", "acme", "http://127.0.0.1:8101", "--pool", "api"},
		{"pool", "set", "acme", "api", "--algorithm", "header_hash", "--hash-key", "X-User", "--max-fails", "3", "--sticky"},
		{"backend", "add", "beta", "http://127.0.0.1:9001"},
		{"domain", "add", "acme", "shop.acme.test"},
		{"domain", "add", "beta", "beta.example"},
		{"tenant", "jwt-key", "acme", "--file", pemFile},
		{"apikey", "create", "acme", "ci"},
	} {
		d.must(args...)
	}
}

// Ensure that, with the real binary and bbolt stores, `foyer export`
// then `foyer apply` into an empty daemon then `foyer export` gives a
// byte-identical file; that a file with one bad entry is refused with its
// file:line:field and changes nothing; and that --dry-run changes nothing.
func TestE2EExportApply(t *testing.T) {
	src := startDaemon(t, t.TempDir())
	configFixture(t, src)
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.yaml"), filepath.Join(dir, "second.yaml")
	src.must("export", "-o", first)
	want, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(want), "c2VjcmV0LW1hYw") || !strings.Contains(string(want), "acme-eab-mac-key") {
		t.Fatalf("the secret setting is written, or not named:\n%s", want)
	}

	dst := startDaemon(t, t.TempDir())
	dst.must("settings", "set", "acme-eab-mac-key", "c2VjcmV0LW1hYw") // secrets go out of band
	out := dst.must("apply", "-f", first)
	if !strings.Contains(out, "applied in one transaction") || !strings.Contains(out, "new API key ci of acme (shown once): fy_") {
		t.Fatalf("apply output:\n%s", out)
	}
	dst.must("export", "-o", second)
	got, _ := os.ReadFile(second)
	if string(got) != string(want) {
		t.Fatalf("export after apply differs:\n--- first\n%s\n--- second\n%s", want, got)
	}

	// One bad entry among good changes: refused, named, nothing changed.
	bad := strings.Replace(string(want), "algorithm: header_hash", "algorithm: fastest", 1)
	bad = strings.Replace(bad, "idle-timeout: 3m0s", "idle-timeout: 4m0s", 1)
	line := 1 + strings.Count(bad[:strings.Index(bad, "algorithm: fastest")], "\n")
	badFile := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badFile, []byte(bad), 0o600)
	_, errOut, code := dst.run("apply", "-f", badFile)
	wantErr := badFile + ":" + strconv.Itoa(line) + ": tenants[0].pools[0].algorithm: "
	if code == 0 || !strings.Contains(errOut, wantErr) || !strings.Contains(errOut, "fastest") {
		t.Fatalf("apply of a bad file: exit %d\n%s\nwant %q", code, errOut, wantErr)
	}
	dst.must("export", "-o", second)
	if got, _ := os.ReadFile(second); string(got) != string(want) {
		t.Fatalf("a refused apply changed the configuration:\n%s", got)
	}

	// --dry-run lists the change and keeps nothing.
	edited := filepath.Join(dir, "edited.yaml")
	os.WriteFile(edited, []byte(strings.Replace(string(want), "idle-timeout: 3m0s", "idle-timeout: 4m0s", 1)), 0o600)
	out = dst.must("apply", "-f", edited, "--dry-run")
	if !strings.Contains(out, `~ setting idle-timeout: "3m0s" -> "4m0s"`) || !strings.Contains(out, "dry run, nothing changed") {
		t.Fatalf("dry run output:\n%s", out)
	}
	dst.must("export", "-o", second)
	if got, _ := os.ReadFile(second); string(got) != string(want) {
		t.Fatalf("a dry run changed the configuration:\n%s", got)
	}
}
