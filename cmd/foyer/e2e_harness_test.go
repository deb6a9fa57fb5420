package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// The whole-binary tests build foyer once and run it as a process: the
// daemon with real listeners on 127.0.0.1, and the CLI against it.

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// foyerBinary builds cmd/foyer once per test run.
func foyerBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("whole-binary test skipped in -short mode")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "foyer-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "foyer")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// daemon is a `foyer serve` process on free loopback ports.
type daemon struct {
	t      *testing.T
	bin    string
	dir    string
	cmd    *exec.Cmd
	logs   *syncBuffer
	done   chan struct{}
	status api.Status
}

// syncBuffer is a bytes.Buffer safe for a process to write while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDaemon runs `foyer serve` on dir and waits until it answers.
// testResolver is the DNS server every test daemon's domain checks ask: a
// loopback port where nothing listens, so a check fails at once instead of
// asking the machine's resolver.
const testResolver = "127.0.0.1:9"

// fastEngine reports whether the test daemons run the fast engine
// (FOYER_TEST_ENGINE, else the binary's default).
func fastEngine() bool {
	e := os.Getenv("FOYER_TEST_ENGINE")
	return e == "fast" || e == "" && defaultEngine == "fast"
}

func startDaemon(t *testing.T, dir string) *daemon {
	t.Helper()
	return startDaemonOn(t, dir, "127.0.0.1:0", "127.0.0.1:0")
}

// startDaemonOn is startDaemon with the HTTP and HTTPS listeners on the
// given addresses (an ACME CA validates challenges on fixed ports) and
// extra `foyer serve` flags.
func startDaemonOn(t *testing.T, dir, httpAddr, httpsAddr string, extra ...string) *daemon {
	t.Helper()
	d := &daemon{t: t, bin: foyerBinary(t), dir: dir, logs: &syncBuffer{}, done: make(chan struct{})}
	args := []string{"serve", "--data", dir, "--http", httpAddr, "--https", httpsAddr, "--ops", "127.0.0.1:0", "--log-level", "debug"}
	args = append(args, extra...)
	if e := os.Getenv("FOYER_TEST_ENGINE"); e != "" { // std or fast; default: the binary's default
		args = append(args, "--engine", e)
	}
	d.cmd = exec.Command(d.bin, args...)
	d.cmd.Stdout, d.cmd.Stderr = d.logs, d.logs
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		d.kill()
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.logs.String())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		out, _, code := d.run("status", "--json")
		if code == 0 && json.Unmarshal([]byte(out), &d.status) == nil && d.status.Listeners["http"] != "" {
			// Domain checks (the background verifier) ask this resolver,
			// where nothing listens: no test query leaves the loopback.
			if _, stderr, code := d.run("settings", "set", "dns-resolver", testResolver); code != 0 {
				t.Fatalf("settings set dns-resolver: %s", stderr)
			}
			return d
		}
		select {
		case <-d.done:
			t.Fatalf("foyer serve exited early:\n%s", d.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("foyer serve did not answer in 15s:\n%s", d.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// run runs the CLI against the daemon's data directory.
func (d *daemon) run(args ...string) (stdout, stderr string, code int) {
	return runFoyer(d.t, d.bin, append([]string{"--data", d.dir}, args...)...)
}

func runFoyer(t *testing.T, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("foyer %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

// must runs a CLI command that has to succeed and returns its output.
func (d *daemon) must(args ...string) string {
	d.t.Helper()
	out, errOut, code := d.run(args...)
	if code != 0 {
		d.t.Fatalf("foyer %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// mustJSON runs a read command with --json and decodes its output.
func (d *daemon) mustJSON(v any, args ...string) {
	d.t.Helper()
	out := d.must(append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		d.t.Fatalf("foyer %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// applied waits until the route table in service is built from the
// store's newest revision.
func (d *daemon) applied() {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var s api.Status
		d.mustJSON(&s, "status")
		if s.TableRevision >= s.Revision {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("revision %d not applied (table at %d, error %q)", s.Revision, s.TableRevision, s.TableError)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// url returns the base URL of listener name ("http", "https", "ops").
func (d *daemon) url(name string) string {
	scheme := "http"
	if name == "https" {
		scheme = "https"
	}
	return scheme + "://" + d.status.Listeners[name]
}

// stop sends SIGTERM and waits for a graceful exit.
func (d *daemon) stop() error {
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
		return nil
	case <-time.After(20 * time.Second):
		return errors.New("foyer serve did not stop within 20s of SIGTERM")
	}
}

// kill ends the daemon at once (SIGKILL), as a crash would.
func (d *daemon) kill() {
	d.cmd.Process.Kill()
	<-d.done
}

// hostGet sends GET url with a Host header over client and returns status and body.
func hostGet(t *testing.T, c *http.Client, url, host string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Host = host
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s (Host %s): %v", url, host, err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// requireTool skips when a tool is missing, but fails under CI=true.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI (.ci/run installs it)", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}
