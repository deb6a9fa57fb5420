// Package consoletest is an SSH client for tests of the SSH console
// (tui/console and the end-to-end tests of cmd/foyer): a real
// golang.org/x/crypto/ssh client, sessions with a pty whose output is
// rendered on an emulated screen (charmbracelet/x/vt), and commands run
// without one. It is test support, like tui/tuitest: only tests import it.
package consoletest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	gossh "golang.org/x/crypto/ssh"
)

// NewKey generates an ed25519 key and returns its signer and its public
// key as an authorized_keys line.
func NewKey(t testing.TB) (gossh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
}

// Config is a client config for user that logs in with auth and checks
// the host key against hostKey (an authorized_keys line), or accepts any
// host key when hostKey is "".
func Config(t testing.TB, user, hostKey string, auth ...gossh.AuthMethod) *gossh.ClientConfig {
	t.Helper()
	cb := gossh.InsecureIgnoreHostKey() // only where the test says it does not check
	if hostKey != "" {
		pk, _, _, _, err := gossh.ParseAuthorizedKey([]byte(hostKey))
		if err != nil {
			t.Fatal(err)
		}
		cb = gossh.FixedHostKey(pk)
	}
	return &gossh.ClientConfig{User: user, Auth: auth, HostKeyCallback: cb, Timeout: 10 * time.Second}
}

// Dial connects to addr as cfg says; the cleanup closes the client.
func Dial(t testing.TB, addr string, cfg *gossh.ClientConfig) (*gossh.Client, error) {
	t.Helper()
	c, err := gossh.Dial("tcp", addr, cfg)
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

// Run runs command in a session without a pty and returns its output
// and exit status (-1 if the session ended without one).
func Run(t testing.TB, c *gossh.Client, command string) (stdout, stderr string, code int) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	defer s.Close()
	var o, e bytes.Buffer
	s.Stdout, s.Stderr = &o, &e
	err = s.Run(command)
	var ee *gossh.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitStatus()
	default:
		code = -1
	}
	return o.String(), e.String(), code
}

// Term is a session with a pty running the console, its output rendered
// on an emulated screen of the pty's size.
type Term struct {
	t     testing.TB
	sess  *gossh.Session
	in    io.WriteCloser
	emu   *vt.SafeEmulator
	ended chan struct{} // closed when the output ends

	mu  sync.Mutex // guards out, and emu's screen (vt v0.1.0's String is not safe beside Write)
	out bytes.Buffer
}

// Open starts a session with a w x h pty (TERM xterm-256color) and a
// shell request, as `ssh -t` does; the cleanup closes it.
func Open(t testing.TB, c *gossh.Client, w, h int) *Term {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	_ = s.Setenv("NO_COLOR", "1") // plain text; a server may refuse it, the text is the same
	if err := s.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatalf("request pty: %v", err)
	}
	in, err := s.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		t.Fatalf("shell: %v", err)
	}
	term := &Term{t: t, sess: s, in: in, emu: vt.NewSafeEmulator(w, h), ended: make(chan struct{})}
	// Drain the emulator's replies to terminal queries (unread, Write
	// blocks); the goroutine ends with the test binary, as in tuitest.
	go io.Copy(io.Discard, term.emu)
	go func() {
		defer close(term.ended)
		buf := make([]byte, 32<<10)
		for {
			n, err := out.Read(buf)
			if n > 0 {
				term.mu.Lock()
				term.out.Write(buf[:n])
				term.emu.Write(buf[:n])
				term.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { s.Close() })
	return term
}

// Screen is the emulated screen's text.
func (m *Term) Screen() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.emu.String()
}

// WaitUntil waits until cond holds for the screen, at most 15 s.
func (m *Term) WaitUntil(what string, cond func(screen string) bool) {
	m.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond(m.Screen()) {
		if time.Now().After(deadline) {
			m.t.Fatalf("timed out waiting for %s; screen:\n%s", what, m.Screen())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitFor waits until the screen shows want.
func (m *Term) WaitFor(want string) {
	m.t.Helper()
	m.WaitUntil(want, func(s string) bool { return strings.Contains(s, want) })
}

// Type sends text as typed keys.
func (m *Term) Type(text string) {
	m.t.Helper()
	if _, err := io.WriteString(m.in, text); err != nil {
		m.t.Fatalf("type %q: %v", text, err)
	}
}

// Resize sends a window-change request and resizes the emulated screen.
func (m *Term) Resize(w, h int) {
	m.t.Helper()
	m.mu.Lock()
	m.emu.Resize(w, h)
	m.mu.Unlock()
	if err := m.sess.WindowChange(h, w); err != nil {
		m.t.Fatalf("window change: %v", err)
	}
}

// Wait waits (at most 15 s) for the session to end and returns its exit
// status (-1 when it ended without one).
func (m *Term) Wait() int {
	m.t.Helper()
	done := make(chan error, 1)
	go func() { done <- m.sess.Wait() }()
	select {
	case err := <-done:
		var ee *gossh.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ee):
			return ee.ExitStatus()
		}
		return -1
	case <-time.After(15 * time.Second):
		m.t.Fatalf("the session did not end; screen:\n%s", m.Screen())
		return -1
	}
}

// Output is every byte the session wrote so far, raw.
func (m *Term) Output() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.out.String()
}
