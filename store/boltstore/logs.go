package boltstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/foyerhq/foyer/store"
)

// LogsName is the access log's file name in the data directory, beside
// foyer.db.
const LogsName = "logs.db"

// LogsOptions tunes OpenLogs. The zero value is ready to use.
type LogsOptions struct {
	// LockTimeout bounds how long OpenLogs waits for another process to
	// release the file before it returns an error wrapping
	// store.ErrLocked. Default 1s.
	LockTimeout time.Duration
}

// Logs is a store.Logs in its own bbolt file (logs.db), apart from
// foyer.db so that the access log's volume never delays a configuration
// write or a backup. The file is disposable: deleting it while foyer is
// stopped loses only access-log records.
//
// Durability: every AppendLogs batch is one transaction, committed with
// fsync (bbolt's default). Skipping the fsync (NoSync) would make a batch
// cheaper, and a kill -9 alone would lose nothing by it (the pages are in
// the kernel's cache), but bbolt relies on its data pages reaching the
// disk before the meta page that points at them: after a power cut a
// NoSync file can be torn, not just short. A batch is hundreds of records
// (the recorder's), so one fsync per batch costs microseconds per record;
// logs_bench_test.go measures it. NoFreelistSync (with the hashmap
// freelist) is on: the freelist is rebuilt on open instead of written on
// every commit, which halves the pages a small batch writes, at the cost
// of a scan of the file when it opens.
//
// Retention by size counts the live data, the sum of every record's key
// and value bytes, kept per tenant in the meta bucket. A bbolt file never
// shrinks: pruned pages are reused by later records, so the file settles
// at about the live data plus page slack (see the benchmark's report), and
// LogsInfo.Bytes reports the file's size.
type Logs struct {
	db   *bolt.DB
	path string

	closeOnce sync.Once // Close runs once; later calls return closeErr
	closeErr  error
}

var _ store.Logs = (*Logs)(nil)

// OpenLogs opens (or creates, with mode 0600) the access log at path; its
// directory must exist (boltstore.Open creates the data directory). A file
// held by another process, or already open in this one, gives an error
// wrapping store.ErrLocked that says what to do.
func OpenLogs(path string, opts LogsOptions) (*Logs, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open access log: %w", err)
	}
	if !claim(path) {
		return nil, store.Errf(store.ErrLocked, "", "", "%s is already open in this foyer process (pid %d); close it first", path, os.Getpid())
	}
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	o := *bolt.DefaultOptions // fsync on every commit: see Logs
	o.Timeout = timeout
	o.NoFreelistSync = true
	o.FreelistType = bolt.FreelistMapType
	db, err := bolt.Open(path, 0o600, &o)
	if errors.Is(err, berrors.ErrTimeout) {
		release(path)
		return nil, logsLockedError(path)
	}
	if err != nil {
		release(path)
		return nil, fmt.Errorf("open access log %s: %w (it is disposable: with foyer stopped, delete it and start again)", path, err)
	}
	l := &Logs{db: db, path: path}
	if err := tightenFile(path); err != nil {
		return nil, errors.Join(err, l.Close())
	}
	if err := db.Update(prepareLogs); err != nil {
		return nil, errors.Join(fmt.Errorf("open access log %s: %w", path, err), l.Close())
	}
	return l, nil
}

// prepareLogs creates the buckets of a new file and refuses a layout this
// foyer does not know.
func prepareLogs(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(logsMetaBucket)
	if err != nil {
		return err
	}
	if _, err := tx.CreateBucketIfNotExists(logsTenantsBucket); err != nil {
		return err
	}
	v := meta.Get(logsLayoutKey)
	if v == nil {
		return meta.Put(logsLayoutKey, binary.AppendUvarint(nil, logsLayout))
	}
	if have, _ := binary.Uvarint(v); have != logsLayout {
		return fmt.Errorf("the file has access-log layout %d; this foyer understands %d; it is disposable: with foyer stopped, delete it", have, logsLayout)
	}
	return nil
}

// logsLockedError is the error for a logs.db another process holds.
func logsLockedError(path string) error {
	holder := "pid unknown"
	if pid := readPid(filepath.Join(filepath.Dir(path), pidName)); pid > 0 {
		holder = "pid " + strconv.Itoa(pid)
	}
	return store.Errf(store.ErrLocked, "", "",
		"%s is locked by another foyer process (%s); stop it, or query it through its admin socket (foyer logs)", path, holder)
}

// Path returns the absolute path of the file.
func (l *Logs) Path() string { return l.path }

// Close closes the file and releases its lock; calling it again returns
// the first result.
func (l *Logs) Close() error {
	l.closeOnce.Do(func() {
		l.closeErr = l.db.Close()
		release(l.path)
	})
	return l.closeErr
}

// translateLogs turns bbolt's closed error into store.ErrClosed.
func translateLogs(err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("%s: %w", LogsName, store.ErrClosed)
	}
	return err
}

