package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store/boltstore"
)

// Ensure that a backend that hangs makes its tenant's requests end in 504
// at the tenant's response-header-timeout, while another tenant's
// requests, sent at the same time, keep succeeding within a bound.
func TestFaultHangingBackend(t *testing.T) {
	d := startDaemon(t, shortTempDir(t))
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // bounded: the test's end releases it at the latest
		case <-r.Context().Done():
		case <-release:
		case <-time.After(30 * time.Second):
		}
	}))
	defer hang.Close()
	defer close(release)
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer good.Close()
	d.must("settings", "set", "base-domain", "example.test")
	d.must("tenant", "add", "slow")
	d.must("backend", "add", "slow", hang.URL)
	d.must("policy", "set", "slow", "response-header-timeout=500ms", "retries=0")
	d.must("tenant", "add", "fast")
	d.must("backend", "add", "fast", good.URL)
	d.applied()

	// The fast tenant's bound: far below the hung requests' 500 ms, so a
	// fast request stuck behind a slow one fails.
	fastClient := &http.Client{Timeout: 400 * time.Millisecond}
	slowClient := &http.Client{Timeout: 5 * time.Second}
	base := d.url("http") + "/"
	var wg sync.WaitGroup
	slowCodes := make([]int, 16)
	start := time.Now()
	for i := range slowCodes {
		wg.Go(func() {
			req, _ := http.NewRequest("GET", base, nil)
			req.Host = "slow.example.test"
			resp, err := slowClient.Do(req)
			if err != nil {
				t.Errorf("slow tenant request %d: %v", i, err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			slowCodes[i] = resp.StatusCode
		})
	}
	slowDone := make(chan struct{})
	go func() { wg.Wait(); close(slowDone) }()
	fastOK := 0
	for hung := true; hung && fastOK < 2000 && time.Since(start) < 5*time.Second; {
		select {
		case <-slowDone:
			hung = false
			continue
		default:
		}
		if code, body := hostGet(t, fastClient, base, "fast.example.test"); code != 200 || body != "ok" {
			t.Fatalf("fast tenant while slow hangs: %d %q", code, body)
		}
		fastOK++
	}
	<-slowDone
	for i, code := range slowCodes {
		if code != 504 {
			t.Errorf("slow tenant request %d: %d, want 504 from response-header-timeout", i, code)
		}
	}
	if fastOK < 5 {
		t.Fatalf("only %d fast requests while the slow ones hung", fastOK)
	}
	t.Logf("%d hung requests answered 504; %d requests to the other tenant succeeded meanwhile", len(slowCodes), fastOK)
}

// Ensure that with the data directory's disk full, config writes fail
// with an error that says so, serving goes on, the db passes the
// consistency check, and writes work again once there is space.
func TestFaultDiskFull(t *testing.T) {
	dir := tmpfsDir(t, "16m")
	d := startDaemon(t, dir)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer backend.Close()
	d.must("settings", "set", "base-domain", "example.test")
	d.must("tenant", "add", "live")
	d.must("backend", "add", "live", backend.URL)
	d.applied()
	c := &http.Client{Timeout: 5 * time.Second}
	base := d.url("http") + "/"

	filler := fillDisk(t, dir)
	var confirmed []string
	var failure string
	for i := 0; i < 300 && failure == ""; i++ {
		slug := fmt.Sprintf("full-%03d", i)
		_, stderr, code := d.run("tenant", "add", slug, "--name", strings.Repeat("n", 90))
		if code == 0 {
			confirmed = append(confirmed, slug)
			continue
		}
		failure = stderr
	}
	if failure == "" {
		t.Fatalf("300 writes succeeded on a full disk; the test filled nothing")
	}
	if !strings.Contains(failure, "no space left on device") {
		t.Errorf("write on a full disk failed with %q; want it to say there is no space left", failure)
	}
	t.Logf("%d writes succeeded before the disk was full; then: %s", len(confirmed), strings.TrimSpace(failure))
	for range 20 {
		if code, body := hostGet(t, c, base, "live.example.test"); code != 200 || body != "ok" {
			t.Fatalf("serving with the disk full: %d %q", code, body)
		}
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	d.must("tenant", "add", "after-full")
	if code, _ := hostGet(t, c, base, "after-full.example.test"); code == 0 {
		t.Fatal("no answer after the disk had space again")
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		t.Fatalf("reopen after disk full: %v", err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.Check(ctx); err != nil {
		t.Fatalf("consistency check after disk full: %v", err)
	}
	for _, slug := range append(confirmed, "live", "after-full") {
		if _, err := st.Tenant(ctx, slug); err != nil {
			t.Errorf("confirmed write lost: tenant %s: %v", slug, err)
		}
	}
}

// tmpfsDir mounts a tmpfs of size on a new temp directory and unmounts it
// with the test. It skips, saying why, unless the test runs as root where
// mount works.
func tmpfsDir(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("disk-full test needs root to mount a small tmpfs as the data directory")
	}
	dir := filepath.Join(shortTempDir(t), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("disk-full test: cannot mount a tmpfs here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fillDisk writes a file in dir until the file system is full and returns
// its path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for i := 0; i < 1<<14; i++ { // bounded: 1 GiB at most
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return path
			}
			t.Fatal(err)
		}
	}
	t.Fatal("the tmpfs never filled up")
	return ""
}
