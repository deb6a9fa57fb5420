package boltstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/foyerhq/foyer/store"
)

// FileCheck is what a check found in one of the data directory's files.
type FileCheck struct {
	Path    string // absolute path of the file
	Schema  uint64 // foyer.db's schema version (0 for logs.db, which has a layout instead)
	Records int    // how many records were read and decoded
	// Problems is every problem found, one line each; empty when the file
	// is sound.
	Problems []string
}

// OK reports whether the file has no problem.
func (f FileCheck) OK() bool { return len(f.Problems) == 0 }

// CheckOptions tunes CheckDir. The zero value is ready to use.
type CheckOptions struct {
	// LockTimeout bounds how long CheckDir waits for a file's lock before it
	// answers that the daemon holds it. Default 1s.
	LockTimeout time.Duration
}

// CheckDir checks foyer.db and logs.db in dir with foyer stopped, as `foyer
// store check` does: each file is opened read-only (the file is never
// written, not even its pid file), then bbolt's consistency check runs, the
// schema version is checked, and every record is read through the store's
// own read paths. Problems found in a file are in its FileCheck; the error
// is for what stops the check: no foyer.db in dir, or a file locked by a
// running foyer (an error wrapping store.ErrLocked that says to stop it or
// run `foyer doctor`). A missing logs.db is not a problem (it is created on
// start and disposable).
func CheckDir(ctx context.Context, dir string, opts CheckOptions) ([]FileCheck, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("check store: %w", err)
	}
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	path := filepath.Join(dir, dbName)
	if _, err := os.Stat(path); err != nil {
		return nil, store.Errf(store.ErrNotFound, "", "point at the data directory with --data DIR",
			"no %s in %s: %v", dbName, dir, errors.Unwrap(err))
	}
	main, err := checkMainFile(ctx, dir, path, timeout)
	if err != nil {
		return nil, err
	}
	out := []FileCheck{main}
	logsPath := filepath.Join(dir, LogsName)
	if _, err := os.Stat(logsPath); err != nil {
		return out, nil
	}
	logs, err := checkLogsFile(ctx, dir, logsPath, timeout)
	if err != nil {
		return nil, err
	}
	return append(out, logs), nil
}

// openReadOnly opens path read-only with a shared lock; a running foyer
// holds the exclusive lock, so the open times out and gives the daemon's
// error.
func openReadOnly(dir, path string, timeout time.Duration, logs bool) (*bolt.DB, error) {
	o := *bolt.DefaultOptions
	o.ReadOnly = true
	o.Timeout = timeout
	if logs {
		o.NoFreelistSync = true
		o.FreelistType = bolt.FreelistMapType
	}
	db, err := bolt.Open(path, 0o600, &o)
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, daemonHoldsError(dir, path)
	}
	return db, err
}

// daemonHoldsError is the refusal of an offline check while foyer runs.
func daemonHoldsError(dir, path string) error {
	holder := "pid unknown"
	if pid := readPid(filepath.Join(dir, pidName)); pid > 0 {
		holder = "pid " + strconv.Itoa(pid)
	}
	return store.Errf(store.ErrLocked, "", "stop foyer first, or run `foyer doctor --data "+dir+"`, which asks the daemon to check its files",
		"%s is locked by the running foyer (%s): an offline check cannot read it while the daemon runs", path, holder)
}

// checkMainFile checks foyer.db.
func checkMainFile(ctx context.Context, dir, path string, timeout time.Duration) (FileCheck, error) {
	fc := FileCheck{Path: path}
	bdb, err := openReadOnly(dir, path, timeout, false)
	if errors.Is(err, store.ErrLocked) {
		return fc, err
	}
	if err != nil {
		fc.Problems = append(fc.Problems, "bbolt cannot open it: "+err.Error()+" (restore it from a backup)")
		return fc, nil
	}
	defer bdb.Close()
	var db *store.DB
	fc.Problems = guard("reading the settings", func() []string {
		if db, err = store.Open(ctx, &readOnlyKV{db: bdb}, store.Options{}); err != nil {
			return []string{err.Error()}
		}
		return nil
	})
	if db != nil {
		defer db.Close()
	}
	fc.Schema, fc.Records, fc.Problems = verifyMain(ctx, bdb, db, fc.Problems)
	return fc, nil
}

