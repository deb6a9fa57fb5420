package traffic

import (
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
// is a lock-free map read and one lock per tenant (never a lock shared by
// all tenants): see BenchmarkEnqueue.

// idleFlushes is how many usage flushes a tenant may go without traffic
// before its accumulator is released (a deleted tenant's, for example).
const idleFlushes = 60

// maxPendingRows bounds the rows kept for retry while AddUsage fails.
const maxPendingRows = 100_000

// usageTable holds one accumulator per tenant. The map is copy-on-write:
// readers load it without a lock; a new tenant copies it under mu.
type usageTable struct {
	tenants atomic.Pointer[map[string]*tenantUsage]
	mu      sync.Mutex // serialises copies of tenants

	flushMu sync.Mutex       // guards pending; one flush at a time
	pending []store.UsageRow // rows AddUsage refused, retried next flush
	lost    atomic.Uint64    // rows given up after maxPendingRows
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
	if m := t.tenants.Load(); m != nil {
		if tu, ok := (*m)[tenant]; ok {
			return tu
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.tenants.Load()
	if old != nil {
		if tu, ok := (*old)[tenant]; ok {
			return tu
		}
	}
	next := make(map[string]*tenantUsage, len(deref(old))+1)
	for k, v := range deref(old) {
		next[k] = v
	}
	tu := &tenantUsage{}
	next[tenant] = tu
	t.tenants.Store(&next)
	return tu
}

func deref(m *map[string]*tenantUsage) map[string]*tenantUsage {
	if m == nil {
		return nil
	}
	return *m
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
	m := t.tenants.Load()
	var rows []store.UsageRow
	var idle []string
	for tenant, tu := range deref(m) {
		tu.mu.Lock()
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
			if tu.idle++; tu.idle >= idleFlushes {
				idle = append(idle, tenant)
			}
		} else {
			tu.idle = 0
		}
		tu.mu.Unlock()
	}
	if len(idle) > 0 {
		t.release(idle)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Tenant != rows[j].Tenant {
			return rows[i].Tenant < rows[j].Tenant
		}
		return rows[i].Start.Before(rows[j].Start)
	})
	return rows
}

// release removes idle tenants' accumulators that are still empty,
// marking them dead so an observe holding one looks again.
func (t *usageTable) release(tenants []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	next := make(map[string]*tenantUsage, len(deref(t.tenants.Load())))
	for k, v := range deref(t.tenants.Load()) {
		next[k] = v
	}
	for _, tenant := range tenants {
		tu := next[tenant]
		tu.mu.Lock()
		if len(tu.minutes) == 0 {
			tu.dead = true
			delete(next, tenant)
		}
		tu.mu.Unlock()
	}
	t.tenants.Store(&next)
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

// flushUsage writes the finished minutes (every minute when all is true,
// on stop) in one AddUsage. Rows AddUsage refuses are retried next time.
func (a *AccessLog) flushUsage(ctx context.Context, all bool) {
	u := &a.usage
	u.flushMu.Lock()
	defer u.flushMu.Unlock()
	rows := append(u.pending, u.take(a.opts.Now().Unix()/60, all)...)
	u.pending = nil
	if len(rows) == 0 || a.opts.Usage == nil {
		return
	}
	if err := a.opts.Usage.AddUsage(ctx, rows); err != nil {
		if !errors.Is(err, store.ErrClosed) {
			a.log.Warn("usage rollups not written; retrying next minute", "rows", len(rows), "err", err)
		}
		if over := len(rows) - maxPendingRows; over > 0 {
			u.lost.Add(uint64(over))
			rows = rows[over:]
		}
		u.pending = rows
	}
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
