package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ensure that `foyer demo` serves its tenants and that every curl line it
// prints works, over HTTP and HTTPS, as does the CLI line it prints; and
// that the HTTPS answer's certificate, issued by the internal CA, chains to
// the root the demo exported.
func TestDemoPrintedLinesWork(t *testing.T) {
	bin := foyerBinary(t)
	requireTool(t, "curl")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "demo", "--data", dir,
		"--http", "127.0.0.1:0", "--https", "127.0.0.1:0", "--ops", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("demo log:\n%s", logs.String())
		}
	}()

	var curls []string
	var printed strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		printed.WriteString(line + "\n")
		if strings.HasPrefix(line, "curl ") {
			curls = append(curls, line)
		}
		if strings.Contains(line, "Ctrl-C stops it") {
			break
		}
	}
	if len(curls) < 4 || !strings.Contains(printed.String(), "export FOYER_DATA="+dir) {
		t.Fatalf("demo printed too little:\n%s", printed.String())
	}
	for _, line := range curls {
		out, err := exec.CommandContext(ctx, "sh", "-c", line).CombinedOutput()
		if err != nil {
			t.Errorf("%s\n  failed: %v\n%s", line, err, out)
			continue
		}
		if strings.Contains(line, "nobody.") {
			if !strings.Contains(string(out), "404") {
				t.Errorf("%s\n  expected foyer's 404 page, got %s", line, out)
			}
		} else if !strings.Contains(string(out), "Hello from") {
			t.Errorf("%s\n  expected a demo backend's answer, got %s", line, out)
		}
	}
	checkDemoChain(t, dir, curls)
	list := exec.CommandContext(ctx, bin, "tenant", "list")
	list.Env = append(os.Environ(), "FOYER_DATA="+dir)
	out, err := list.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "globex") {
		t.Fatalf("foyer tenant list with FOYER_DATA: %v\n%s", err, out)
	}
}

// checkDemoChain handshakes with the host of the printed HTTPS line and
// verifies the certificate against demo-ca.pem alone.
func checkDemoChain(t *testing.T, dir string, curls []string) {
	t.Helper()
	var hostPort string
	for _, line := range curls {
		if m := regexp.MustCompile(`https://([^/ ]+)/`).FindStringSubmatch(line); m != nil {
			hostPort = m[1]
		}
	}
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		t.Fatalf("no HTTPS line printed: %v", err)
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, "demo-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatalf("demo-ca.pem holds no certificate:\n%s", caPEM)
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", net.JoinHostPort("127.0.0.1", port),
		&tls.Config{ServerName: host, RootCAs: roots})
	if err != nil {
		t.Fatalf("TLS to %s with demo-ca.pem as the only root: %v", host, err)
	}
	defer conn.Close()
	chain := conn.ConnectionState().VerifiedChains[0]
	if root := chain[len(chain)-1]; !strings.HasPrefix(root.Subject.CommonName, "foyer internal CA ") {
		t.Fatalf("chain ends at %q, want foyer's internal CA", root.Subject.CommonName)
	}
}
