package ops

// This file is `foyer backup`: a backup file of the store, written through
// the running daemon (GET /v1/backup) or, with the daemon stopped, from a
// store cmd/foyer opened. store/backupfile is the format.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/backupfile"
)

// BackupOptions says where and how Backup writes.
type BackupOptions struct {
	// Path is the file to write (replaced atomically, mode 0600). Required.
	Path string
	// WithLogs adds logs.db, the access log.
	WithLogs bool
	// Encryption encrypts the body; the zero value does not.
	Encryption backupfile.Encryption
	// FoyerVersion is recorded in the header.
	FoyerVersion string
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (o BackupOptions) now() time.Time {
	if o.Now == nil {
		return time.Now().UTC()
	}
	return o.Now().UTC()
}

// BackupResult is what Backup wrote.
type BackupResult struct {
	// Header is the file's header.
	Header backupfile.Header
	// Path is the file written.
	Path string
	// Bytes is the file's size.
	Bytes int64
}

// Backup writes a backup through the running daemon: each part is a
// consistent snapshot it streams while it keeps serving.
func Backup(ctx context.Context, c *api.Client, opts BackupOptions) (BackupResult, error) {
	h := backupfile.Header{FoyerVersion: opts.FoyerVersion, Created: opts.now()}
	db, err := c.Backup(ctx, api.BackupPartStore)
	if err != nil {
		return BackupResult{}, err
	}
	defer db.Close()
	h.Schema = db.Schema
	sources := []backupfile.Source{{Name: api.BackupPartStore, Write: streamSource(db)}}
	if opts.WithLogs {
		sources = append(sources, backupfile.Source{Name: api.BackupPartLogs, Write: func(w io.Writer) (int64, error) {
			s, err := c.Backup(ctx, api.BackupPartLogs)
			if err != nil {
				return 0, err
			}
			return streamSource(s)(w)
		}})
	}
	return create(opts, h, sources)
}

// streamSource copies a daemon's snapshot stream and checks it arrived whole.
func streamSource(s *api.BackupStream) func(io.Writer) (int64, error) {
	return func(w io.Writer) (int64, error) {
		n, err := io.Copy(w, s)
		return n, errors.Join(err, s.Close())
	}
}

// BackupOffline writes a backup from stores cmd/foyer opened itself, with
// the daemon stopped. db must implement store.Backuper (and, for the
// header's schema, store.Versioned); logs is written when opts.WithLogs is
// set and must then implement store.Backuper too.
func BackupOffline(ctx context.Context, db store.Store, logs any, opts BackupOptions) (BackupResult, error) {
	h := backupfile.Header{FoyerVersion: opts.FoyerVersion, Created: opts.now()}
	b, ok := db.(store.Backuper)
	if !ok {
		return BackupResult{}, errors.New("this store cannot be backed up offline; back up through the daemon")
	}
	if v, ok := db.(store.Versioned); ok {
		var err error
		if h.Schema, err = v.Schema(ctx); err != nil {
			return BackupResult{}, err
		}
	}
	sources := []backupfile.Source{{Name: api.BackupPartStore, Write: func(w io.Writer) (int64, error) { return b.WriteBackup(ctx, w) }}}
	if opts.WithLogs {
		lb, ok := logs.(store.Backuper)
		if !ok {
			return BackupResult{}, errors.New("the access log cannot be backed up offline; leave out --with-logs")
		}
		sources = append(sources, backupfile.Source{Name: api.BackupPartLogs, Write: func(w io.Writer) (int64, error) { return lb.WriteBackup(ctx, w) }})
	}
	return create(opts, h, sources)
}

// create writes the file and reports its size.
func create(opts BackupOptions, h backupfile.Header, sources []backupfile.Source) (BackupResult, error) {
	if opts.Path == "" {
		return BackupResult{}, errors.New("no backup file named")
	}
	h, err := backupfile.Create(opts.Path, h, opts.Encryption, sources...)
	if err != nil {
		return BackupResult{}, err
	}
	return BackupResult{Header: h, Path: opts.Path, Bytes: backupfile.HeaderSize + h.BodyBytes}, nil
}

// DefaultBackupName is the file name `foyer backup` writes without -o:
// foyer-backup-20260102T150405Z.foyerbak, in UTC so names sort by time.
func DefaultBackupName(t time.Time) string {
	return "foyer-backup-" + t.UTC().Format("20060102T150405Z") + ".foyerbak"
}

// ExposedDir reports whether the directory path is written in may be
// listed by every user (o+r): the file itself is 0600, but a directory
// anyone can browse is where backups get copied, served or left behind,
// and an unencrypted one holds every private key. It returns the
// directory.
func ExposedDir(path string) (string, bool) {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return dir, false
	}
	return dir, fi.Mode().Perm()&0o004 != 0 || fi.Mode()&fs.ModeSticky != 0
}

// BackupSummary is one line about a written backup, for the CLI.
func BackupSummary(r BackupResult, took time.Duration) string {
	enc := "not encrypted"
	if r.Header.Encryption != backupfile.EncryptNone {
		enc = "encrypted (" + r.Header.Encryption + ")"
	}
	var raw int64
	var names []string
	for _, c := range r.Header.Contents {
		raw += c.Bytes
		names = append(names, c.Name)
	}
	return fmt.Sprintf("wrote %s: %s of %v (%s, schema %d), %s, in %s",
		r.Path, human(r.Bytes), names, human(raw), r.Header.Schema, enc, took.Round(time.Millisecond))
}

// human is a byte count for people.
func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
