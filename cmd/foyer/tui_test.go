package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxPane is a private tmux server (its own socket, no user config) with
// one pane at a fixed size, for driving the real binary in a real pty.
type tmuxPane struct {
	t    *testing.T
	tmux string
	sock string
}

func newTmuxPane(t *testing.T, w, h int, command string) *tmuxPane {
	t.Helper()
	p := &tmuxPane{t: t, tmux: requireTool(t, "tmux"), sock: fmt.Sprintf("foyer-tui-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { exec.Command(p.tmux, "-L", p.sock, "kill-server").Run() }) // only this private server
	p.run("new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), command)
	return p
}

func (p *tmuxPane) run(args ...string) string {
	p.t.Helper()
	out, err := exec.Command(p.tmux, append([]string{"-L", p.sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (p *tmuxPane) screen() string { return p.run("capture-pane", "-p", "-t", "e2e") }

// waitFor polls the pane until cond holds (at most d).
func (p *tmuxPane) waitFor(what string, d time.Duration, cond func(string) bool) {
	p.t.Helper()
	deadline := time.Now().Add(d)
	for {
		s := p.screen()
		if cond(s) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waited %s for %s; the screen:\n%s", d, what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *tmuxPane) waitShows(s string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("%q", s), 15*time.Second, func(sc string) bool { return strings.Contains(sc, s) })
}

// rowField is field i (by spaces) of the screen's row for tenant slug; ""
// when there is none.
func rowField(screen, slug string, i int) string {
	for _, line := range strings.Split(screen, "\n") {
		f := strings.Fields(strings.TrimPrefix(line, "!"))
		if len(f) > i && f[0] == slug {
			return f[i]
		}
	}
	return ""
}

// Ensure that foyer tui with no daemon on the socket says so, names the
// socket and how to start one, and exits 1 without touching the terminal.
func TestTUINoDaemon(t *testing.T) {
	bin := foyerBinary(t)
	dir := t.TempDir()
	_, stderr, code := runFoyer(t, bin, "--data", dir, "tui")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	sock := filepath.Join(dir, "admin.sock")
	if !strings.Contains(stderr, "no foyer daemon is running on "+sock) || !strings.Contains(stderr, "foyer serve") {
		t.Errorf("stderr does not say no daemon runs on %s and how to start one:\n%s", sock, stderr)
	}
}

// Ensure that foyer tui, run in a real terminal against a real daemon,
// shows its tenants and their traffic, shows a tenant added meanwhile (the watch stream),
// shows "reconnecting..." when the daemon stops and recovers when it is
// back, and exits 0 on q.
func TestTUIAgainstDaemon(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	d.must("settings", "set", "base-domain", "example.test")
	d.must("tenant", "add", "acme", "--name", "Acme Inc.")
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(be.Close)
	d.must("backend", "add", "acme", be.URL)
	d.applied()
	p := newTmuxPane(t, 100, 30, d.bin+" --data "+dir+" tui; echo EXIT=$?; sleep 60")
	p.waitShows("acme")
	p.waitShows("Tenants 1 of 1")

	// traffic moves acme's req/s on screen (bounded: at most 60 rounds of 10)
	c := &http.Client{Timeout: 5 * time.Second}
	for round := 0; ; round++ {
		for range 10 {
			if code, _ := hostGet(t, c, d.url("http")+"/", "acme.example.test"); code != 200 {
				t.Fatalf("GET acme.example.test: %d", code)
			}
		}
		if r := rowField(p.screen(), "acme", 2); r != "" && r != "0.0" {
			break
		}
		if round == 60 {
			t.Fatalf("acme's req/s did not move on screen:\n%s", p.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}

	d.must("tenant", "add", "globex")
	p.waitShows("Tenants 2 of 2")
	p.waitShows("globex")

	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	p.waitShows("reconnecting...")
	d2 := startDaemon(t, dir)
	d2.must("tenant", "add", "initech")
	p.waitFor("the header to recover", 15*time.Second, func(s string) bool {
		return !strings.Contains(s, "reconnecting") && strings.Contains(s, "Tenants 3 of 3")
	})

	p.run("send-keys", "-t", "e2e", "-l", "q")
	p.waitShows("EXIT=0")
}
