package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store/boltstore"
)

// Ensure that the schedule writes restorable backups, keeps only the
// newest --backup-keep of its own files, never touches other files, and
// stops when told.
func TestBackupSchedule(t *testing.T) {
	st, err := boltstore.Open(newStoreDir(t, "acme"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir := filepath.Join(t.TempDir(), "backups")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "operator-notes.txt"), []byte("mine"), 0o600)
	stop := startBackupSchedule(context.Background(), st, backupSchedule{dir: dir, every: 10 * time.Millisecond, keep: 3}, slog.New(slog.DiscardHandler))
	deadline := time.Now().Add(10 * time.Second)
	for {
		ms, _ := filepath.Glob(filepath.Join(dir, scheduledPrefix+"*"))
		if len(ms) >= 3 {
			time.Sleep(50 * time.Millisecond) // a few more rounds, to prune
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d scheduled backups after 10s", len(ms))
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	ms, _ := filepath.Glob(filepath.Join(dir, scheduledPrefix+"*"+scheduledSuffix))
	if len(ms) != 3 {
		t.Fatalf("%d scheduled backups kept, want 3: %v", len(ms), ms)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "operator-notes.txt")); err != nil || string(b) != "mine" {
		t.Fatal("the schedule touched a file it did not write")
	}
	dst := filepath.Join(t.TempDir(), "data")
	out := mustRun(t, "restore", ms[len(ms)-1], "--data", dst)
	if got := strings.Join(tenantsIn(t, dst), ","); got != "acme" {
		t.Fatalf("restored %q from a scheduled backup\n%s", got, out)
	}
}

// Ensure that a schedule whose directory cannot be made logs the error and
// goes on, rather than stopping the daemon.
func TestBackupScheduleErrorIsNotFatal(t *testing.T) {
	st, err := boltstore.Open(newStoreDir(t), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o600)
	var logs syncBuffer
	stop := startBackupSchedule(context.Background(), st, backupSchedule{dir: filepath.Join(file, "sub"), every: 5 * time.Millisecond, keep: 1},
		slog.New(slog.NewTextHandler(&logs, nil)))
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(logs.String(), "scheduled backup failed") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no repeated failure logged: %s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
}
