package boltstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
	"github.com/foyerhq/foyer/store/storetest"
)

// openLogs opens a logs.db in a new temp dir; cleanup checks the file's
// consistency (unless the test closed it) and closes it.
func openLogs(t testing.TB) *boltstore.Logs {
	t.Helper()
	l, err := boltstore.OpenLogs(filepath.Join(t.TempDir(), boltstore.LogsName), boltstore.LogsOptions{})
	if err != nil {
		t.Fatalf("OpenLogs: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Check(context.Background()); err != nil && !errors.Is(err, store.ErrClosed) {
			t.Errorf("check: %v", err)
		}
		_ = l.Close()
	})
	return l
}

func TestLogsConformance(t *testing.T) {
	// Ensure that logs.db passes the Logs conformance suite, and that after
	// each part the file is consistent and its meta counters match.
	storetest.RunLogs(t, func(t *testing.T) store.Logs { return openLogs(t) })
}

func TestLogsFile(t *testing.T) {
	// Ensure that logs.db is created owner-only, keeps its records across
	// a reopen, counts its live bytes, and refuses a second open in the
	// same process at once with ErrLocked.
	path := filepath.Join(t.TempDir(), boltstore.LogsName)
	l, err := boltstore.OpenLogs(path, boltstore.LogsOptions{})
	if err != nil {
		t.Fatalf("OpenLogs: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode of %s: %v, %v; want 0600", path, fi.Mode().Perm(), err)
	}
	if _, err := boltstore.OpenLogs(path, boltstore.LogsOptions{}); !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "already open in this foyer process") {
		t.Errorf("second open: %v, want ErrLocked saying it is open here", err)
	}
	ctx := context.Background()
	rec := store.LogRecord{Time: time.Unix(1700000000, 5), Tenant: "acme", Path: "/x", Status: 200}
	if err := l.AppendLogs(ctx, []store.LogRecord{rec, rec}); err != nil {
		t.Fatalf("AppendLogs: %v", err)
	}
	if n, err := l.LiveBytes(ctx); err != nil || n < 2*(16+10) || n > 2*(16+40) {
		t.Errorf("LiveBytes = %d, %v; want two small records", n, err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	l, err = boltstore.OpenLogs(path, boltstore.LogsOptions{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer l.Close()
	info, err := l.LogsInfo(ctx)
	if err != nil || info.Records != 2 || info.Bytes < 16<<10 {
		t.Errorf("LogsInfo after reopen: %+v, %v; want 2 records in a file of some pages", info, err)
	}
	if err := l.Check(ctx); err != nil {
		t.Errorf("Check: %v", err)
	}
}

// writeLayout writes a logs.db at path as foyer did with layout (1: one
// key per record), holding one record of tenant acme.
func writeLayout(t *testing.T, path string, layout byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket([]byte("meta"))
		tenants, _ := tx.CreateBucket([]byte("tenants"))
		acme, err := tenants.CreateBucket([]byte("tacme"))
		if err != nil {
			return err
		}
		_ = meta.Put([]byte("n/acme"), []byte{1, 30})
		_ = acme.Put(make([]byte, 16), append([]byte{1}, make([]byte, 14)...))
		return meta.Put([]byte("layout"), []byte{layout})
	})
	if err = errors.Join(err, db.Close()); err != nil {
		t.Fatal(err)
	}
}

func TestLogsOldLayoutSetAside(t *testing.T) {
	// Ensure that a logs.db of layout 1 (one key per record) is renamed
	// aside to logs.db.old-format-<time>, untouched, and a new empty one
	// takes its place; and that a layout this foyer does not know is
	// refused with an error that says what to do.
	dir := t.TempDir()
	path := filepath.Join(dir, boltstore.LogsName)
	writeLayout(t, path, 1)
	l, err := boltstore.OpenLogs(path, boltstore.LogsOptions{})
	if err != nil {
		t.Fatalf("OpenLogs of layout 1: %v", err)
	}
	ctx := context.Background()
	if info, err := l.LogsInfo(ctx); err != nil || info.Records != 0 {
		t.Errorf("new file: %+v, %v; want no records", info, err)
	}
	if err := l.Check(ctx); err != nil {
		t.Errorf("Check of the new file: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	aside, _ := filepath.Glob(path + ".old-format-*")
	if len(aside) != 1 {
		t.Fatalf("files set aside: %v, want one", aside)
	}
	db, err := bolt.Open(aside[0], 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open the old file: %v", err)
	}
	_ = db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("meta")).Get([]byte("layout")); len(v) != 1 || v[0] != 1 {
			t.Errorf("old file's layout %v, want 1, untouched", v)
		}
		return nil
	})
	_ = db.Close()

	writeLayout(t, path+"3", 3)
	if _, err := boltstore.OpenLogs(path+"3", boltstore.LogsOptions{}); err == nil ||
		!strings.Contains(err.Error(), "layout 3") || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("OpenLogs of layout 3: %v; want a refusal that says to delete it", err)
	}
}

