// Package acmetest is test support, never imported by the daemon: it runs
// a real Pebble and pebble-challtestsrv (pinned by go.mod's tool
// directive) as child processes on free loopback ports, with a counting
// proxy in front of Pebble's ACME API, so tests in any package can
// obtain certificates from a real ACME server and prove how many bytes
// reached it. It sits beside store/storetest and imports the standard
// library only.
//
// Under CI=true a tool that cannot be built fails the test; locally it
// skips it. In -short mode every test that starts Pebble is skipped.
package acmetest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	toolsOnce sync.Once
	toolBins  [2]string // pebble, pebble-challtestsrv
	toolsErr  error
)

// tools builds Pebble and challtestsrv once per test binary, unless
// PEBBLE_BIN and PEBBLE_CHALLTESTSRV_BIN name them.
func tools(t testing.TB) (pebble, challtestsrv string) {
	t.Helper()
	if testing.Short() {
		t.Skip("Pebble tests skipped in -short mode")
	}
	toolsOnce.Do(func() {
		toolBins = [2]string{os.Getenv("PEBBLE_BIN"), os.Getenv("PEBBLE_CHALLTESTSRV_BIN")}
		dir, err := os.MkdirTemp("", "foyer-pebble-bin-")
		if err != nil {
			toolsErr = err
			return
		}
		for i, pkg := range []string{"pebble", "pebble-challtestsrv"} {
			if toolBins[i] != "" {
				continue
			}
			toolBins[i] = filepath.Join(dir, pkg)
			out, err := exec.Command("go", "build", "-o", toolBins[i], "github.com/letsencrypt/pebble/v2/cmd/"+pkg).CombinedOutput()
			if err != nil {
				toolsErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
				return
			}
		}
	})
	if toolsErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(toolsErr)
		}
		t.Skip(toolsErr)
	}
	return toolBins[0], toolBins[1]
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	// Below Linux's ephemeral range (32768-60999): a port from that range
	// can be taken by any outgoing connection (to Pebble, say) between
	// this check and the bind that needs it, which failed tests at random.
	for range 200 {
		port := 20000 + mrand.IntN(12000)
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		ln.Close()
		return port
	}
	t.Fatal("no free loopback port between 20000 and 32000")
	return 0
}

// CA is one running Pebble with its DNS server.
type CA struct {
	Directory string         // ACME directory URL, through the counting proxy
	WFERoot   string         // PEM of the root of Pebble's own TLS certificate
	Roots     *x509.CertPool // Pebble's issuing root, for verifying issued leaves
	DNS       string         // challtestsrv's DNS server, host:port
	DNSMgmt   string         // challtestsrv's management API, http://host:port
	proxy     *countingProxy
}

// CABytes is how many bytes clients have sent to Pebble's ACME API.
func (c *CA) CABytes() int64 { return c.proxy.bytes.Load() }

// DNSSet posts body as JSON to challtestsrv's management endpoint path
// (for example "/add-a" or "/set-default-ipv4") and fails the test
// unless it answers 200.
func (c *CA) DNSSet(t testing.TB, path string, body any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(c.DNSMgmt+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("challtestsrv %s: %s", path, resp.Status)
	}
}

// Options is how StartPebble runs Pebble.
type Options struct {
	// HTTPPort and TLSPort are where the VA validates HTTP-01 and
	// TLS-ALPN-01 challenges.
	HTTPPort, TLSPort int
	// EABKeys, when set, makes Pebble require External Account Binding
	// for new accounts and accept these key IDs with their MAC keys
	// (base64url without padding).
	EABKeys map[string]string
}

// StartPebble runs challtestsrv (every name resolves to 127.0.0.1 until
// the test changes it with DNSSet) and Pebble, whose VA validates
// challenges on o.HTTPPort and o.TLSPort. Both stop when the test ends.
func StartPebble(t testing.TB, o Options) *CA {
	t.Helper()
	pebbleBin, ctsBin := tools(t)
	dir := t.TempDir()
	wfeRoot, wfePool := writeWFECert(t, dir)
	dns, cmgmt, acmePort, mgmt := FreePort(t), FreePort(t), FreePort(t), FreePort(t)
	startProcess(t, exec.Command(ctsBin, "-dnsserver", addr(dns), "-management", addr(cmgmt),
		"-http01", "", "-https01", "", "-tlsalpn01", "", "-doh", "",
		"-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""))
	conf, err := json.Marshal(map[string]any{"pebble": map[string]any{
		"listenAddress": addr(acmePort), "managementListenAddress": addr(mgmt),
		"certificate": filepath.Join(dir, "cert.pem"), "privateKey": filepath.Join(dir, "key.pem"),
		"httpPort": o.HTTPPort, "tlsPort": o.TLSPort, "ocspResponderURL": "",
		"externalAccountBindingRequired": len(o.EABKeys) > 0, "externalAccountMACKeys": o.EABKeys,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pebble.json"), conf, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(pebbleBin, "-config", filepath.Join(dir, "pebble.json"), "-dnsserver", addr(dns))
	cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0")
	startProcess(t, cmd)

	hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: wfePool}}}
	waitGET(t, hc, "https://"+addr(acmePort)+"/dir")
	root := waitGET(t, hc, "https://"+addr(mgmt)+"/roots/0")
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(root) {
		t.Fatalf("pebble /roots/0 is not PEM: %q", root)
	}
	px := newCountingProxy(t, addr(acmePort))
	return &CA{Directory: "https://" + px.addr + "/dir", WFERoot: wfeRoot, Roots: roots,
		DNS: addr(dns), DNSMgmt: "http://" + addr(cmgmt), proxy: px}
}

func addr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

// startProcess starts cmd and kills it, by its PID, when the test ends.
func startProcess(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	var out syncBuf
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(cmd.Path), out.String())
		}
	})
}

// waitGET polls url until it answers 200 (a few seconds at most).
func waitGET(t testing.TB, hc *http.Client, url string) []byte {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := hc.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return body
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// syncBuf is a bytes buffer safe for concurrent writers.
type syncBuf struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}

// writeWFECert writes a fresh CA-signed certificate for localhost and
// 127.0.0.1 as DIR/cert.pem and DIR/key.pem, and returns the CA as PEM
// and as a pool.
func writeWFECert(t testing.TB, dir string) (string, *x509.CertPool) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "foyer test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		"key.pem":  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})), pool
}

// countingProxy forwards loopback TCP to target and counts the bytes
// clients send, so a test can prove nothing reached the CA.
type countingProxy struct {
	addr  string
	bytes atomic.Int64
}

func newCountingProxy(t testing.TB, target string) *countingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	var mu sync.Mutex // guards conns
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, up)
			mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); _, _ = io.Copy(countWriter{up, &p.bytes}, c); up.Close() }()
			go func() { defer wg.Done(); _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

// countWriter adds what it writes to n as it goes.
type countWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n.Add(int64(n))
	return n, err
}
