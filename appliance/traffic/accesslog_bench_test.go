package traffic

import (
	"context"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

// benchAccessLog runs an AccessLog with no Logs behind it (the writer
// drains the queue and discards), so the benchmark measures Enqueue:
// the usage rollup and the queue send.
func benchAccessLog(b *testing.B, off bool) *AccessLog {
	a := NewAccessLog(AccessLogOptions{})
	s := store.DefaultSettings()
	s.AccessLogOff = off
	a.Apply(s)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
	return a
}

func reportDrops(b *testing.B, a *AccessLog) {
	st := a.Stats()
	if n := st.Queued + st.Dropped; n > 0 {
		b.ReportMetric(float64(st.Dropped)/float64(n)*100, "%dropped")
	}
}

// BenchmarkEnqueue is the access log's cost on the request path, one
// goroutine and all of them, with the access log on and off (off: only
// the usage rollup).
func BenchmarkEnqueue(b *testing.B) {
	for _, c := range []struct {
		name string
		off  bool
	}{{"on", false}, {"off", true}} {
		b.Run(c.name, func(b *testing.B) {
			a := benchAccessLog(b, c.off)
			rec := testRecord("acme", time.Now(), 200, 1)
			b.ReportAllocs()
			for b.Loop() {
				a.Enqueue(&rec)
			}
			reportDrops(b, a)
		})
		b.Run(c.name+"/parallel", func(b *testing.B) {
			a := benchAccessLog(b, c.off)
			var recs []store.LogRecord
			for i, t := range []string{"acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"} {
				recs = append(recs, testRecord(t, time.Now(), 200, i))
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					a.Enqueue(&recs[i%len(recs)])
					i++
				}
			})
			reportDrops(b, a)
		})
	}
}
