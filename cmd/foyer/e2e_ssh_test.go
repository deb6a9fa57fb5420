package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/console/consoletest"
)

// sshListening finds the SSH console's address in the daemon's JSON log.
var sshListening = regexp.MustCompile(`"msg":"SSH console listening","addr":"([^"]+)"`)

// sshAddr waits (at most 10 s) until the daemon's log has said the SSH
// console listens n times, and returns the last address it named.
func (d *daemon) sshAddr(n int) string {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := sshListening.FindAllStringSubmatch(d.logs.String(), -1); len(m) >= n {
			return m[len(m)-1][1]
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("the SSH console did not start:\n%s", d.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startSSHDaemon runs `foyer serve --ssh 127.0.0.1:0` on dir and returns
// it once the admin socket answers and the console listens, with the
// console's address.
func startSSHDaemon(t *testing.T, dir string) (*daemon, string) {
	t.Helper()
	d := startDaemonOn(t, dir, "127.0.0.1:0", "127.0.0.1:0", "--ssh", "127.0.0.1:0")
	return d, d.sshAddr(1)
}

// sshKey is a key generated for a test and added with foyer ssh-key add.
type sshKey struct {
	priv   ed25519.PrivateKey
	signer gossh.Signer
	fp     string
}

// addSSHKey generates an ed25519 key and adds it under name with role.
func (d *daemon) addSSHKey(name, role string) sshKey {
	d.t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		d.t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		d.t.Fatal(err)
	}
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
	d.must("ssh-key", "add", name, "--role", role, "--key", line+" "+name+"@test")
	return sshKey{priv: priv, signer: s, fp: gossh.FingerprintSHA256(s.PublicKey())}
}

// hostKey is the console's host key as `foyer ssh-key host --json` shows it.
func (d *daemon) hostKey() api.SSHHostKey {
	d.t.Helper()
	var hk api.SSHHostKey
	d.mustJSON(&hk, "ssh-key", "host")
	return hk
}

// dialSSH logs in to addr as user with k, checking the host key against
// the daemon's; the cleanup closes the connection.
func (d *daemon) dialSSH(addr, user string, k sshKey) *gossh.Client {
	d.t.Helper()
	c, err := consoletest.Dial(d.t, addr, consoletest.Config(d.t, user, d.hostKey().PublicKey, gossh.PublicKeys(k.signer)))
	if err != nil {
		d.t.Fatalf("ssh %s@%s: %v", user, addr, err)
	}
	return c
}

func TestE2ESSHConsoleRoles(t *testing.T) {
	// Ensure that the SSH console, started live by the ssh-listen setting,
	// lets in only added keys (no password), and that the API holds each
	// key to its role: a viewer's `tenant add` is refused with the API's
	// 403 text and changes nothing; an admin's succeeds and the audit trail
	// names the key and its fingerprint; a tenant key's terminal shows its
	// tenant only, and it may not read another tenant or its logs.
	d := startDaemon(t, t.TempDir())
	d.must("tenant", "add", "acme")
	d.must("tenant", "add", "beta")
	d.must("domain", "add", "acme", "shop.acme.test")
	d.must("domain", "add", "beta", "www.beta.test")
	if _, _, code := d.run("ssh-key", "host"); code == 0 {
		t.Fatal("a host key exists before the console first started")
	}
	d.must("settings", "set", "ssh-listen", "127.0.0.1:0")
	addr := d.sshAddr(1)
	hk := d.hostKey()
	if !strings.Contains(d.logs.String(), hk.Fingerprint) || strings.Contains(d.logs.String(), "PRIVATE KEY") {
		t.Fatalf("the log should name the host key's fingerprint %s and never its private key", hk.Fingerprint)
	}
	ops, viewer, dev := d.addSSHKey("ops", "admin"), d.addSSHKey("support", "viewer"), d.addSSHKey("acme-dev", "tenant:acme")

	stranger, _ := consoletest.NewKey(t)
	for name, auth := range map[string]gossh.AuthMethod{"unknown key": gossh.PublicKeys(stranger), "password": gossh.Password("ops")} {
		if _, err := consoletest.Dial(t, addr, consoletest.Config(t, "ops", hk.PublicKey, auth)); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
			t.Errorf("%s: %v, want refused", name, err)
		}
	}

	var before []api.Tenant
	d.mustJSON(&before, "tenant", "list")
	_, errOut, code := consoletest.Run(t, d.dialSSH(addr, "support", viewer), "tenant add gamma")
	if code != 1 || !strings.Contains(errOut, "ssh-key support ("+viewer.fp+") via ssh may only read (role viewer)") {
		t.Fatalf("viewer's tenant add: exit %d, %q", code, errOut)
	}
	var after []api.Tenant
	d.mustJSON(&after, "tenant", "list")
	if len(after) != len(before) {
		t.Fatalf("tenants %d -> %d after a viewer's refused add", len(before), len(after))
	}

	out, errOut, code := consoletest.Run(t, d.dialSSH(addr, "ops", ops), "tenant add gamma --name Gamma")
	if code != 0 || !strings.Contains(out, "gamma") {
		t.Fatalf("admin's tenant add: exit %d, %q %q", code, out, errOut)
	}
	audit := d.must("audit")
	if !regexp.MustCompile(`ssh-key ops \(` + regexp.QuoteMeta(ops.fp) + `\) via ssh +tenant\.create gamma`).MatchString(audit) {
		t.Fatalf("audit does not name the key:\n%s", audit)
	}

	c := d.dialSSH(addr, "acme-dev", dev)
	for _, cmd := range []string{"logs --tenant beta", "tenant show beta", "tenant list"} {
		if _, errOut, code := consoletest.Run(t, c, cmd); code != 1 || !strings.Contains(errOut, "limited to tenant acme") {
			t.Errorf("tenant key's %q: exit %d, %q", cmd, code, errOut)
		}
	}
	term := consoletest.Open(t, c, 100, 30)
	term.WaitFor("foyer · tenant acme")
	term.WaitFor("shop.acme.test")
	if s := term.Screen(); strings.Contains(s, "beta") || strings.Contains(s, "gamma") {
		t.Fatalf("the tenant key's screen shows another tenant:\n%s", s)
	}
	term.Type("q")
	if code := term.Wait(); code != 0 {
		t.Fatalf("exit %d after q", code)
	}

	// Turning the setting off stops the listener, live.
	d.must("settings", "set", "ssh-listen", "")
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the console still listens after ssh-listen was emptied")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestE2ESSHConsoleResize(t *testing.T) {
	// Ensure that an admin key's terminal runs the console `foyer tui`
	// runs, sized to the pty, and that a window-change request re-renders
	// it at the new width (its title bar is right-aligned to the width).
	d, addr := startSSHDaemon(t, t.TempDir())
	d.must("tenant", "add", "acme")
	ops := d.addSSHKey("ops", "admin")
	term := consoletest.Open(t, d.dialSSH(addr, "ops", ops), 100, 30)
	titleWidth := func(s string) int {
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "ssh:ops") {
				return len([]rune(strings.TrimRight(l, " ")))
			}
		}
		return 0
	}
	term.WaitFor("acme")
	term.WaitUntil("the title bar at 100 cells", func(s string) bool { w := titleWidth(s); return w > 90 && w <= 100 })
	term.Resize(140, 30)
	term.WaitUntil("the title bar at 140 cells", func(s string) bool { return titleWidth(s) > 130 })
	term.Type("q")
	if code := term.Wait(); code != 0 {
		t.Fatalf("exit %d after q", code)
	}
}

