package boltstore

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

func TestLogRecordSize(t *testing.T) {
	// Ensure that logRecordSize, which sizes AppendLogs's arena, is the
	// exact length of appendLogRecord's encoding, at the varints' edges.
	for _, n := range []int64{0, 1, -1, 63, -64, 64, -65, 1 << 40, math.MaxInt64, math.MinInt64} {
		r := store.LogRecord{Status: int(n), BytesIn: n, BytesOut: -n, Duration: time.Duration(n), UpstreamLatency: time.Duration(n / 3),
			RequestID: "r", Path: string(make([]byte, int(uint64(n)%300))), Outcome: store.OutcomeAllowed}
		if got, want := logRecordSize(&r), len(appendLogRecord(nil, &r)); got != want {
			t.Errorf("n=%d: logRecordSize = %d, encoding is %d bytes", n, got, want)
		}
	}
}

func TestLogBlockDecode(t *testing.T) {
	// Ensure that a block decodes to its records, oldest first with their
	// times, and that a truncated or padded block is an error, not a
	// short answer.
	t0 := time.Unix(1700000000, 0)
	recs := []store.LogRecord{
		{Time: t0.Add(2 * time.Second), Tenant: "a", RequestID: "late", Status: 503},
		{Time: t0, Tenant: "a", RequestID: "first", Status: 200},
		{Time: t0, Tenant: "a", RequestID: "second", Status: 404},
	}
	order, plans, _ := planBlocks(recs)
	if len(plans) != 1 {
		t.Fatalf("plans = %v, want one block", plans)
	}
	v, _, live := appendBlock(nil, nil, recs, order, plans[0])
	k := appendLogKey(nil, t0.Add(2*time.Second), 7)
	var blk logBlock
	if err := decodeBlock(k, v, &blk); err != nil {
		t.Fatalf("decodeBlock: %v", err)
	}
	if err := checkBlock(&blk); err != nil {
		t.Errorf("checkBlock: %v", err)
	}
	var ids []string
	for _, r := range blk.recs {
		rec, err := decodeLogRecord("a", r.t, r.v)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.RequestID+"@"+rec.Time.Sub(t0).String())
	}
	if want := []string{"first@0s", "second@0s", "late@2s"}; !slices.Equal(ids, want) {
		t.Errorf("records %v, want %v", ids, want)
	}
	if blk.seq != 7 || blk.classes != 1<<2|1<<4|1<<5 || live != blockLive(blk.recs) {
		t.Errorf("block seq %d, classes %016b, live %d/%d", blk.seq, blk.classes, live, blockLive(blk.recs))
	}
	for _, bad := range [][]byte{v[:len(v)-1], append(slices.Clone(v), 0), v[:3], {9, 1, 0, 0}} {
		if err := decodeBlock(k, bad, &blk); err == nil {
			t.Errorf("decodeBlock(%x...) of %d bytes: no error", bad[:min(len(bad), 4)], len(bad))
		}
	}
	if err := decodeBlock(k, v, &blk); err != nil {
		t.Fatal(err)
	}
	w, err := rewriteBlock(blk.recs[1:]) // what a prune of the oldest leaves
	if err == nil {
		err = decodeBlock(k, w, &blk)
	}
	if err != nil || len(blk.recs) != 2 || blk.classes != 1<<4|1<<5 || checkBlock(&blk) != nil {
		t.Errorf("rewritten block: %d records, classes %016b, %v, check %v", len(blk.recs), blk.classes, err, checkBlock(&blk))
	}
}