// update runs fn in a write transaction after checking ctx.
func (l *Logs) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return translateLogs(l.db.Update(fn))
}

// view runs fn in a read transaction after checking ctx.
func (l *Logs) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return translateLogs(l.db.View(fn))
}

// appendFill is the fill percent of tenant buckets in AppendLogs: records
// arrive nearly in key order, so pages split full rather than half full.
const appendFill = 0.95

// AppendLogs implements store.Logs: the batch is one transaction.
func (l *Logs) AppendLogs(ctx context.Context, recs []store.LogRecord) error {
	if len(recs) == 0 {
		return ctx.Err()
	}
	return l.update(ctx, func(tx *bolt.Tx) error {
		root := tx.Bucket(logsTenantsBucket)
		buckets := map[string]*bolt.Bucket{}
		counts := map[string]logCounts{}
		var arena []byte
		for i := range recs {
			r := &recs[i]
			b := buckets[r.Tenant]
			if b == nil {
				var err error
				if b, err = root.CreateBucketIfNotExists(logBucketName(r.Tenant)); err != nil {
					return fmt.Errorf("tenant %q: %w", r.Tenant, err)
				}
				b.FillPercent = appendFill
				buckets[r.Tenant] = b
			}
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			// bbolt keeps the key and value slices until the commit: each
			// record gets its own bytes, key and value, carved from an
			// arena (one allocation per 64 KiB, not one per record).
			if cap(arena)-len(arena) < 512 {
				arena = make([]byte, 0, 64<<10)
			}
			start := len(arena)
			arena = appendLogKey(arena, r.Time, seq)
			k := arena[start:len(arena):len(arena)]
			start = len(arena)
			arena = appendLogRecord(arena, r)
			v := arena[start:len(arena):len(arena)]
			if err := b.Put(k, v); err != nil {
				return err
			}
			c := counts[r.Tenant]
			c.records++
			c.bytes += int64(logKeyLen + len(v))
			counts[r.Tenant] = c
		}
		return addLogCounts(tx, counts)
	})
}

// addLogCounts adds delta to each tenant's counters in meta, deleting an
// entry that falls to no records.
func addLogCounts(tx *bolt.Tx, delta map[string]logCounts) error {
	meta := tx.Bucket(logsMetaBucket)
	for t, d := range delta {
		c := decodeLogCounts(meta.Get(logMetaKey(t)))
		c.records += d.records
		c.bytes += d.bytes
		var err error
		if c.records <= 0 {
			err = meta.Delete(logMetaKey(t))
		} else {
			err = meta.Put(logMetaKey(t), c.encode())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// tenantCounts reads every tenant's counters from meta.
func tenantCounts(tx *bolt.Tx) map[string]logCounts {
	out := map[string]logCounts{}
	c := tx.Bucket(logsMetaBucket).Cursor()
	prefix := []byte("n/")
	for k, v := c.Seek(prefix); k != nil && len(k) >= 2 && string(k[:2]) == "n/"; k, v = c.Next() {
		out[string(k[2:])] = decodeLogCounts(v)
	}
	return out
}

// LogsInfo implements store.Logs: Records from the meta counters, Bytes
// the file's size.
func (l *Logs) LogsInfo(ctx context.Context) (info store.LogsInfo, err error) {
	err = l.view(ctx, func(tx *bolt.Tx) error {
		for _, c := range tenantCounts(tx) {
			info.Records += c.records
		}
		info.Bytes = tx.Size()
		return nil
	})
	return info, err
}

// LiveBytes returns the live data size that retention by size bounds: the
// sum of every record's key and value bytes.
func (l *Logs) LiveBytes(ctx context.Context) (n int64, err error) {
	err = l.view(ctx, func(tx *bolt.Tx) error {
		for _, c := range tenantCounts(tx) {
			n += c.bytes
		}
		return nil
	})
	return n, err
}

// Check runs bbolt's consistency check over the whole file and also
// checks that the meta counters match the records; it returns every
// problem found, joined.
func (l *Logs) Check(ctx context.Context) error {
	var errs []error
	err := l.view(ctx, func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		counts := tenantCounts(tx)
		err := tx.Bucket(logsTenantsBucket).ForEachBucket(func(name []byte) error {
			t := string(name[1:])
			b := tx.Bucket(logsTenantsBucket).Bucket(name)
			var got logCounts
			err := b.ForEach(func(k, v []byte) error {
				got.records++
				got.bytes += int64(len(k) + len(v))
				return nil
			})
			if err == nil && got != counts[t] {
				errs = append(errs, fmt.Errorf("tenant %q holds %+v but meta says %+v", t, got, counts[t]))
			}
			delete(counts, t)
			return err
		})
		for t, c := range counts {
			errs = append(errs, fmt.Errorf("meta counts %+v for tenant %q, which has no records", c, t))
		}
		return err
	})
	if err = errors.Join(append(errs, err)...); err != nil {
		return fmt.Errorf("check %s: %w", l.path, err)
	}
	return nil
}
