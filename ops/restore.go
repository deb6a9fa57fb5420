package ops

// This file is `foyer restore`: check a backup file, stage its parts in
// the data directory, open the staged store (which migrates an older
// schema forward and refuses a newer one), run the consistency check,
// report what it holds, then swap it in atomically. Any refusal before the
// swap leaves the data directory as it was.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/backupfile"
)

// RestoreStore is what Restore needs of a store opened on a directory:
// the store, its schema and its consistency check (boltstore.Store).
type RestoreStore interface {
	store.Store
	store.Versioned
	// Check runs the backend's consistency check over all its data.
	Check(ctx context.Context) error
}

// OpenStore opens the store in a data directory, creating it if missing,
// migrating an older schema forward and refusing a newer one. A store
// another process holds gives an error wrapping store.ErrLocked. cmd/foyer
// passes boltstore's, with a short lock timeout.
type OpenStore func(dir string) (RestoreStore, error)

// RestoreOptions says what Restore restores where.
type RestoreOptions struct {
	// File is the backup file. Required.
	File string
	// DataDir is the data directory to restore into. Required.
	DataDir string
	// DryRun checks the file and reports what would change, changing
	// nothing.
	DryRun bool
	// Decryption holds the passphrase or identities, if the file needs one.
	Decryption backupfile.Decryption
	// Open opens a store on a directory. Required.
	Open OpenStore
	// Out receives the report; default io.Discard.
	Out io.Writer
	// Now is the clock (the name of the kept previous files); default time.Now.
	Now func() time.Time
}

// RestoreResult is what Restore found and did.
type RestoreResult struct {
	// Header is the backup file's header.
	Header backupfile.Header
	// Schema is the restored store's schema after migration.
	Schema uint64
	// Restored is the inventory of the restored store.
	Restored Inventory
	// Current is the inventory of the store it replaces (empty when none).
	Current Inventory
	// Kept are the previous files kept beside the new ones.
	Kept []string
}

// restoreHint is the supported path when a daemon holds the store.
const restoreHint = "stop the daemon first (systemctl stop foyer, or end foyer serve), run foyer restore, then start it again"

// Restore restores the backup opts.File into opts.DataDir (see the file
// comment). The previous foyer.db (and logs.db, when the backup has one)
// is kept as foyer.db.before-restore-<time>.
func Restore(ctx context.Context, opts RestoreOptions) (res RestoreResult, err error) {
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	f, err := os.Open(opts.File)
	if err != nil {
		return res, fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	bf, err := openBackup(f)
	if err != nil {
		return res, fmt.Errorf("restore %s: %w", opts.File, err)
	}
	res.Header = bf.Header
	if _, ok := bf.Header.Part(api.BackupPartStore); !ok {
		return res, fmt.Errorf("restore %s: it holds no %s", opts.File, api.BackupPartStore)
	}
	cur, err := openCurrent(opts)
	if err != nil {
		return res, err
	}
	if cur != nil {
		defer func() { err = errors.Join(err, cur.Close()) }()
		if res.Current, err = Take(ctx, cur); err != nil {
			return res, fmt.Errorf("read the current store: %w", err)
		}
	}
	staging, err := os.MkdirTemp(opts.DataDir, ".restore-")
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(staging) // after the swap, only the staged directory is left
	if err := extract(bf, opts.Decryption, staging); err != nil {
		return res, fmt.Errorf("restore %s: %w", opts.File, err)
	}
	if res.Schema, res.Restored, err = inspect(ctx, opts, bf.Header, staging); err != nil {
		return res, err
	}
	if opts.DryRun {
		return res, nil
	}
	res.Kept, err = swap(bf.Header, staging, opts.DataDir, opts.now())
	return res, err
}

func (o RestoreOptions) now() time.Time {
	if o.Now == nil {
		return time.Now().UTC()
	}
	return o.Now().UTC()
}

// openBackup checks the file's header and body checksum.
func openBackup(f *os.File) (*backupfile.File, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	bf, err := backupfile.Open(f, fi.Size())
	if err != nil {
		return nil, err
	}
	return bf, bf.Verify()
}

// openCurrent opens the store now in the data directory (nil when there
// is none), which both refuses while a daemon holds it and gives the
// inventory a dry run compares with.
func openCurrent(opts RestoreOptions) (RestoreStore, error) {
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("restore: data directory: %w", err)
	}
	if _, err := os.Stat(filepath.Join(opts.DataDir, api.BackupPartStore)); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	cur, err := opts.Open(opts.DataDir)
	if errors.Is(err, store.ErrLocked) {
		return nil, &hintError{error: fmt.Errorf("restore refused: a foyer daemon is using the data directory %s: %w", opts.DataDir, err),
			hint: restoreHint}
	}
	if err != nil {
		return nil, fmt.Errorf("restore: open the current store: %w", err)
	}
	return cur, nil
}

// extract writes every part of the backup into dir, synced.
func extract(bf *backupfile.File, dec backupfile.Decryption, dir string) error {
	return bf.Extract(dec, func(c backupfile.Content, r io.Reader) error {
		if c.Name != api.BackupPartStore && c.Name != api.BackupPartLogs {
			return fmt.Errorf("it holds an unknown part %q; restore it with the foyer that wrote it (%s) or newer", c.Name, bf.Header.FoyerVersion)
		}
		w, err := os.OpenFile(filepath.Join(dir, c.Name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, r)
		if err == nil {
			err = w.Sync()
		}
		return errors.Join(err, w.Close())
	})
}

// inspect opens the staged store (migrating it), checks it and takes its
// inventory.
func inspect(ctx context.Context, opts RestoreOptions, h backupfile.Header, staging string) (schema uint64, inv Inventory, err error) {
	st, err := opts.Open(staging)
	if err != nil {
		return 0, inv, fmt.Errorf("restore %s: the backup's store (schema %d, written by foyer %s) does not open: %w",
			opts.File, h.Schema, h.FoyerVersion, err)
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	if err := st.Check(ctx); err != nil {
		return 0, inv, fmt.Errorf("restore %s: the backup's store fails the consistency check: %w", opts.File, err)
	}
	if schema, err = st.Schema(ctx); err != nil {
		return 0, inv, err
	}
	inv, err = Take(ctx, st)
	return schema, inv, err
}

// hintError is an error with what to do about it, which the CLI prints
// as a "hint:" line.
type hintError struct {
	error
	hint string
}

// Hint says what to do.
func (h *hintError) Hint() string { return h.hint }

// Unwrap returns the error.
func (h *hintError) Unwrap() error { return h.error }

// swap moves the staged parts into dir: each previous file is kept under
// a before-restore name (a hard link, so the live name never disappears),
// then the staged file is renamed over the live name, and dir is synced.
func swap(h backupfile.Header, staging, dir string, now time.Time) ([]string, error) {
	suffix := ".before-restore-" + now.Format("20060102T150405Z")
	var kept []string
	for _, c := range h.Contents {
		live := filepath.Join(dir, c.Name)
		if _, err := os.Stat(live); err == nil {
			keep := live + suffix
			if err := os.Link(live, keep); err != nil {
				return kept, fmt.Errorf("restore: keep the previous %s: %w", c.Name, err)
			}
			kept = append(kept, keep)
		}
		if err := os.Rename(filepath.Join(staging, c.Name), live); err != nil {
			return kept, fmt.Errorf("restore: put the restored %s in place: %w (the previous one is kept in %s)", c.Name, err, dir)
		}
	}
	d, err := os.Open(dir)
	if err == nil {
		err = errors.Join(d.Sync(), d.Close())
	}
	return kept, err
}