func TestPlanBlocks(t *testing.T) {
	// Ensure that a batch is cut into blocks of one tenant each, in time
	// order, no block longer than logBlockSpan or larger than logBlockMax.
	t0 := time.Unix(1700000000, 0)
	var recs []store.LogRecord
	for i := range 1500 {
		recs = append(recs, store.LogRecord{Time: t0.Add(time.Duration(i%700) * 10 * time.Millisecond), Tenant: []string{"a", "b"}[i%2]})
	}
	recs = append(recs, store.LogRecord{Time: t0.Add(-time.Hour), Tenant: "a"})
	order, plans, tenants := planBlocks(recs)
	if !slices.Equal(tenants, []string{"a", "b"}) {
		t.Errorf("tenants %v", tenants)
	}
	n := 0
	for _, p := range plans {
		blk := order[p.lo:p.hi]
		n += len(blk)
		if len(blk) == 0 || len(blk) > logBlockMax || blk[len(blk)-1].t-blk[0].t > logBlockSpan {
			t.Errorf("block [%d,%d): %d records over %v", p.lo, p.hi, len(blk), time.Duration(blk[len(blk)-1].t-blk[0].t))
		}
		for _, o := range blk {
			if o.tenant != blk[0].tenant {
				t.Errorf("block [%d,%d) mixes tenants", p.lo, p.hi)
			}
		}
	}
	if n != len(recs) || len(plans) < 5 {
		t.Errorf("%d blocks hold %d records, want all %d in at least 5 (the late one alone)", len(plans), n, len(recs))
	}
}

// logModel is the access log as layout 1 kept it, one entry per record,
// for TestLogsBlocksMatchModel.
type logModel struct {
	recs []modelRec
	seq  int
}

type modelRec struct {
	r    store.LogRecord
	seq  int   // append order
	size int64 // key and encoding, as retention by size counts it
}

func (m *logModel) append(recs []store.LogRecord) {
	for _, r := range recs {
		m.seq++
		m.recs = append(m.recs, modelRec{r: r, seq: m.seq, size: int64(logKeyLen + len(appendLogRecord(nil, &r)))})
	}
}

