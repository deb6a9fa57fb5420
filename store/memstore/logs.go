package memstore

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/foyerhq/foyer/store"
)

// Logs is an in-memory store.Logs with the same semantics as boltstore's
// logs.db (store/storetest.RunLogs checks both), for tests of the
// recorder and the admin API. It keeps nothing across a restart.
type Logs struct {
	mu       sync.RWMutex          // guards everything below; AppendLogs and PruneLogs hold it exclusively
	byTenant map[string][]logEntry // tenant -> records, ascending by (time, seq)
	seq      uint64                // the last sequence number given out
	records  int64                 // the number of records held
	bytes    int64                 // the live data size estimate, sum of logSize
	closed   bool
}

// logEntry is one record with its append sequence, which orders records
// of equal time.
type logEntry struct {
	rec store.LogRecord
	seq uint64
}

// ErrLogsClosed is returned by every method of a closed Logs.
var ErrLogsClosed = fmt.Errorf("memstore: access log: %w", store.ErrClosed)

var _ store.Logs = (*Logs)(nil)

// NewLogs returns an empty in-memory access log.
func NewLogs() *Logs {
	return &Logs{byTenant: map[string][]logEntry{}}
}

// logSize estimates a record's stored size as boltstore counts it: its
// strings plus a fixed allowance for the key and the numbers.
func logSize(r *store.LogRecord) int64 {
	return int64(48 + len(r.Tenant) + len(r.RequestID) + len(r.ClientIP) + len(r.Method) +
		len(r.Host) + len(r.Path) + len(r.Upstream) + len(r.TLSVersion) + len(r.SNI) + len(r.Outcome))
}

// less orders entries by time, then sequence.
func (e logEntry) less(o logEntry) bool {
	if !e.rec.Time.Equal(o.rec.Time) {
		return e.rec.Time.Before(o.rec.Time)
	}
	return e.seq < o.seq
}

// AppendLogs implements store.Logs.
func (l *Logs) AppendLogs(ctx context.Context, recs []store.LogRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrLogsClosed
	}
	for _, r := range recs {
		l.seq++
		e := logEntry{rec: r, seq: l.seq}
		s := l.byTenant[r.Tenant]
		// Records nearly always arrive in time order: search from the end.
		i := len(s)
		for i > 0 && e.less(s[i-1]) {
			i--
		}
		l.byTenant[r.Tenant] = slices.Insert(s, i, e)
		l.records++
		l.bytes += logSize(&r)
	}
	return nil
}

// QueryLogs implements store.Logs.
func (l *Logs) QueryLogs(ctx context.Context, q store.LogQuery) ([]store.LogRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return nil, ErrLogsClosed
	}
	var found []logEntry
	if q.Tenant != "" {
		found = l.scanTenant(l.byTenant[q.Tenant], q, limit)
	} else {
		for _, s := range l.byTenant {
			found = append(found, l.scanTenant(s, q, limit)...)
		}
		sort.Slice(found, func(i, j int) bool { return found[j].less(found[i]) })
		found = found[:min(len(found), limit)]
	}
	out := make([]store.LogRecord, len(found))
	for i, e := range found {
		out[i] = e.rec
	}
	return out, nil
}

// scanTenant returns up to limit entries of s that q selects, newest first.
func (l *Logs) scanTenant(s []logEntry, q store.LogQuery, limit int) []logEntry {
	end := len(s)
	if !q.Until.IsZero() {
		end = sort.Search(len(s), func(i int) bool { return !s[i].rec.Time.Before(q.Until) })
	}
	var out []logEntry
	for i := end - 1; i >= 0 && len(out) < limit; i-- {
		r := &s[i].rec
		if !q.Since.IsZero() && r.Time.Before(q.Since) {
			break
		}
		if q.StatusClass != 0 && r.Status/100 != q.StatusClass {
			continue
		}
		out = append(out, s[i])
	}
	return out
}

// PruneLogs implements store.Logs: age first, then the count per tenant,
// then the total size, each removing the oldest records.
func (l *Logs) PruneLogs(ctx context.Context, r store.Retention, now time.Time) (store.PruneResult, error) {
	if err := ctx.Err(); err != nil {
		return store.PruneResult{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return store.PruneResult{}, ErrLogsClosed
	}
	var removed int64
	for t, s := range l.byTenant {
		cut := 0
		if r.MaxAge > 0 {
			cutoff := now.Add(-r.MaxAge)
			cut = sort.Search(len(s), func(i int) bool { return !s[i].rec.Time.Before(cutoff) })
		}
		if r.MaxPerTenant > 0 && len(s)-cut > r.MaxPerTenant {
			cut = len(s) - r.MaxPerTenant
		}
		removed += l.dropOldest(t, cut)
	}
	for r.MaxBytes > 0 && l.bytes > r.MaxBytes {
		// The globally oldest record goes first.
		oldest := ""
		var first *logEntry
		for t, s := range l.byTenant {
			if len(s) > 0 && (first == nil || s[0].less(*first)) {
				oldest, first = t, &s[0]
			}
		}
		if first == nil {
			break
		}
		removed += l.dropOldest(oldest, 1)
	}
	return store.PruneResult{Removed: removed}, nil
}

// dropOldest removes tenant t's n oldest records and returns n.
func (l *Logs) dropOldest(t string, n int) int64 {
	if n <= 0 {
		return 0
	}
	s := l.byTenant[t]
	for i := range n {
		l.bytes -= logSize(&s[i].rec)
	}
	l.records -= int64(n)
	if n == len(s) {
		delete(l.byTenant, t)
	} else {
		l.byTenant[t] = slices.Delete(s, 0, n)
	}
	return int64(n)
}

// LogsInfo implements store.Logs. Bytes is the live data size estimate:
// there is no file.
func (l *Logs) LogsInfo(ctx context.Context) (store.LogsInfo, error) {
	if err := ctx.Err(); err != nil {
		return store.LogsInfo{}, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return store.LogsInfo{}, ErrLogsClosed
	}
	return store.LogsInfo{Records: l.records, Bytes: l.bytes}, nil
}

// Close implements store.Logs; a second Close is a no-op.
func (l *Logs) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	l.byTenant = nil
	return nil
}
