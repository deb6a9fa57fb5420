package boltstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

// helperEnv names what TestHelperProcess does when the test binary runs
// itself as a second foyer process.
const helperEnv, helperDirEnv = "FOYER_BOLTSTORE_HELPER", "FOYER_BOLTSTORE_DIR"

// helper starts this test binary as another process that runs TestHelperProcess.
func helper(t *testing.T, mode, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, helperDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	return cmd
}

func TestHelperProcess(t *testing.T) {
	// Ensure nothing: this is the second process of the lock and crash tests.
	mode, dir := os.Getenv(helperEnv), os.Getenv(helperDirEnv)
	if mode == "" {
		t.Skip("runs only as a helper process")
	}
	s, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper open:", err)
		os.Exit(2)
	}
	switch mode {
	case "hold": // hold the lock until stdin closes
		fmt.Println("ready")
		_, _ = io.Copy(io.Discard, os.Stdin)
		_ = s.Close()
		os.Exit(0)
	case "kill": // commit one change, then die without closing anything
		err := s.Update(context.Background(), "helper", func(tx store.Tx) error {
			return tx.CreateTenant(&store.Tenant{Slug: "survivor"})
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper update:", err)
			os.Exit(2)
		}
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	os.Exit(2)
}

func TestLockedByOtherProcess(t *testing.T) {
	// Ensure that opening a file another process holds fails fast with an
	// error wrapping store.ErrLocked that names the file, the holder's pid
	// and what to do, and that the file opens once the holder is gone.
	dir := t.TempDir()
	cmd := helper(t, "hold", dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start helper: %v", err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	_, err := boltstore.Open(dir, boltstore.Options{LockTimeout: 100 * time.Millisecond})
	want := fmt.Sprintf("foyer.db in %s is locked by another foyer process (pid %d); stop it, or talk to it through its admin socket (foyer status --data %s)",
		dir, cmd.Process.Pid, dir)
	var se *store.Error
	if !errors.Is(err, store.ErrLocked) || !errors.As(err, &se) || err.Error() != want {
		t.Fatalf("open of a held file:\n got %v\nwant %s", err, want)
	}
	_ = stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	mustOpen(t, dir, boltstore.Options{})
}

func TestLockedInSameProcess(t *testing.T) {
	// Ensure that a second open in the same process fails at once, without
	// waiting for the lock timeout, with an error wrapping store.ErrLocked
	// that names the file and the pid.
	dir := t.TempDir()
	mustOpen(t, dir, boltstore.Options{})
	_, err := boltstore.Open(dir+"/.", boltstore.Options{LockTimeout: time.Hour})
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	for _, want := range []string{"foyer.db in " + dir, fmt.Sprintf("pid %d", os.Getpid())} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("second open: %q does not name %q", err, want)
		}
	}
}

func TestKillLosesNothing(t *testing.T) {
	// Ensure that a change Update returned survives a SIGKILL right after
	// it, and that the dead process's stale pid file does not block a
	// new open.
	dir := t.TempDir()
	err := helper(t, "kill", dir).Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper ended with %v, want killed by SIGKILL", err)
	}
	s := mustOpen(t, dir, boltstore.Options{})
	if _, err := s.Tenant(context.Background(), "survivor"); err != nil {
		t.Fatalf("change lost across SIGKILL: %v", err)
	}
	if s.Revision() != 1 {
		t.Fatalf("revision %d after reopen, want 1", s.Revision())
	}
}
