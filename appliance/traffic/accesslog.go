package traffic

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/store"
)

// Defaults of AccessLogOptions.
const (
	// DefaultQueueSize holds 16,384 records: at the 200 ms flush interval
	// that is 80,000 requests a second, several times what a small box
	// serves, while the queue's records (about 220 bytes each) cost
	// 3.5 MiB of memory instead of the 14 MiB of a 65,536 queue, most of
	// foyer's idle footprint.
	DefaultQueueSize = 16384
	// DefaultBatchSize is the most records one commit writes. A commit's
	// cost is mostly per tenant it touches (a page or two of each tenant's
	// bucket, whatever the records), so bigger batches are cheaper per
	// record: BenchmarkLogsAppend over 100 tenants measured 2.7 µs a record
	// in batches of 4,096 and 1.45 µs in batches of 16,384.
	DefaultBatchSize       = 16384
	DefaultFlushInterval   = 200 * time.Millisecond
	DefaultPruneInterval   = time.Minute
	DefaultUsageInterval   = time.Minute
	DefaultCompactInterval = time.Hour
	// writeTimeout bounds one AppendLogs, AddUsage or PruneLogs call, so
	// the final flush on stop cannot hang on a stuck disk.
	writeTimeout = 10 * time.Second
)

// AccessLogOptions configures an AccessLog. Every interval is injectable
// so tests run the loops quickly.
type AccessLogOptions struct {
	// Logs receives the batches (logs.db). If nil, records are not stored;
	// usage rollups and followers still work.
	Logs store.Logs
	// Usage receives the per-minute rollups (foyer.db). If nil, rollups
	// are discarded.
	Usage store.Usage
	// QueueSize is the bounded queue's capacity in records. Default 16,384.
	QueueSize int
	// BatchSize is the most records one AppendLogs writes. Default 16,384.
	BatchSize int
	// FlushInterval is how often the writer takes the queued records:
	// followers see them then. Default 200ms.
	FlushInterval time.Duration
	// CommitInterval is the longest a taken record waits for its commit
	// to logs.db (a full batch commits at once). Default 5 x
	// FlushInterval (1s).
	CommitInterval time.Duration
	// PruneInterval is how often retention runs. Default 1m.
	PruneInterval time.Duration
	// UsageInterval is how often finished minutes are written. Default 1m.
	UsageInterval time.Duration
	// CompactInterval is how often usage rows are compacted. Default 1h.
	CompactInterval time.Duration
	// Now is the clock for retention and usage; default time.Now.
	Now func() time.Time
	// Logger receives write errors. If nil, they are discarded.
	Logger *slog.Logger
}

// AccessLog is the access log's request-side half: a bounded queue that
// Enqueue fills without ever blocking, and a batch writer (Run) that
// drains it into Logs, one AppendLogs per batch, and fans records out to
// followers (follow.go). It also keeps the per-tenant usage rollups
// (usage.go) and runs retention. Safe for concurrent use; the zero value
// is not usable, call NewAccessLog.
type AccessLog struct {
	opts  AccessLogOptions
	log   *slog.Logger
	queue chan store.LogRecord
	kick  chan struct{} // capacity 1: the queue is filling (kickAt records)
	// kickAt is the queue depth at which Enqueue wakes the writer before
	// its tick: half the queue, or a batch when that is smaller.
	kickAt int
	usage  usageTable

	off       atomic.Bool                     // access-log off: nothing is queued for logs.db
	retention atomic.Pointer[store.Retention] // the settings' log retention
	usageKeep atomic.Int64                    // the settings' usage retention, as a time.Duration

	queued      atomic.Uint64 // records accepted into the queue
	written     atomic.Uint64 // records AppendLogs stored
	dropped     atomic.Uint64 // records refused because the queue was full
	failed      atomic.Uint64 // records in batches AppendLogs refused
	writeErrors atomic.Uint64 // AppendLogs calls that failed
	pruned      atomic.Uint64 // records retention removed
	prunes      atomic.Uint64 // retention passes that completed

	followers followers     // live taps (follow.go)
	stopped   chan struct{} // closed when Run returns
	stopOnce  sync.Once
}

