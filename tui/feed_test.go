package tui

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
)

// The feed's tests run the real daemon: the foyer binary, built once, on
// loopback ports and a temporary data directory. (tui may not import the
// appliance, so the daemon runs as a process.)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

func foyerBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the foyer binary; skipped in -short mode")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "foyer-tui-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "foyer")
		if out, err := exec.Command("go", "build", "-o", builtBin, "github.com/foyerhq/foyer/cmd/foyer").CombinedOutput(); err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// startDaemon runs foyer serve on dir and waits until its socket answers;
// the returned stop kills it and waits.
func startDaemon(t *testing.T, dir string) (c *api.Client, stop func()) {
	t.Helper()
	cmd := exec.Command(foyerBinary(t), "serve", "--data", dir, "--http", "127.0.0.1:0", "--https", "127.0.0.1:0", "--ops", "127.0.0.1:0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	stop = func() {
		cmd.Process.Kill()
		<-done
	}
	t.Cleanup(stop)
	c = api.NewClient(filepath.Join(dir, api.SocketName))
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := c.Status(context.Background()); err == nil {
			return c, stop
		}
		if time.Now().After(deadline) {
			t.Fatal("foyer serve did not answer in 15s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// next reads feed messages until match returns true (at most 15 s).
func next(t *testing.T, f *Feed, what string, match func(tea.Msg) bool) {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case m := <-f.Messages():
			if match(m) {
				return
			}
		case <-timeout:
			t.Fatalf("no feed message: %s", what)
		}
	}
}

func hasTenant(slug string) func(tea.Msg) bool {
	return func(m tea.Msg) bool {
		l, ok := m.(data.Lists)
		if !ok || l.Err != nil {
			return false
		}
		for _, t := range l.Tenants {
			if t.Slug == slug {
				return true
			}
		}
		return false
	}
}

func isConn(s data.ConnState) func(tea.Msg) bool {
	return func(m tea.Msg) bool { c, ok := m.(data.Conn); return ok && c.State == s }
}

// Ensure that the feed connects, reads the lists, re-reads them when the
// configuration changes, passes stats lines on, says it is reconnecting
// when the daemon stops and recovers when a daemon is back on the socket.
func TestFeedAgainstDaemon(t *testing.T) {
	dir := t.TempDir()
	c, stop := startDaemon(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := NewFeed(c)
	f.Debounce, f.MinBackoff, f.MaxBackoff = 10*time.Millisecond, 20*time.Millisecond, 200*time.Millisecond
	f.Start(ctx)

	next(t, f, "connected", isConn(data.Connected))
	next(t, f, "first lists", func(m tea.Msg) bool { l, ok := m.(data.Lists); return ok && l.Err == nil })
	if _, err := c.CreateTenant(ctx, api.CreateTenantRequest{Slug: "acme"}); err != nil {
		t.Fatal(err)
	}
	next(t, f, "lists with acme", hasTenant("acme"))
	next(t, f, "a stats frame", func(m tea.Msg) bool { _, ok := m.(data.Frame); return ok })

	stop()
	next(t, f, "reconnecting", isConn(data.Reconnecting))
	c2, _ := startDaemon(t, dir)
	if _, err := c2.CreateTenant(ctx, api.CreateTenantRequest{Slug: "globex"}); err != nil {
		t.Fatal(err)
	}
	next(t, f, "connected again", isConn(data.Connected))
	next(t, f, "lists with globex", hasTenant("globex"))
}

// Ensure that Run, with no daemon on the socket, returns a *NoDaemonError
// naming the socket at once, before it touches the terminal.
func TestRunNoDaemon(t *testing.T) {
	sock := filepath.Join(t.TempDir(), api.SocketName)
	err := Run(context.Background(), api.NewClient(sock), Options{})
	var nd *NoDaemonError
	if !errors.As(err, &nd) || nd.Socket != sock {
		t.Fatalf("Run = %v, want a NoDaemonError for %s", err, sock)
	}
	if want := "no foyer daemon is running on " + sock + ": start it with `foyer serve`"; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
}
