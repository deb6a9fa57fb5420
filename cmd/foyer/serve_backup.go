package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/backupfile"
)

// backupSchedule is `foyer serve --backup-dir DIR --backup-every 24h
// --backup-keep 7`: the daemon writes a backup of foyer.db into dir every
// interval and keeps the newest keep. The backups are not encrypted (the
// daemon holds no key to encrypt them with): dir is created owner-only,
// and copying the files elsewhere is the operator's (see docs/backup.md).
type backupSchedule struct {
	dir   string
	every time.Duration
	keep  int
}

func (b *backupSchedule) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&b.dir, "backup-dir", "", "write a backup of foyer.db into DIR every --backup-every (\"\" turns scheduled backups off)")
	cmd.Flags().DurationVar(&b.every, "backup-every", 24*time.Hour, "how often to write a scheduled backup")
	cmd.Flags().IntVar(&b.keep, "backup-keep", 7, "how many scheduled backups to keep in --backup-dir (the newest)")
}

// scheduledPrefix and scheduledSuffix name the files the schedule writes,
// and the only ones it deletes.
const (
	scheduledPrefix = "foyer-scheduled-"
	scheduledSuffix = ".foyerbak"
)

// startBackupSchedule runs runBackupSchedule in a goroutine and returns
// the function that stops it and waits until it has, so the daemon closes
// the store only after a backup in progress ends.
func startBackupSchedule(ctx context.Context, st store.Store, b backupSchedule, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runBackupSchedule(ctx, st, b, log)
	}()
	return func() {
		cancel()
		<-done
	}
}

// runBackupSchedule writes a backup of st every b.every until ctx ends.
// Failures are logged, never fatal: a full disk must not stop the proxy.
// It returns at once when no directory is set or st cannot be backed up.
func runBackupSchedule(ctx context.Context, st store.Store, b backupSchedule, log *slog.Logger) {
	if b.dir == "" {
		return
	}
	src, ok := st.(store.Backuper)
	if !ok || b.every <= 0 {
		log.Error("scheduled backups are off: the store cannot be backed up, or --backup-every is not positive")
		return
	}
	defer func() {
		if r := recover(); r != nil {
			log.Error("scheduled backups stopped after a panic", "panic", r)
		}
	}()
	t := time.NewTicker(b.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			path, err := scheduledBackup(ctx, st, src, b, now)
			if err != nil {
				log.Error("scheduled backup failed", "dir", b.dir, "error", err)
				continue
			}
			log.Info("scheduled backup written", "file", path)
		}
	}
}

// scheduledBackup writes one backup into b.dir and prunes the old ones.
func scheduledBackup(ctx context.Context, st store.Store, src store.Backuper, b backupSchedule, now time.Time) (string, error) {
	if err := os.MkdirAll(b.dir, 0o700); err != nil {
		return "", fmt.Errorf("backup directory: %w", err)
	}
	h := backupfile.Header{FoyerVersion: version, Created: now.UTC()}
	if v, ok := st.(store.Versioned); ok {
		var err error
		if h.Schema, err = v.Schema(ctx); err != nil {
			return "", err
		}
	}
	path := filepath.Join(b.dir, scheduledPrefix+now.UTC().Format("20060102T150405.000Z")+scheduledSuffix)
	_, err := backupfile.Create(path, h, backupfile.Encryption{}, backupfile.Source{Name: "foyer.db",
		Write: func(w io.Writer) (int64, error) { return src.WriteBackup(ctx, w) }})
	if err != nil {
		return "", err
	}
	return path, pruneScheduled(b.dir, b.keep)
}

// pruneScheduled deletes all but the keep newest scheduled backups in dir
// (names sort by time). Files it did not write are never touched.
func pruneScheduled(dir string, keep int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && strings.HasPrefix(n, scheduledPrefix) && strings.HasSuffix(n, scheduledSuffix) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var errs []error
	for len(names) > max(keep, 1) {
		errs = append(errs, os.Remove(filepath.Join(dir, names[0])))
		names = names[1:]
	}
	return errors.Join(errs...)
}
