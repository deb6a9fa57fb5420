package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// lineBuffer collects a process's output lines.
type lineBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineBuffer) read(sc *bufio.Scanner) {
	for sc.Scan() {
		l.mu.Lock()
		l.lines = append(l.lines, sc.Text())
		l.mu.Unlock()
	}
}

func (l *lineBuffer) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// Ensure that requests sent through a running foyer reach the access log:
// `foyer logs --follow --tenant T --json` streams each one live, `foyer
// logs --tenant T --json` then shows every one of them, stored in logs.db,
// and after a graceful stop `foyer usage` counts every one of them (the
// usage of the last minute is written on stop).
func TestAccessLogEndToEnd(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	be := newSeenBackend(t, "acme")
	d.must("settings", "set", "base-domain", "example.test")
	d.must("tenant", "add", "acme")
	d.must("tenant", "add", "globex")
	d.must("backend", "add", "acme", be.URL)
	d.must("backend", "add", "globex", be.URL)
	d.applied()

	follow := exec.Command(d.bin, "--data", d.dir, "logs", "--follow", "--tenant", "acme", "--json")
	stdout, err := follow.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var followErr strings.Builder
	follow.Stderr = &followErr
	if err := follow.Start(); err != nil {
		t.Fatal(err)
	}
	followed := &lineBuffer{}
	var followErrExit error
	followDone := make(chan struct{})
	go func() {
		defer close(followDone)
		followed.read(bufio.NewScanner(stdout))
		followErrExit = follow.Wait()
	}()
	t.Cleanup(func() { follow.Process.Kill(); <-followDone })

	c := &http.Client{Timeout: 10 * time.Second}
	get := func(host, path string) {
		t.Helper()
		if code, body := hostGet(t, c, d.url("http")+path, host); code != http.StatusOK {
			t.Fatalf("GET %s%s: %d %s", host, path, code, body)
		}
	}
	// Until the follower is connected its records are not streamed: send
	// warm-up requests until one comes through.
	warm := 0
	for deadline := time.Now().Add(15 * time.Second); len(followed.snapshot()) == 0; warm++ {
		if time.Now().After(deadline) {
			t.Fatalf("foyer logs --follow showed nothing in 15s (stderr %q)", followErr.String())
		}
		get("acme.example.test", "/warm")
		time.Sleep(50 * time.Millisecond)
	}
	const n = 40
	for i := range n {
		get("acme.example.test", fmt.Sprintf("/req/%d", i))
		get("globex.example.test", "/other") // filtered out of the stream
	}

	// Every request after the follower connected is streamed, once.
	seen := map[string]int{}
	for deadline := time.Now().Add(15 * time.Second); ; {
		clear(seen)
		for _, line := range followed.snapshot() {
			var rec struct{ Tenant, Path string }
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("foyer logs --follow --json printed %q: %v", line, err)
			}
			if rec.Tenant != "acme" {
				t.Fatalf("the follower of acme got a record of %q", rec.Tenant)
			}
			seen[rec.Path]++
		}
		if len(seen) == n+1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i := range n {
		if p := fmt.Sprintf("/req/%d", i); seen[p] != 1 {
			t.Fatalf("the follower saw %s %d times, want once (stderr %q)", p, seen[p], followErr.String())
		}
	}

	// The stored log has all of them, the warm-ups too.
	want := n + warm
	var stored []struct{ Tenant, Path string }
	for deadline := time.Now().Add(15 * time.Second); ; {
		stored = stored[:0]
		out := d.must("logs", "--tenant", "acme", "--limit", "1000", "--json")
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var rec struct{ Tenant, Path string }
			if line == "" {
				continue
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("foyer logs --json printed %q: %v", line, err)
			}
			stored = append(stored, rec)
		}
		if len(stored) >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(stored) != want {
		t.Fatalf("foyer logs --tenant acme shows %d records, want %d", len(stored), want)
	}
	for _, r := range stored {
		if r.Tenant != "acme" {
			t.Fatalf("foyer logs --tenant acme shows a record of %q", r.Tenant)
		}
	}

	// Stopping the daemon ends the stream and the follower exits cleanly.
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-followDone:
		if followErrExit != nil {
			t.Fatalf("foyer logs --follow: %v (stderr %q)", followErrExit, followErr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("foyer logs --follow did not end when the daemon stopped")
	}

	// Usage rollups, written on stop into foyer.db, seen after a restart.
	d = startDaemon(t, dir)
	var rows []struct {
		Tenant   string
		Requests int64
	}
	d.mustJSON(&rows, "usage", "--span", "hour", "--from", time.Now().Add(-3*time.Hour).UTC().Format(time.RFC3339))
	got := map[string]int64{}
	for _, r := range rows {
		got[r.Tenant] += r.Requests
	}
	if got["acme"] != int64(want) || got["globex"] != n {
		t.Fatalf("foyer usage counts %v, want acme %d and globex %d", got, want, n)
	}
}
