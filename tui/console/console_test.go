package console

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/console/consoletest"
)

// These tests run the console on a real loopback listener against a real
// SSH client. The keys live in a map behind Options.Lookup (the store's
// part, which cmd/foyer's end-to-end tests cover with the real daemon),
// and sessions' API clients point at a socket where no daemon runs: what
// is tested here is the SSH side (logins, limits, terminals, commands).

// keyring is Options.Lookup over a map, safe for concurrent use.
type keyring struct {
	mu   sync.Mutex
	keys map[string]api.SSHKey // fingerprint -> key
}

func (k *keyring) add(name, role, line string) api.SSHKey {
	pk, _, _, _, err := gossh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		panic(err)
	}
	key := api.SSHKey{Name: name, Role: role, PublicKey: line, Fingerprint: gossh.FingerprintSHA256(pk)}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[key.Fingerprint] = key
	return key
}

func (k *keyring) remove(fp string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.keys, fp)
}

func (k *keyring) lookup(_ context.Context, fp string) (api.SSHKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.keys[fp]; ok {
		return key, nil
	}
	return api.SSHKey{}, fmt.Errorf("%s: %w", fp, ErrUnknownKey)
}

// hostKeyPEM is a new ed25519 host key as PKCS #8 PEM, as the store keeps it.
func hostKeyPEM(t *testing.T) []byte {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// startConsole serves a console on 127.0.0.1 with opts (Lookup, Client
// and the host key filled in when unset) and returns it, its address and
// its keyring; the cleanup closes it.
func startConsole(t *testing.T, opts Options) (*Server, string, *keyring) {
	t.Helper()
	ring := &keyring{keys: map[string]api.SSHKey{}}
	if opts.Lookup == nil {
		opts.Lookup = ring.lookup
	}
	if opts.Client == nil {
		none := filepath.Join(t.TempDir(), "no-daemon.sock")
		opts.Client = func(api.SSHKey) *api.Client { return api.NewClient(none) }
	}
	opts.HostKeyPEM = hostKeyPEM(t)
	opts.Refresh = -1
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, s.Addr(), ring
}

func TestLoginNeedsAKnownKey(t *testing.T) {
	// Ensure that only a key the store knows logs in: an unknown key, a
	// password and keyboard-interactive answers are refused, and the
	// server offers no other method than publickey.
	_, addr, ring := startConsole(t, Options{})
	known, line := consoletest.NewKey(t)
	ring.add("ops", "admin", line)
	unknown, _ := consoletest.NewKey(t)
	for name, auth := range map[string]gossh.AuthMethod{
		"unknown key": gossh.PublicKeys(unknown),
		"password":    gossh.Password("hunter2"),
		"keyboard-interactive": gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return []string{"hunter2"}, nil
		}),
	} {
		_, err := consoletest.Dial(t, addr, consoletest.Config(t, "ops", "", auth))
		if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
			t.Errorf("%s: dial = %v, want an authentication failure", name, err)
		}
		if err != nil && !strings.Contains(err.Error(), "attempted methods [none publickey]") && name == "unknown key" {
			t.Errorf("%s: %v, want only publickey attempted", name, err)
		}
	}
	if _, err := consoletest.Dial(t, addr, consoletest.Config(t, "ops", "", gossh.PublicKeys(known))); err != nil {
		t.Fatalf("known key: %v", err)
	}
}

func TestFailedLoginsLimitedPerIP(t *testing.T) {
	// Ensure that after AuthFailures refused logins from an IP, even a
	// known key is refused from it (the connection is dropped before the
	// handshake), while the limit earns no try back within the window.
	_, addr, ring := startConsole(t, Options{AuthFailures: 2, AuthFailureEvery: time.Hour})
	known, line := consoletest.NewKey(t)
	ring.add("ops", "admin", line)
	unknown, _ := consoletest.NewKey(t)
	for i := range 2 {
		if _, err := consoletest.Dial(t, addr, consoletest.Config(t, "x", "", gossh.PublicKeys(unknown))); err == nil {
			t.Fatalf("unknown key %d logged in", i)
		}
	}
	_, err := consoletest.Dial(t, addr, consoletest.Config(t, "ops", "", gossh.PublicKeys(known)))
	if err == nil {
		t.Fatal("a known key logged in from an IP over its failure limit")
	}
}