// The logs helper process's modes, in logsHelperEnv; the file in logsPathEnv.
const logsHelperEnv, logsPathEnv = "FOYER_LOGS_HELPER", "FOYER_LOGS_PATH"

// crashBatch is the size of the helper's batches in the crash test.
const crashBatch = 64

func logsHelper(mode, path string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestLogsHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), logsHelperEnv+"="+mode, logsPathEnv+"="+path)
	cmd.Stderr = os.Stderr
	return cmd
}

func TestLogsHelperProcess(t *testing.T) {
	// Ensure nothing: this is the second process of the lock and crash tests.
	mode, path := os.Getenv(logsHelperEnv), os.Getenv(logsPathEnv)
	if mode == "" {
		t.Skip("runs only as a helper process")
	}
	l, err := boltstore.OpenLogs(path, boltstore.LogsOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper open:", err)
		os.Exit(2)
	}
	switch mode {
	case "hold": // hold the lock until stdin closes
		fmt.Println("ready")
		_, _ = io.Copy(io.Discard, os.Stdin)
		_ = l.Close()
		os.Exit(0)
	case "log": // append batches, saying which committed, until killed (or a bound)
		deadline := time.Now().Add(60 * time.Second)
		for b := 0; b < 100_000 && time.Now().Before(deadline); b++ {
			recs := make([]store.LogRecord, crashBatch)
			for i := range recs {
				recs[i] = store.LogRecord{Time: time.Unix(1700000000+int64(b), int64(i)), Tenant: fmt.Sprintf("t%d", i%7),
					RequestID: fmt.Sprintf("%d/%d", b, i), Path: "/crash", Status: 200, Outcome: store.OutcomeAllowed}
			}
			if err := l.AppendLogs(context.Background(), recs); err != nil {
				fmt.Fprintln(os.Stderr, "helper append:", err)
				os.Exit(2)
			}
			fmt.Println(b)
		}
		os.Exit(3)
	}
	os.Exit(2)
}

func TestLogsLockedByOtherProcess(t *testing.T) {
	// Ensure that opening a logs.db another process holds fails after the
	// lock timeout with ErrLocked and a message that says what to do.
	path := filepath.Join(t.TempDir(), boltstore.LogsName)
	cmd := logsHelper("hold", path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start helper: %v", err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	_, err := boltstore.OpenLogs(path, boltstore.LogsOptions{LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), path+" is locked by another foyer process") ||
		!strings.Contains(err.Error(), "stop it") {
		t.Errorf("open while held: %v; want ErrLocked naming the file and what to do", err)
	}
}

func TestLogsKillDuringLogging(t *testing.T) {
	// Ensure that a kill -9 during sustained logging leaves logs.db
	// openable and consistent (bbolt's tx.Check and the meta counters),
	// with every batch the writer saw committed whole, at most one more
	// batch (committed, not yet reported), and no torn batch.
	path := filepath.Join(t.TempDir(), boltstore.LogsName)
	cmd := logsHelper("log", path)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start helper: %v", err)
	}
	lines := bufio.NewScanner(stdout)
	last := -1
	for last < 200 && lines.Scan() {
		last, _ = strconv.Atoi(lines.Text())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill: %v", err)
	}
	for lines.Scan() { // batches reported before the kill landed
		last, _ = strconv.Atoi(lines.Text())
	}
	_ = cmd.Wait()
	if last < 200 {
		t.Fatalf("the helper reported only %d batches", last+1)
	}

	l, err := boltstore.OpenLogs(path, boltstore.LogsOptions{})
	if err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	defer l.Close()
	ctx := context.Background()
	if err := l.Check(ctx); err != nil {
		t.Fatalf("check after kill: %v", err)
	}
	recs, err := l.QueryLogs(ctx, store.LogQuery{Limit: 1 << 30})
	if err != nil {
		t.Fatalf("QueryLogs: %v", err)
	}
	perBatch := map[int]int{}
	for _, r := range recs {
		b, _ := strconv.Atoi(strings.Split(r.RequestID, "/")[0])
		perBatch[b]++
	}
	for b := 0; b <= last; b++ {
		if perBatch[b] != crashBatch {
			t.Errorf("batch %d (reported committed) has %d records, want %d", b, perBatch[b], crashBatch)
		}
	}
	if n := perBatch[last+1]; n != 0 && n != crashBatch {
		t.Errorf("the unreported batch %d is torn: %d records", last+1, n)
	}
	if len(perBatch) > last+2 {
		t.Errorf("%d batches stored, want at most %d", len(perBatch), last+2)
	}
	info, _ := l.LogsInfo(ctx)
	t.Logf("killed after batch %d reported; %d records stored, file %d bytes", last, info.Records, info.Bytes)
}
