package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ensure that `foyer demo` serves its tenants and that every curl line it
// prints works, over HTTP and HTTPS, as does the CLI line it prints.
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
	list := exec.CommandContext(ctx, bin, "tenant", "list")
	list.Env = append(os.Environ(), "FOYER_DATA="+dir)
	out, err := list.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "globex") {
		t.Fatalf("foyer tenant list with FOYER_DATA: %v\n%s", err, out)
	}
}