func TestFailureLimiterIsBounded(t *testing.T) {
	// Ensure that the per-IP limiters are an LRU of TrackedIPs entries: the
	// oldest IP is forgotten (and starts afresh), the newest are kept.
	f, err := newFailures(2, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	f.fail("192.0.2.1")
	if !f.blocked("192.0.2.1") {
		t.Fatal("an IP with one failure of one is not blocked")
	}
	f.fail("192.0.2.2")
	f.fail("192.0.2.3")
	if f.ips.Len() != 2 || f.blocked("192.0.2.1") || !f.blocked("192.0.2.3") {
		t.Fatalf("len %d; 192.0.2.1 blocked %v; 192.0.2.3 blocked %v", f.ips.Len(), f.blocked("192.0.2.1"), f.blocked("192.0.2.3"))
	}
}

func TestCommandsRunThroughExec(t *testing.T) {
	// Ensure that a session with a command and no pty runs it through
	// Options.Exec with the key's client, its output and exit status
	// reaching the client; and that a session with neither command nor
	// terminal is refused with a hint.
	type call struct {
		args   []string
		socket string
	}
	calls := make(chan call, 1)
	exec := func(_ context.Context, c *api.Client, args []string, _ io.Reader, stdout, stderr io.Writer) int {
		calls <- call{args, c.Socket()}
		fmt.Fprintln(stdout, "tenants: none")
		fmt.Fprintln(stderr, "warning: test")
		return 3
	}
	_, addr, ring := startConsole(t, Options{Exec: exec,
		Client: func(k api.SSHKey) *api.Client { return api.NewDialClient("ssh:"+k.Name, nil) }})
	key, line := consoletest.NewKey(t)
	ring.add("ops", "viewer", line)
	c, err := consoletest.Dial(t, addr, consoletest.Config(t, "ops", "", gossh.PublicKeys(key)))
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := consoletest.Run(t, c, "tenant list --json")
	got := <-calls
	if code != 3 || out != "tenants: none\n" || errOut != "warning: test\n" || strings.Join(got.args, " ") != "tenant list --json" || got.socket != "ssh:ops" {
		t.Fatalf("exit %d, out %q, err %q, call %+v", code, out, errOut, got)
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var e strings.Builder
	s.Stderr = &e
	err = s.Run("")
	if ee, ok := err.(*gossh.ExitError); !ok || ee.ExitStatus() != 1 || !strings.Contains(e.String(), "ssh -t") {
		t.Fatalf("no command, no pty: %v, %q", err, e.String())
	}
}

func TestTerminalFollowsWindowChanges(t *testing.T) {
	// Ensure that a pty session's program is sized to the pty and
	// re-renders at the new width after a window-change request (here the
	// tenant page, whose rule spans the width).
	_, addr, ring := startConsole(t, Options{})
	key, line := consoletest.NewKey(t)
	ring.add("acme-dev", "tenant:acme", line)
	c, err := consoletest.Dial(t, addr, consoletest.Config(t, "acme-dev", "", gossh.PublicKeys(key)))
	if err != nil {
		t.Fatal(err)
	}
	term := consoletest.Open(t, c, 80, 24)
	rule := func(w int) func(string) bool {
		return func(s string) bool {
			for _, l := range strings.Split(s, "\n") {
				if strings.TrimRight(l, " ") == strings.Repeat("─", w) {
					return true
				}
			}
			return false
		}
	}
	term.WaitFor("foyer · tenant acme")
	term.WaitUntil("an 80-cell rule", rule(80))
	term.WaitFor("error: cannot reach foyer") // no daemon behind this client
	term.Resize(120, 30)
	term.WaitUntil("a 120-cell rule", rule(120))
	term.Type("q")
	if code := term.Wait(); code != 0 {
		t.Fatalf("exit %d after q", code)
	}
}

func TestSessionsPerKeyLimited(t *testing.T) {
	// Ensure that a key may have MaxSessionsPerKey sessions at once: one
	// more is refused with the reason, and a session is given back when it
	// ends.
	_, addr, ring := startConsole(t, Options{MaxSessionsPerKey: 1,
		Exec: func(context.Context, *api.Client, []string, io.Reader, io.Writer, io.Writer) int { return 0 }})
	key, line := consoletest.NewKey(t)
	ring.add("acme-dev", "tenant:acme", line)
	c, err := consoletest.Dial(t, addr, consoletest.Config(t, "acme-dev", "", gossh.PublicKeys(key)))
	if err != nil {
		t.Fatal(err)
	}
	term := consoletest.Open(t, c, 80, 24)
	term.WaitFor("foyer · tenant acme")
	_, errOut, code := consoletest.Run(t, c, "status")
	if code != 1 || !strings.Contains(errOut, "already has 1 sessions open") {
		t.Fatalf("second session: exit %d, %q", code, errOut)
	}
	term.Type("q")
	term.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, _, code := consoletest.Run(t, c, "status"); code == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the session was not given back after the first ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRemovedKeyOpensNoSession(t *testing.T) {
	// Ensure that a key removed after its login opens no new session on
	// the same connection: the session looks the key up again.
	_, addr, ring := startConsole(t, Options{Exec: func(context.Context, *api.Client, []string, io.Reader, io.Writer, io.Writer) int { return 0 }})
	key, line := consoletest.NewKey(t)
	k := ring.add("ops", "admin", line)
	c, err := consoletest.Dial(t, addr, consoletest.Config(t, "ops", "", gossh.PublicKeys(key)))
	if err != nil {
		t.Fatal(err)
	}
	ring.remove(k.Fingerprint)
	_, errOut, code := consoletest.Run(t, c, "status")
	if code != 1 || !strings.Contains(errOut, "unknown ssh key") {
		t.Fatalf("exit %d, %q", code, errOut)
	}
}

func TestHostKeyIsTheGivenOne(t *testing.T) {
	// Ensure that the console presents the host key it was given (a client
	// pinning it connects; one pinning another key does not), and that
	// Apply("") stops listening.
	s, addr, ring := startConsole(t, Options{})
	key, line := consoletest.NewKey(t)
	ring.add("ops", "admin", line)
	host := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.signer.PublicKey())))
	if _, err := consoletest.Dial(t, addr, consoletest.Config(t, "ops", host, gossh.PublicKeys(key))); err != nil {
		t.Fatalf("pinned host key: %v", err)
	}
	_, other := consoletest.NewKey(t)
	if _, err := consoletest.Dial(t, addr, consoletest.Config(t, "ops", other, gossh.PublicKeys(key))); err == nil {
		t.Fatal("a client pinning another host key connected")
	}
	if err := s.Apply(""); err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("still listening after Apply(\"\")")
	}
}

func TestIdleConnectionsClosed(t *testing.T) {
	// Ensure that a connection with no bytes either way for IdleTimeout is
	// closed, ending its session's command (whose context ends with it)
	// while the client still holds the session open.
	ended := make(chan struct{})
	wait := func(ctx context.Context, _ *api.Client, _ []string, _ io.Reader, _, _ io.Writer) int {
		<-ctx.Done()
		close(ended)
		return 0
	}
	_, addr, ring := startConsole(t, Options{IdleTimeout: 500 * time.Millisecond, Exec: wait})
	key, line := consoletest.NewKey(t)
	ring.add("ops", "admin", line)
	// The idle deadline also bounds each step of the handshake: on a
	// loaded machine (-race) a step can take longer, so a few tries.
	var c *gossh.Client
	var err error
	for range 5 {
		if c, err = consoletest.Dial(t, addr, consoletest.Config(t, "ops", "", gossh.PublicKeys(key))); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	// The command waits for its context, which only the connection's end
	// (the client keeps it open) can end; whether the exit status still
	// gets out as the connection closes does not matter.
	consoletest.Run(t, c, "logs --follow")
	select {
	case <-ended:
	case <-time.After(15 * time.Second):
		t.Fatal("the command's context did not end with the connection")
	}
}