// checkLogsFile checks logs.db.
func checkLogsFile(ctx context.Context, dir, path string, timeout time.Duration) (FileCheck, error) {
	fc := FileCheck{Path: path}
	bdb, err := openReadOnly(dir, path, timeout, true)
	if errors.Is(err, store.ErrLocked) {
		return fc, err
	}
	if err != nil {
		fc.Problems = append(fc.Problems, "bbolt cannot open it: "+err.Error()+" (it is disposable: with foyer stopped, delete it)")
		return fc, nil
	}
	defer bdb.Close()
	l := &Logs{db: bdb, path: path}
	fc.Records, fc.Problems = verifyLogs(ctx, l)
	return fc, nil
}

// Verify checks the open foyer.db as `foyer store check` does, from inside
// the process that holds it: bbolt's consistency check and the schema
// version in one read transaction, then a read of every record through
// the store's read paths. It only reads, so the daemon keeps serving and
// writing while it runs. It returns how many records it read and every
// problem found, joined (nil when the file is sound).
func (s *Store) Verify(ctx context.Context) (int, error) {
	_, n, problems := verifyMain(ctx, s.kv.db, s.DB, nil)
	return n, joinProblems(s.path, problems)
}

// Verify checks the open logs.db: bbolt's consistency check, the meta
// counters against the records, the layout, and a decode of every record.
// It only reads. It returns how many records it read and every problem
// found, joined (nil when the file is sound).
func (l *Logs) Verify(ctx context.Context) (int, error) {
	n, problems := verifyLogs(ctx, l)
	return n, joinProblems(l.path, problems)
}

// joinProblems makes one error of a file's problems, nil for none.
func joinProblems(path string, problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = errors.New(p)
	}
	return fmt.Errorf("check %s: %w", path, errors.Join(errs...))
}

// verifyMain runs the checks of foyer.db: structure and schema over bdb,
// records over db (skipped when nil: the store could not be opened).
// problems are those found before; the result adds to them.
func verifyMain(ctx context.Context, bdb *bolt.DB, db *store.DB, problems []string) (schema uint64, n int, _ []string) {
	problems = append(problems, guard("consistency check", func() []string { return structure(bdb) })...)
	problems = append(problems, guard("schema check", func() []string {
		var p string
		schema, p = checkSchema(bdb)
		if p == "" {
			return nil
		}
		return []string{p}
	})...)
	if db != nil {
		problems = append(problems, guard("record check", func() []string {
			var p []string
			n, p = readRecords(ctx, db)
			return p
		})...)
	}
	return schema, n, problems
}

// checkSchema reads the schema version and says what is wrong with it, if
// anything.
func checkSchema(bdb *bolt.DB) (schema uint64, problem string) {
	err := bdb.View(func(tx *bolt.Tx) (err error) {
		schema, err = readSchema(tx)
		return err
	})
	switch {
	case err != nil:
		return schema, err.Error()
	case schema > currentSchema:
		return schema, (&SchemaError{Have: schema, Max: currentSchema}).Error()
	case schema < currentSchema:
		return schema, fmt.Sprintf("%s has schema %d; this foyer writes %d and migrates it when `foyer serve` starts", dbName, schema, currentSchema)
	}
	return schema, ""
}

// verifyLogs runs the checks of logs.db.
func verifyLogs(ctx context.Context, l *Logs) (n int, problems []string) {
	problems = guard("consistency check", func() []string {
		if err := l.Check(ctx); err != nil {
			return splitJoined(err)
		}
		return nil
	})
	problems = append(problems, guard("record check", func() []string {
		var p []string
		n, p = decodeLogs(l)
		return p
	})...)
	return n, problems
}

// structure runs bbolt's consistency check in one read transaction.
func structure(bdb *bolt.DB) (problems []string) {
	err := bdb.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			problems = append(problems, "bbolt consistency check: "+err.Error())
		}
		return nil
	})
	if err != nil {
		problems = append(problems, err.Error())
	}
	return problems
}

// guard runs fn, turning a panic (bbolt panics on some corrupt pages) into
// a problem of the step named what.
func guard(what string, fn func() []string) (problems []string) {
	defer func() {
		if r := recover(); r != nil {
			problems = append(problems, fmt.Sprintf("%s stopped on a corrupt page: %v (restore the file from a backup)", what, r))
		}
	}()
	return fn()
}

// splitJoined turns an error, often an errors.Join of several, into one
// line per joined error.
func splitJoined(err error) []string {
	var j interface{ Unwrap() []error }
	if !errors.As(err, &j) {
		return []string{err.Error()}
	}
	var out []string
	for _, e := range j.Unwrap() {
		out = append(out, splitJoined(e)...)
	}
	return out
}
