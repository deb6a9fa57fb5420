package proxy

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"
)

// testEngine is the engine the package's tests put in front of the
// handler: FOYER_TEST_ENGINE ("fast" or "std"; default std).
func testEngine() string {
	if os.Getenv("FOYER_TEST_ENGINE") == "fast" {
		return "fast"
	}
	return "std"
}

// frontend serves h on a loopback listener for a test, through the
// engine testEngine names: the same tests then check both engines (one
// conformance suite). The *httptest.Server it returns has the URL and
// Client of that listener.
func frontend(t testing.TB, h http.Handler) *httptest.Server {
	ts := httptest.NewUnstartedServer(h)
	if testEngine() != "fast" {
		ts.Start()
		return ts
	}
	addr, stop := serveEngine(t, h, EngineConfig{MaxHeaderBytes: 1 << 20})
	ts.Listener.Close()
	tcp, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ts.Listener = &idleListener{addr: tcp, done: make(chan struct{}), stop: stop}
	ts.Start() // its own server accepts nothing; the engine serves the address
	t.Cleanup(ts.Close)
	return ts
}

// idleListener is a listener that accepts nothing and reports addr; its
// Close stops the engine (so the server's Close waits for its requests,
// as httptest's does).
type idleListener struct {
	addr net.Addr
	done chan struct{}
	stop func()
}

func (l *idleListener) Accept() (net.Conn, error) { <-l.done; return nil, net.ErrClosed }
func (l *idleListener) Addr() net.Addr            { return l.addr }
func (l *idleListener) Close() error {
	select {
	case <-l.done:
	default:
		close(l.done)
		l.stop()
	}
	return nil
}

// Ensure that the package's tests pass with the fast engine in front of
// the handler too (when they ran with the standard one): the test binary
// runs itself again under FOYER_TEST_ENGINE=fast.
func TestFastConformance(t *testing.T) {
	if testEngine() == "fast" {
		t.Skip("this run is the fast engine's")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	cmd := exec.Command(os.Args[0], "-test.count=1", "-test.skip", "^(TestFastConformance|Benchmark.*)$")
	cmd.Env = append(os.Environ(), "FOYER_TEST_ENGINE=fast")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the package's tests under the fast engine failed: %v\n%s", err, out)
	}
}
