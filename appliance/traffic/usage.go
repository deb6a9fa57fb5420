package traffic

import (
	"cmp"
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/store"
)

// Usage rollups are aggregated in Enqueue's path, not by the batch
// writer: usage is for billing, so it must count every request even when
// the access log is off or its queue is full and drops records. The cost
// is a read lock of one of usageShards shards and one lock per tenant
// (never a lock shared by all tenants): see BenchmarkEnqueue. A tenant's
// first request adds it to its shard's map under the shard's lock: O(1),
// where a copy-on-write map copied every tenant (O(N) per new tenant,
// O(N^2) for a first request from each; see BenchmarkUsageFirstRequests).

// idleFlushes is how many usage flushes a tenant may go without traffic
// before its accumulator is released (a deleted tenant's, for example).
const idleFlushes = 60

// maxPendingRows bounds the rows kept for retry while AddUsage fails.
const maxPendingRows = 100_000

// usageShards is how many shards the tenants are spread over: enough that
// two cores rarely meet on one shard's read lock.
const usageShards = 64

// usageTable holds one accumulator per tenant, in shards by a hash of
// the tenant's slug.
type usageTable struct {
	shards [usageShards]usageShard

	flushMu sync.Mutex       // guards pending; one flush at a time
	pending []store.UsageRow // rows AddUsage refused, retried next flush
	lost    atomic.Uint64    // rows given up after maxPendingRows
}

// usageShard is one shard of the tenants. Locks are taken shard first,
// then a tenant's.
type usageShard struct {
	mu      sync.RWMutex            // guards tenants
	tenants map[string]*tenantUsage // nil until the shard's first tenant
	_       [64]byte                // keeps shards' locks on their own cache lines
}

// shard returns tenant's shard (FNV-1a of the slug; no allocation).
func (t *usageTable) shard(tenant string) *usageShard {
	h := uint32(2166136261)
	for i := 0; i < len(tenant); i++ {
		h ^= uint32(tenant[i])
		h *= 16777619
	}
	return &t.shards[h%usageShards]
}

// tenantUsage is one tenant's minutes not yet written.
type tenantUsage struct {
	mu      sync.Mutex     // guards minutes, idle and dead
	minutes []*usageMinute // ordered by start; usually one or two
	idle    int            // flushes in a row that found no minutes
	dead    bool           // removed from the table; observe must look again
}

// usageMinute is one tenant's traffic in one minute.
type usageMinute struct {
	minute                              int64 // Unix time / 60
	requests, errors, bytesIn, bytesOut int64
	latency                             store.Histogram
}

// observe adds rec to its tenant's minute. Requests that matched no
// tenant are not billed to anyone and are skipped.
func (t *usageTable) observe(rec *store.LogRecord) {
	if rec.Tenant == "" {
		return
	}
	minute := rec.Time.Unix() / 60
	for {
		tu := t.lookup(rec.Tenant)
		tu.mu.Lock()
		if tu.dead {
			tu.mu.Unlock()
			continue
		}
		tu.minuteFor(minute).add(rec)
		tu.mu.Unlock()
		return
	}
}

// lookup returns tenant's accumulator, adding one if there is none.
func (t *usageTable) lookup(tenant string) *tenantUsage {
	sh := t.shard(tenant)
	sh.mu.RLock()
	tu, ok := sh.tenants[tenant]
	sh.mu.RUnlock()
	if ok {
		return tu
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if tu, ok := sh.tenants[tenant]; ok {
		return tu
	}
	if sh.tenants == nil {
		sh.tenants = make(map[string]*tenantUsage)
	}
	tu = &tenantUsage{}
	sh.tenants[tenant] = tu
	return tu
}

// minuteFor returns the accumulator of minute, adding it in order.
func (tu *tenantUsage) minuteFor(minute int64) *usageMinute {
	for i := len(tu.minutes) - 1; i >= 0; i-- {
		if m := tu.minutes[i]; m.minute == minute {
			return m
		} else if m.minute < minute {
			break
		}
	}
	m := &usageMinute{minute: minute}
	tu.minutes = append(tu.minutes, m)
	sort.Slice(tu.minutes, func(i, j int) bool { return tu.minutes[i].minute < tu.minutes[j].minute })
	return m
}

func (m *usageMinute) add(rec *store.LogRecord) {
	m.requests++
	if rec.Status >= 500 && rec.Status <= 599 {
		m.errors++
	}
	m.bytesIn += rec.BytesIn
	m.bytesOut += rec.BytesOut
	m.latency.Observe(rec.Duration)
}

// take removes and returns the finished minutes (before minute now), or
// every minute when all is true; it releases tenants idle too long.
func (t *usageTable) take(now int64, all bool) []store.UsageRow {
	var rows []store.UsageRow
	var idle []string
	for i := range t.shards {
		sh := &t.shards[i]
		idle = idle[:0]
		sh.mu.RLock()
		for tenant, tu := range sh.tenants {
			var long bool
			if rows, long = tu.take(tenant, now, all, rows); long {
				idle = append(idle, tenant)
			}
		}
		sh.mu.RUnlock()
		if len(idle) > 0 {
			sh.release(idle)
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Tenant != rows[j].Tenant {
			return rows[i].Tenant < rows[j].Tenant
		}
		return rows[i].Start.Before(rows[j].Start)
	})
	return rows
}

// take appends tu's finished minutes to rows and counts an idle flush
// when it has none left; long reports idleFlushes of them in a row.
func (tu *tenantUsage) take(tenant string, now int64, all bool, rows []store.UsageRow) (_ []store.UsageRow, long bool) {
	tu.mu.Lock()
	defer tu.mu.Unlock()
	keep := tu.minutes[:0]
	for _, um := range tu.minutes {
		if all || um.minute < now {
			rows = append(rows, um.row(tenant))
		} else {
			keep = append(keep, um)
		}
	}
	clear(tu.minutes[len(keep):])
	tu.minutes = keep
	if len(tu.minutes) == 0 {
		tu.idle++
	} else {
		tu.idle = 0
	}
	return rows, tu.idle >= idleFlushes
}

// release removes idle tenants' accumulators that are still empty,
// marking them dead so an observe holding one looks again.
func (sh *usageShard) release(tenants []string) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, tenant := range tenants {
		tu, ok := sh.tenants[tenant]
		if !ok {
			continue
		}
		tu.mu.Lock()
		if len(tu.minutes) == 0 {
			tu.dead = true
			delete(sh.tenants, tenant)
		}
		tu.mu.Unlock()
	}
}