func TestE2ESSHHostKeySurvivesRestore(t *testing.T) {
	// Ensure that the host key generated on the console's first start is
	// in a backup: a daemon restored into a new data directory presents
	// the same host key (a client pinning it connects) with the same keys.
	d, _ := startSSHDaemon(t, t.TempDir())
	hk := d.hostKey()
	ops := d.addSSHKey("ops", "admin")
	file := filepath.Join(t.TempDir(), "box.foyerbak")
	d.must("backup", "-o", file)
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	newDir := t.TempDir()
	if out, errOut, code := runFoyer(t, d.bin, "restore", file, "--data", newDir); code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	r, addr := startSSHDaemon(t, newDir)
	if got := r.hostKey(); got.Fingerprint != hk.Fingerprint || got.PublicKey != hk.PublicKey {
		t.Fatalf("host key after restore %+v, want %+v", got, hk)
	}
	c, err := consoletest.Dial(t, addr, consoletest.Config(t, "ops", hk.PublicKey, gossh.PublicKeys(ops.signer)))
	if err != nil {
		t.Fatalf("a client pinning the old host key: %v", err)
	}
	if out, errOut, code := consoletest.Run(t, c, "status --json"); code != 0 || !strings.Contains(out, `"revision"`) {
		t.Fatalf("status over ssh after restore: exit %d %q %q", code, out, errOut)
	}
}

func TestE2ESSHOpenSSHClient(t *testing.T) {
	// Ensure that the OpenSSH client, checking the host key strictly
	// against a known_hosts file holding foyer's, logs in with an added
	// key and runs `tenant list --json` within the key's role.
	sshBin := requireTool(t, "ssh")
	d, addr := startSSHDaemon(t, t.TempDir())
	d.must("tenant", "add", "acme")
	k := d.addSSHKey("support", "viewer")
	dir := t.TempDir()
	block, err := gossh.MarshalPrivateKey(k.priv, "")
	if err != nil {
		t.Fatal(err)
	}
	keyFile, knownHosts := filepath.Join(dir, "id_ed25519"), filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(addr, ":")
	if err := os.WriteFile(knownHosts, []byte("["+host+"]:"+port+" "+d.hostKey().PublicKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sshBin, "-F", "/dev/null", "-p", port, "-i", keyFile, "-o", "IdentitiesOnly=yes",
		"-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile="+knownHosts, "-o", "BatchMode=yes",
		"-o", "ConnectTimeout=10", "support@"+host, "tenant", "list", "--json")
	cmd.Env = append(os.Environ(), "HOME="+dir) // no ~/.ssh of the machine's
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("ssh: %v\n%s%s", err, out.String(), errOut.String())
	}
	var ts []api.Tenant
	if err := json.Unmarshal([]byte(out.String()), &ts); err != nil || len(ts) != 1 || ts[0].Slug != "acme" {
		t.Fatalf("tenant list over OpenSSH: %v %q", err, out.String())
	}
	cmd = exec.Command(sshBin, "-F", "/dev/null", "-p", port, "-i", keyFile, "-o", "IdentitiesOnly=yes",
		"-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile="+knownHosts, "-o", "BatchMode=yes",
		"support@"+host, "tenant", "add", "gamma")
	cmd.Env = append(os.Environ(), "HOME="+dir)
	b, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(b), "may only read (role viewer)") {
		t.Fatalf("viewer's tenant add over OpenSSH: %v %q", err, b)
	}
}