// oldestFirst sorts the model's records by time, then append order.
func (m *logModel) oldestFirst() {
	slices.SortFunc(m.recs, func(a, b modelRec) int {
		if c := a.r.Time.Compare(b.r.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
}

func (m *logModel) query(q store.LogQuery) []string {
	m.oldestFirst()
	limit := cmp.Or(q.Limit, 100)
	var out []string
	for i := len(m.recs) - 1; i >= 0 && len(out) < limit; i-- {
		r := m.recs[i].r
		if (q.Tenant == "" || r.Tenant == q.Tenant) && (q.Since.IsZero() || !r.Time.Before(q.Since)) &&
			(q.Until.IsZero() || r.Time.Before(q.Until)) && (q.StatusClass == 0 || r.Status/100 == q.StatusClass) {
			out = append(out, r.RequestID)
		}
	}
	return out
}

func (m *logModel) prune(ret store.Retention, now time.Time) int64 {
	m.oldestFirst()
	count := map[string]int{}
	for _, x := range m.recs {
		count[x.r.Tenant]++
	}
	seen := map[string]int{}
	keep := m.recs[:0]
	removed := int64(0)
	for _, x := range m.recs {
		seen[x.r.Tenant]++
		old := ret.MaxAge > 0 && x.r.Time.Before(now.Add(-ret.MaxAge))
		excess := ret.MaxPerTenant > 0 && seen[x.r.Tenant] <= count[x.r.Tenant]-ret.MaxPerTenant
		if old || excess {
			removed++
			continue
		}
		keep = append(keep, x)
	}
	m.recs = keep
	if ret.MaxBytes > 0 {
		total := m.live()
		i := 0
		for ; i < len(m.recs) && total > ret.MaxBytes; i++ {
			total -= m.recs[i].size
		}
		m.recs, removed = m.recs[i:], removed+int64(i)
	}
	return removed
}

func (m *logModel) live() (n int64) {
	for _, x := range m.recs {
		n += x.size
	}
	return n
}

func TestLogsBlocksMatchModel(t *testing.T) {
	// Ensure that blocks give exactly the answers of one key per record:
	// random batches (late records, equal times, tenants spread over many
	// blocks, batches past logBlockMax), random queries and prunes by age,
	// count and size, against a model of layout 1; with exact meta counts
	// and a clean Check after every step.
	for seed := range uint64(3) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { testLogsModel(t, seed) })
	}
}

func testLogsModel(t *testing.T, seed uint64) {
	l, err := OpenLogs(filepath.Join(t.TempDir(), LogsName), LogsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 42))
	tenants := []string{"", "a", "b", "c"}
	statuses := []int{200, 200, 200, 301, 404, 500, 503, 0, 1234}
	t0 := time.Unix(1700000000, 0)
	var m logModel
	now, id := t0, 0
	recent := map[string][]time.Time{}
	for round := range 40 {
		batch := make([]store.LogRecord, 1+rng.IntN([]int{8, 60, 700}[round%3]))
		for i := range batch {
			ti := rng.IntN(len(tenants))
			ts := now.Add(time.Duration(rng.IntN(300))*time.Millisecond + time.Duration(ti)) // no ties across tenants
			switch p := rng.IntN(10); {
			case p == 0: // late: older than blocks already stored
				ts = ts.Add(-time.Duration(rng.IntN(20_000)) * time.Millisecond)
			case p == 1 && len(recent[tenants[ti]]) > 0: // the same time as an earlier record
				r := recent[tenants[ti]]
				ts = r[rng.IntN(len(r))]
			}
			recent[tenants[ti]] = append(recent[tenants[ti]], ts)
			id++
			batch[i] = store.LogRecord{Time: ts, Tenant: tenants[ti], RequestID: fmt.Sprintf("r%d", id),
				Path: "/p" + fmt.Sprint(rng.IntN(1000)), Status: statuses[rng.IntN(len(statuses))], BytesOut: int64(rng.IntN(1 << 20))}
		}
		now = now.Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
		if err := l.AppendLogs(ctx, batch); err != nil {
			t.Fatal(err)
		}
		m.append(batch)
		for range 6 {
			q := store.LogQuery{Tenant: tenants[rng.IntN(len(tenants))], Limit: []int{0, 1, 7, 500, 1 << 20}[rng.IntN(5)]}
			if rng.IntN(3) == 0 {
				q.Tenant = "" // "" is also the unmatched tenant: here, every tenant
			}
			if rng.IntN(2) == 0 {
				q.Since = now.Add(-time.Duration(rng.IntN(60_000)) * time.Millisecond)
			}
			if rng.IntN(2) == 0 {
				q.Until = now.Add(-time.Duration(rng.IntN(30_000)) * time.Millisecond)
			}
			if rng.IntN(3) == 0 {
				q.StatusClass = []int{2, 3, 4, 5, 12}[rng.IntN(5)]
			}
			got, err := l.QueryLogs(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(got))
			for i, r := range got {
				ids[i] = r.RequestID
			}
			if want := m.query(q); !slices.Equal(ids, want) {
				t.Fatalf("round %d, query %+v:\n got %v\nwant %v", round, q, ids, want)
			}
		}
		if round%4 == 3 {
			var ret store.Retention
			switch rng.IntN(4) {
			case 0:
				ret.MaxAge = time.Duration(5_000+rng.IntN(40_000)) * time.Millisecond
			case 1:
				ret.MaxPerTenant = 1 + rng.IntN(300)
			case 2:
				ret.MaxBytes = m.live() * int64(50+rng.IntN(50)) / 100
			default:
				ret.MaxAge, ret.MaxPerTenant = time.Duration(20_000+rng.IntN(40_000))*time.Millisecond, 1+rng.IntN(500)
			}
			res, err := l.PruneLogs(ctx, ret, now)
			if err != nil {
				t.Fatal(err)
			}
			if want := m.prune(ret, now); res.Removed != want {
				t.Fatalf("round %d, prune %+v: removed %d, want %d", round, ret, res.Removed, want)
			}
			if want := m.query(store.LogQuery{Limit: 1 << 30}); !slices.Equal(idsOf(t, l, store.LogQuery{Limit: 1 << 30}), want) {
				t.Fatalf("round %d, after prune %+v: records differ from the model's", round, ret)
			}
		}
		info, err := l.LogsInfo(ctx)
		live, err2 := l.LiveBytes(ctx)
		if err != nil || err2 != nil || info.Records != int64(len(m.recs)) || live != m.live() {
			t.Fatalf("round %d: %d records, %d live bytes (%v, %v); model %d, %d", round, info.Records, live, err, err2, len(m.recs), m.live())
		}
		if err := l.Check(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}

func idsOf(t *testing.T, l *Logs, q store.LogQuery) []string {
	t.Helper()
	got, err := l.QueryLogs(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(got))
	for i, r := range got {
		ids[i] = r.RequestID
	}
	return ids
}