func (m *usageMinute) row(tenant string) store.UsageRow {
	return store.UsageRow{Tenant: tenant, Start: time.Unix(m.minute*60, 0).UTC(), Span: store.SpanMinute,
		Requests: m.requests, Errors: m.errors, BytesIn: m.bytesIn, BytesOut: m.bytesOut, Latency: m.latency}
}

// usageLoop writes finished minutes every UsageInterval and compacts
// the rollups every CompactInterval, until ctx ends.
func (a *AccessLog) usageLoop(ctx context.Context) {
	flush := time.NewTicker(a.opts.UsageInterval)
	defer flush.Stop()
	compact := time.NewTicker(a.opts.CompactInterval)
	defer compact.Stop()
	for {
		select {
		case <-ctx.Done():
			return // Run writes the rest
		case <-flush.C:
			a.flushUsage(ctx, false)
		case <-compact.C:
			a.compactUsage(ctx)
		}
	}
}

// usageBatchRows is how many rows one AddUsage writes. Each call is its
// own transaction, so a flush of 100,000 tenants' minutes neither holds
// the store's single writer (and every configuration change) for long nor
// inserts 100,000 keys in one transaction: bbolt splits a B-tree node
// only at commit, so the first flush of 100,000 new tenants took 74 s in
// one transaction and 0.35 s in batches of 1,000.
const usageBatchRows = 1000

// flushUsage writes the finished minutes (every minute when all is true,
// on stop), usageBatchRows at a time. A batch AddUsage refuses is kept
// and retried next time; the others are written (each batch is atomic,
// so no row is written twice).
func (a *AccessLog) flushUsage(ctx context.Context, all bool) {
	u := &a.usage
	u.flushMu.Lock()
	defer u.flushMu.Unlock()
	rows := append(u.pending, u.take(a.opts.Now().Unix()/60, all)...)
	u.pending = nil
	if len(rows) == 0 || a.opts.Usage == nil {
		return
	}
	var failed []store.UsageRow
	var firstErr error
	for lo := 0; lo < len(rows); lo += usageBatchRows {
		batch := rows[lo:min(lo+usageBatchRows, len(rows))]
		if err := a.opts.Usage.AddUsage(ctx, batch); err != nil {
			firstErr = cmp.Or(firstErr, err)
			failed = append(failed, batch...)
		}
	}
	if firstErr == nil {
		return
	}
	if !errors.Is(firstErr, store.ErrClosed) {
		a.log.Warn("usage rollups not written; retrying next minute", "rows", len(failed), "err", firstErr)
	}
	if over := len(failed) - maxPendingRows; over > 0 {
		u.lost.Add(uint64(over))
		failed = failed[over:]
	}
	u.pending = failed
}

// compactUsage folds old usage rows with the settings' usage retention.
func (a *AccessLog) compactUsage(ctx context.Context) {
	if a.opts.Usage == nil {
		return
	}
	keep := time.Duration(a.usageKeep.Load())
	if err := a.opts.Usage.CompactUsage(ctx, a.opts.Now(), keep); err != nil && ctx.Err() == nil &&
		!errors.Is(err, store.ErrClosed) {
		a.log.Warn("usage rollups not compacted", "err", err)
	}
}
