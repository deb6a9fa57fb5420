package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// BucketUsage holds the usage rollups (usage_codec.go for the layout).
// Like Blobs, its writes bump no revision, publish nothing on the feed and
// write no audit entry: they are traffic, not configuration.
const BucketUsage = "usage"

var _ Usage = (*DB)(nil)

// The compaction thresholds of CompactUsage.
const (
	usageMinuteAge = 24 * time.Hour      // minutes older than this become hours
	usageHourAge   = 30 * 24 * time.Hour // hours older than this become days
)

// AddUsage implements Usage. Every row must be a minute row (Span minute
// or ""); its Start is truncated to the minute, in UTC.
func (db *DB) AddUsage(ctx context.Context, rows []UsageRow) error {
	for i := range rows {
		if rows[i].Span != "" && rows[i].Span != SpanMinute {
			return invalid("usage.span", "the recorder adds minute rows; hours and days are made by CompactUsage",
				"row %d has span %q, not %q", i, rows[i].Span, SpanMinute)
		}
	}
	return db.kv.Update(ctx, func(k KVTx) error {
		for i := range rows {
			r := rows[i]
			r.Span, r.Start = SpanMinute, r.Start.UTC().Truncate(time.Minute)
			if err := mergeUsage(k, &r); err != nil {
				return err
			}
		}
		return nil
	})
}

// mergeUsage adds r to the row stored under its key, if any, and stores
// the sum; it indexes a tenant seen for the first time.
func mergeUsage(k KVTx, r *UsageRow) error {
	key := usageKey(r.Tenant, r.Span, r.Start)
	if v := k.Get(BucketUsage, key); v != nil {
		old, err := decodeUsage(v)
		if err != nil {
			return fmt.Errorf("usage row %q: %w", key, err)
		}
		addUsage(r, &old)
	} else if k.Get(BucketUsage, usageIndexKey(r.Tenant)) == nil {
		if err := k.Put(BucketUsage, usageIndexKey(r.Tenant), []byte{}); err != nil {
			return err
		}
	}
	return k.Put(BucketUsage, key, appendUsage(nil, r))
}

// addUsage adds o's counters and histogram to r.
func addUsage(r, o *UsageRow) {
	r.Requests += o.Requests
	r.Errors += o.Errors
	r.BytesIn += o.BytesIn
	r.BytesOut += o.BytesOut
	r.Latency.Merge(&o.Latency)
}

// QueryUsage implements Usage. Rows whose Start is in [From, Until) (zero
// means unbounded) are read; rows finer than q.Span are merged into
// q.Span's periods (UTC days and hours); rows coarser than q.Span (days
// kept for history, asked for by the hour) come back as they are.
func (db *DB) QueryUsage(ctx context.Context, q UsageQuery) ([]UsageRow, error) {
	span := q.Span
	if span == "" {
		span = SpanDay
	}
	if spanRank(span) < 0 {
		return nil, invalid("usage.span", "use minute, hour or day", "unknown span %q", span)
	}
	var out []UsageRow
	err := db.kv.View(ctx, func(k KVTx) error {
		tenants, err := usageTenants(k, q.Tenant)
		if err != nil {
			return err
		}
		for _, t := range tenants {
			rows, err := queryTenantUsage(k, t, q, span)
			if err != nil {
				return err
			}
			out = append(out, rows...)
		}
		return nil
	})
	return out, err
}

// usageTenants lists the tenants with usage rows: just tenant when it is
// not "", else every indexed one, sorted.
func usageTenants(k KVTx, tenant string) ([]string, error) {
	if tenant != "" {
		return []string{tenant}, nil
	}
	var ts []string
	err := k.ForEach(BucketUsage, usageIndexPrefix, func(key string, _ []byte) error {
		ts = append(ts, strings.TrimPrefix(key, usageIndexPrefix))
		return nil
	})
	slices.Sort(ts)
	return ts, err
}

// queryTenantUsage reads one tenant's rows that q selects, merged up to
// span, sorted by start.
func queryTenantUsage(k KVTx, tenant string, q UsageQuery, span UsageSpan) ([]UsageRow, error) {
	merged := map[usagePeriod]*UsageRow{}
	for _, s := range []UsageSpan{SpanMinute, SpanHour, SpanDay} {
		err := k.ForEach(BucketUsage, usageSpanPrefix(tenant, s), func(key string, v []byte) error {
			start, err := usageKeyStart(key)
			if err != nil {
				return err
			}
			if (!q.From.IsZero() && start.Before(q.From)) || (!q.Until.IsZero() && !start.Before(q.Until)) {
				return nil
			}
			r, err := decodeUsage(v)
			if err != nil {
				return fmt.Errorf("usage row %q: %w", key, err)
			}
			r.Tenant, r.Span, r.Start = tenant, s, start
			if spanRank(s) < spanRank(span) {
				r.Span, r.Start = span, truncateSpan(start, span)
			}
			p := usagePeriod{r.Start, r.Span}
			if m := merged[p]; m != nil {
				addUsage(m, &r)
			} else {
				merged[p] = &r
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]UsageRow, 0, len(merged))
	for _, r := range merged {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b UsageRow) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return spanRank(a.Span) - spanRank(b.Span)
	})
	return out, nil
}

