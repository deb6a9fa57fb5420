package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Ensure that cert add reads the operator's files and sends their content,
// and that list and rm work on what it imported.
func TestCertCommands(t *testing.T) {
	f := newCLIFixture(t)
	certFile, keyFile := writeCertFiles(t, "shop.acme.test", "www.acme.test")
	out := f.mustCLI("cert", "add", "shop.acme.test", "--cert", certFile, "--key", keyFile)
	if !strings.HasPrefix(out, "certificate shop.acme.test added for shop.acme.test, www.acme.test (expires ") {
		t.Fatalf("cert add: %q", out)
	}
	list := f.mustCLI("cert", "list")
	wantLines(t, list, "NAME            SOURCE    COVERS                        ISSUER         EXPIRES               DAYS LEFT  RENEWAL")
	if !strings.Contains(list, "shop.acme.test  imported  shop.acme.test,www.acme.test  foyer demo CA  ") {
		t.Errorf("cert list:\n%s", list)
	}
	var cs []api.Cert
	f.mustJSON(&cs, "cert", "list")
	if len(cs) != 1 || cs[0].Name != "shop.acme.test" || cs[0].Issuer == "" || len(cs[0].Names) != 2 {
		t.Fatalf("cert list --json: %+v", cs)
	}
	if out := f.mustCLI("cert", "rm", "shop.acme.test"); out != "certificate shop.acme.test removed\n" {
		t.Fatalf("cert rm: %q", out)
	}
	if stored, _ := f.store.ListCerts(t.Context()); len(stored) != 0 {
		t.Fatalf("store certs after rm: %d", len(stored))
	}
}

// Ensure that a file that cannot be read is an error naming the flag and
// the path, before the daemon is asked anything.
func TestCertAddUnreadableFile(t *testing.T) {
	certFile, keyFile := writeCertFiles(t, "x.test")
	dir := t.TempDir() // no daemon there: the file error must come first
	cases := map[string][]string{
		"--cert: cannot read /nonexistent/c.pem: no such file or directory": {"--cert", "/nonexistent/c.pem", "--key", keyFile},
		"--key: cannot read /nonexistent/k.pem: no such file or directory":  {"--cert", certFile, "--key", "/nonexistent/k.pem"},
		"--cert: cannot read " + dir + ": is a directory":                   {"--cert", dir, "--key", keyFile},
	}
	for want, flags := range cases {
		_, errOut, code := runCLI(append([]string{"--data", dir, "cert", "add", "x.test"}, flags...)...)
		if code != 1 || errOut != "error: "+want+"\n" {
			t.Errorf("cert add %v: exit %d, stderr %q; want %q", flags, code, errOut, want)
		}
	}
}

// Ensure that the daemon's refusal of a file that is not a certificate
// reaches the operator.
func TestCertAddRefused(t *testing.T) {
	f := newCLIFixture(t)
	junk := filepath.Join(t.TempDir(), "junk.pem")
	os.WriteFile(junk, []byte("not a certificate"), 0o600)
	f.mustFail("cert", "cert", "add", "x.test", "--cert", junk, "--key", junk)
}

// Ensure that the certificate table shows expiry and whole days left, and
// "expired" for a certificate past its end.
func TestCertTableDaysLeft(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cs := []api.Cert{
		{Name: "a.test", Names: []string{"a.test"}, Issuer: "CA", NotAfter: now.Add(30*24*time.Hour + time.Hour), Source: "imported", Renewal: "never"},
		{Name: "b.test", Names: []string{"b.test", "c.test"}, Issuer: "CN=Some CA,O=Org", NotAfter: now.Add(-time.Minute), Source: "acme", Renewal: "due now"},
	}
	var b bytes.Buffer
	if err := certTable(&b, cs, now); err != nil {
		t.Fatal(err)
	}
	wantLines(t, b.String(),
		"NAME    SOURCE    COVERS         ISSUER   EXPIRES               DAYS LEFT  RENEWAL",
		"a.test  imported  a.test         CA       2025-03-31 13:00:00Z  30         never",
		"b.test  acme      b.test,c.test  Some CA  2025-03-01 11:59:00Z  expired    due now")
}

// writeCertFiles writes a CA-signed certificate for names and its key to
// files and returns their paths.
func writeCertFiles(t *testing.T, names ...string) (certFile, keyFile string) {
	t.Helper()
	chain, key, _, err := demoCertificate(names)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, []byte(chain), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
