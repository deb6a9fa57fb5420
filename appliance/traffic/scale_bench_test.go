package traffic

import (
	"strconv"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

// scaleTenants is the tenant count of the scale benchmarks (make scale's N).
const scaleTenants = 10_000

// BenchmarkUsageFirstRequests is the usage rollup's cost of one first
// request from each of 10,000 tenants: per op, 10,000 new tenants.
func BenchmarkUsageFirstRequests(b *testing.B) {
	recs := make([]store.LogRecord, scaleTenants)
	now := time.Now()
	for i := range recs {
		recs[i] = testRecord("t"+strconv.Itoa(i), now, 200, i)
	}
	b.ReportAllocs()
	for b.Loop() {
		var u usageTable
		for i := range recs {
			u.observe(&recs[i])
		}
	}
}

// BenchmarkLiveFirstRequests is the live counters' cost, in bytes and
// allocations, of one request from each of 10,000 tenants: per op, 10,000
// new tenants with their live state (the B/op is the memory they hold).
func BenchmarkLiveFirstRequests(b *testing.B) {
	recs := make([]store.LogRecord, scaleTenants)
	now := time.Now()
	for i := range recs {
		recs[i] = testRecord("t"+strconv.Itoa(i), now, 200, i)
	}
	b.ReportAllocs()
	for b.Loop() {
		l := NewLive(LiveOptions{Now: func() time.Time { return now }})
		for i := range recs {
			l.Observe(&recs[i])
		}
	}
}