// NewAccessLog returns an AccessLog for opts, with the default settings
// applied; call Run to start writing.
func NewAccessLog(opts AccessLogOptions) *AccessLog {
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if opts.CommitInterval <= 0 {
		opts.CommitInterval = 5 * opts.FlushInterval
	}
	if opts.PruneInterval <= 0 {
		opts.PruneInterval = DefaultPruneInterval
	}
	if opts.UsageInterval <= 0 {
		opts.UsageInterval = DefaultUsageInterval
	}
	if opts.CompactInterval <= 0 {
		opts.CompactInterval = DefaultCompactInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &AccessLog{opts: opts, log: opts.Logger, queue: make(chan store.LogRecord, opts.QueueSize),
		kick: make(chan struct{}, 1), kickAt: max(1, min(opts.BatchSize, opts.QueueSize/2)), stopped: make(chan struct{})}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.Apply(store.DefaultSettings())
	return a
}

// Apply takes the observability settings live: access log on or off, log
// and usage retention. The appliance calls it on every configuration
// change.
func (a *AccessLog) Apply(s store.Settings) {
	a.off.Store(s.AccessLogOff)
	r := RetentionOf(s)
	a.retention.Store(&r)
	a.usageKeep.Store(int64(s.UsageRetention.D()))
}

// RetentionOf returns the access-log retention the settings ask for.
func RetentionOf(s store.Settings) store.Retention {
	return store.Retention{MaxAge: s.LogRetentionAge.D(), MaxPerTenant: s.LogRetentionPerTenant,
		MaxBytes: int64(s.LogRetentionMB) << 20}
}

// Enqueue records one finished request: it adds it to its tenant's usage
// rollup (always: usage is for billing and does not depend on the access
// log) and queues a copy for the writer when the access log is on or
// someone follows. It never blocks: when the queue is full the record is
// counted as dropped. rec is not retained.
//
// The queue is one buffered channel, so its short internal lock is shared
// by all tenants, which the house rules avoid on the request path. It is
// kept on purpose: a send holds that lock for tens of nanoseconds, far
// from contended at the request rates one box serves (the forward step
// alone costs tens of microseconds a request); sharding it would add a
// merge for the writer and for followers, who expect time order.
// BenchmarkEnqueue/on/parallel watches it.
func (a *AccessLog) Enqueue(rec *store.LogRecord) {
	a.usage.observe(rec)
	if a.off.Load() && a.followers.count.Load() == 0 {
		return
	}
	select {
	case a.queue <- *rec:
		a.queued.Add(1)
	default:
		a.dropped.Add(1)
		return
	}
	if len(a.queue) >= a.kickAt {
		select { // the queue is filling: wake the writer (lock-free when a kick is pending)
		case a.kick <- struct{}{}:
		default:
		}
	}
}

// AccessLogStats are the access log's counters, for metrics and status.
type AccessLogStats struct {
	Queued      uint64 // records accepted into the queue
	Written     uint64 // records stored in logs.db
	Dropped     uint64 // records refused because the queue was full
	Failed      uint64 // records lost because their batch failed to write
	WriteErrors uint64 // failed AppendLogs calls
	Pruned      uint64 // records removed by retention
	PrunePasses uint64 // retention passes completed
	QueueDepth  int    // records waiting in the queue now
	QueueSize   int    // the queue's capacity
}

// Stats returns the counters now.
func (a *AccessLog) Stats() AccessLogStats {
	return AccessLogStats{Queued: a.queued.Load(), Written: a.written.Load(), Dropped: a.dropped.Load(),
		Failed: a.failed.Load(), WriteErrors: a.writeErrors.Load(), Pruned: a.pruned.Load(), PrunePasses: a.prunes.Load(),
		QueueDepth: len(a.queue), QueueSize: cap(a.queue)}
}

// Run writes batches until ctx ends, with the retention and usage loops
// beside it; then it writes what is still queued and the usage not yet
// written, and returns. Cancel ctx after requests have drained, so the
// last records are stored. Run may be called once.
func (a *AccessLog) Run(ctx context.Context) {
	defer a.stopOnce.Do(func() { close(a.stopped) })
	defer a.registerMetrics()() // accesslog_metrics.go
	var wg sync.WaitGroup
	wg.Go(func() { a.pruneLoop(ctx) })
	wg.Go(func() { a.usageLoop(ctx) })
	a.writeLoop(ctx)
	wg.Wait()
	fctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	a.flushUsage(fctx, true)
}

// writeLoop takes the queued records every FlushInterval (or sooner when
// Enqueue kicks: the queue is filling), hands them to the followers at
// once, and commits them to logs.db when a full batch is pending or the
// oldest pending record has waited CommitInterval, until ctx ends; then
// it takes and commits what is left without waiting.
//
// Batches are as big as the rate allows, never chased: an earlier writer
// drained "until empty" on every wake, and under load each commit's few
// milliseconds let a few dozen records in, so it committed a small batch
// (its fsync and a page in every active tenant's bucket) hundreds of
// times a second: 40% of foyer's CPU at 22,000 req/s (issue 9's
// profile). The writer does not wait on the queue itself: a receiver
// parked on the channel would make every Enqueue wake it, which costs the
// request path more than the send.
func (a *AccessLog) writeLoop(ctx context.Context) {
	var pending []store.LogRecord // taken, not yet committed; grows to BatchSize under load
	var since time.Time           // when the oldest pending record was taken
	tick := time.NewTicker(a.opts.FlushInterval)
	defer tick.Stop()
	for {
		select {
		case <-a.kick:
		case <-tick.C:
		case <-ctx.Done():
			for {
				pending = a.take(pending)
				if len(pending) == 0 {
					return
				}
				pending = a.commit(pending)
			}
		}
		for {
			if len(pending) == 0 {
				since = time.Now()
			}
			pending = a.take(pending)
			if len(pending) < a.opts.BatchSize {
				break
			}
			pending = a.commit(pending) // full: commit, then take what came meanwhile
		}
		if len(pending) > 0 && time.Since(since) >= a.opts.CommitInterval {
			pending = a.commit(pending)
		}
	}
}

// take moves queued records into pending, up to BatchSize, and hands them
// to the followers.
func (a *AccessLog) take(pending []store.LogRecord) []store.LogRecord {
	n := len(pending)
	pending = a.fill(pending)
	a.followers.publish(pending[n:])
	return pending
}

// fill moves queued records into batch, without waiting, until it is
// full or the queue is empty.
func (a *AccessLog) fill(batch []store.LogRecord) []store.LogRecord {
	for len(batch) < a.opts.BatchSize {
		select {
		case rec := <-a.queue:
			batch = append(batch, rec)
		default:
			return batch
		}
	}
	return batch
}

// commit writes batch (already handed to the followers) in one
// AppendLogs when the access log is on; it returns batch emptied for
// reuse.
func (a *AccessLog) commit(batch []store.LogRecord) []store.LogRecord {
	if a.off.Load() || a.opts.Logs == nil {
		clear(batch)
		return batch[:0]
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := a.opts.Logs.AppendLogs(ctx, batch); err != nil {
		a.failed.Add(uint64(len(batch)))
		if n := a.writeErrors.Add(1); n == 1 || n%100 == 0 { // a broken disk must not flood the log
			a.log.Warn("access log batch not written", "records", len(batch), "failed_batches", n, "err", err)
		}
	} else {
		a.written.Add(uint64(len(batch)))
	}
	clear(batch) // drop the strings' references before reuse
	return batch[:0]
}

// pruneLoop applies the retention every PruneInterval in its own
// goroutine, so a long prune never stalls the writer.
func (a *AccessLog) pruneLoop(ctx context.Context) {
	if a.opts.Logs == nil {
		return
	}
	t := time.NewTicker(a.opts.PruneInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.Prune(ctx)
		}
	}
}

// Prune applies the current retention once, as of Now.
func (a *AccessLog) Prune(ctx context.Context) {
	if a.opts.Logs == nil {
		return
	}
	res, err := a.opts.Logs.PruneLogs(ctx, *a.retention.Load(), a.opts.Now())
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, store.ErrClosed) {
			a.log.Warn("access log retention", "err", err)
		}
		return
	}
	a.pruned.Add(uint64(res.Removed))
	a.prunes.Add(1)
	if res.Removed > 0 {
		a.log.Debug("access log pruned", "removed", res.Removed)
	}
}