// usagePeriod identifies a merged row of one tenant.
type usagePeriod struct {
	start time.Time
	span  UsageSpan
}

// spanRank orders spans from fine to coarse; -1 for an unknown one.
func spanRank(s UsageSpan) int {
	switch s {
	case SpanMinute:
		return 0
	case SpanHour:
		return 1
	case SpanDay:
		return 2
	}
	return -1
}

// truncateSpan returns the start of the UTC period of span holding t.
func truncateSpan(t time.Time, span UsageSpan) time.Time {
	t = t.UTC()
	switch span {
	case SpanHour:
		return t.Truncate(time.Hour)
	case SpanDay:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	return t.Truncate(time.Minute)
}

// CompactUsage implements Usage: minute rows whose hour ended more than a
// day before now are folded into hour rows, hour rows whose day ended
// more than 30 days before now into day rows, and day rows that ended
// by now-keep are dropped (keep <= 0 drops none). Sums are kept
// exactly: a fold adds into any row already there. Every
// compactBatchTenants tenants are one transaction, so a large backlog
// never holds the store's write lock for long, and 100,000 tenants are
// not 100,000 commits (72 s, most of it waiting for the disk).
func (db *DB) CompactUsage(ctx context.Context, now time.Time, keep time.Duration) error {
	var tenants []string
	err := db.kv.View(ctx, func(k KVTx) (err error) {
		tenants, err = usageTenants(k, "")
		return err
	})
	if err != nil {
		return err
	}
	hourCut := truncateSpan(now.Add(-usageMinuteAge), SpanHour)
	dayCut := truncateSpan(now.Add(-usageHourAge), SpanDay)
	var dropBefore time.Time
	if keep > 0 {
		dropBefore = now.Add(-keep)
	}
	for lo := 0; lo < len(tenants); lo += compactBatchTenants {
		batch := tenants[lo:min(lo+compactBatchTenants, len(tenants))]
		err := db.kv.Update(ctx, func(k KVTx) error {
			for _, t := range batch {
				if err := compactTenantUsage(k, t, hourCut, dayCut, dropBefore); err != nil {
					return fmt.Errorf("compact usage of tenant %q: %w", t, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// compactBatchTenants is how many tenants' usage CompactUsage compacts in
// one transaction.
const compactBatchTenants = 256

// compactTenantUsage folds and drops one tenant's rows (CompactUsage).
func compactTenantUsage(k KVTx, tenant string, hourCut, dayCut, dropBefore time.Time) error {
	if err := foldUsage(k, tenant, SpanMinute, SpanHour, hourCut); err != nil {
		return err
	}
	if err := foldUsage(k, tenant, SpanHour, SpanDay, dayCut); err != nil {
		return err
	}
	return dropUsage(k, tenant, dropBefore)
}

// foldUsage merges tenant's rows of span from whose period (of span to)
// starts before cut into rows of span to, and deletes them.
func foldUsage(k KVTx, tenant string, from, to UsageSpan, cut time.Time) error {
	var keys []string
	sums := map[time.Time]*UsageRow{}
	err := k.ForEach(BucketUsage, usageSpanPrefix(tenant, from), func(key string, v []byte) error {
		start, err := usageKeyStart(key)
		if err != nil {
			return err
		}
		p := truncateSpan(start, to)
		if !p.Before(cut) {
			return nil
		}
		r, err := decodeUsage(v)
		if err != nil {
			return fmt.Errorf("usage row %q: %w", key, err)
		}
		keys = append(keys, key)
		if s := sums[p]; s != nil {
			addUsage(s, &r)
		} else {
			r.Tenant, r.Span, r.Start = tenant, to, p
			sums[p] = &r
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, key := range keys {
		if err := k.Delete(BucketUsage, key); err != nil {
			return err
		}
	}
	for _, r := range sums {
		if err := mergeUsage(k, r); err != nil {
			return err
		}
	}
	return nil
}

// dropUsage deletes tenant's day rows that end by cut (zero: none),
// and the tenant's index entry once it has no rows left.
func dropUsage(k KVTx, tenant string, cut time.Time) error {
	var drop []string
	left := false
	err := k.ForEach(BucketUsage, usageTenantPrefix(tenant), func(key string, _ []byte) error {
		start, err := usageKeyStart(key)
		if err != nil {
			return err
		}
		if key[len(key)-9] == usageSpanByte(SpanDay) && !cut.IsZero() && !start.Add(24*time.Hour).After(cut) {
			drop = append(drop, key)
		} else {
			left = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !left {
		drop = append(drop, usageIndexKey(tenant))
	}
	for _, key := range drop {
		if err := k.Delete(BucketUsage, key); err != nil {
			return err
		}
	}
	return nil
}

// The layout of BucketUsage:
//
//	"u/" tenant "/" span(1 byte: m, h, d) start(8 bytes, big-endian Unix seconds) -> row
//	"i/" tenant -> "" (the tenants with rows, for queries over every tenant)
//
// A row is a version byte (1), uvarints requests, errors, bytes in, bytes
// out, then the histogram sparsely: the number of non-empty buckets, and
// for each the gap from the previous one's index and its count, uvarints.
// An idle-ish minute row is about ten bytes; a full one under 140.
const (
	usageRowPrefix   = "u/"
	usageIndexPrefix = "i/"
	usageVersion     = 1
)

func usageIndexKey(tenant string) string     { return usageIndexPrefix + tenant }
func usageTenantPrefix(tenant string) string { return usageRowPrefix + tenant + "/" }

func usageSpanPrefix(tenant string, s UsageSpan) string {
	return usageTenantPrefix(tenant) + string(usageSpanByte(s))
}

// usageSpanByte is the span's one-byte code in keys.
func usageSpanByte(s UsageSpan) byte {
	switch s {
	case SpanHour:
		return 'h'
	case SpanDay:
		return 'd'
	}
	return 'm'
}

func usageKey(tenant string, s UsageSpan, start time.Time) string {
	return string(binary.BigEndian.AppendUint64([]byte(usageSpanPrefix(tenant, s)), uint64(start.Unix())))
}

// usageKeyStart reads the start time at the end of a row key.
func usageKeyStart(key string) (time.Time, error) {
	if len(key) < len(usageRowPrefix)+10 {
		return time.Time{}, fmt.Errorf("usage key %q is too short", key)
	}
	return time.Unix(int64(binary.BigEndian.Uint64([]byte(key[len(key)-8:]))), 0).UTC(), nil
}

// appendUsage appends r's counters and histogram, encoded, to b.
func appendUsage(b []byte, r *UsageRow) []byte {
	b = append(b, usageVersion)
	for _, n := range []int64{r.Requests, r.Errors, r.BytesIn, r.BytesOut} {
		b = binary.AppendUvarint(b, uint64(max(n, 0)))
	}
	nonZero := 0
	for _, c := range r.Latency.Counts {
		if c != 0 {
			nonZero++
		}
	}
	b = binary.AppendUvarint(b, uint64(nonZero))
	prev := 0
	for i, c := range r.Latency.Counts {
		if c != 0 {
			b = binary.AppendUvarint(b, uint64(i-prev))
			b = binary.AppendUvarint(b, c)
			prev = i
		}
	}
	return b
}

var errUsageValue = errors.New("malformed usage value")

// decodeUsage reads a row written by appendUsage (tenant, span and start
// come from the key).
func decodeUsage(v []byte) (UsageRow, error) {
	var r UsageRow
	if len(v) == 0 || v[0] != usageVersion {
		return r, fmt.Errorf("%w: unknown version", errUsageValue)
	}
	v = v[1:]
	next := func() (uint64, bool) {
		n, w := binary.Uvarint(v)
		if w <= 0 {
			return 0, false
		}
		v = v[w:]
		return n, true
	}
	for _, p := range []*int64{&r.Requests, &r.Errors, &r.BytesIn, &r.BytesOut} {
		n, ok := next()
		if !ok {
			return r, errUsageValue
		}
		*p = int64(n)
	}
	nonZero, ok := next()
	if !ok || nonZero > HistogramBuckets {
		return r, errUsageValue
	}
	i := 0
	for range nonZero {
		gap, ok1 := next()
		c, ok2 := next()
		if !ok1 || !ok2 || gap > HistogramBuckets || i+int(gap) >= HistogramBuckets {
			return r, errUsageValue
		}
		i += int(gap)
		r.Latency.Counts[i] = c
	}
	if len(v) != 0 {
		return r, fmt.Errorf("%w: %d trailing bytes", errUsageValue, len(v))
	}
	return r, nil
}
