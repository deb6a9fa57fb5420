package traffic

import (
	"bytes"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/foyerhq/foyer/store/memstore"
)

// Ensure that the access log's series parse as Prometheus text and carry
// the counters: written, dropped, queue depth and capacity, followers.
func TestAccessLogWritePrometheus(t *testing.T) {
	logs := memstore.NewLogs()
	a := NewAccessLog(AccessLogOptions{Logs: logs, QueueSize: 4, FlushInterval: time.Hour})
	f := a.Follow(FollowFilter{}, 1)
	defer f.Close()
	for i := range 6 { // 4 queued, 2 dropped; the writer is not running yet
		rec := testRecord("acme", time.Now(), 200, i)
		a.Enqueue(&rec)
	}
	var b bytes.Buffer
	a.WritePrometheus(&b)
	fams := parse(t, b.Bytes())
	for name, want := range map[string]float64{metricALQueueDepth: 4, metricALQueueSize: 4, metricALDropped: 2,
		metricALWritten: 0, metricALFollowers: 1} {
		if got, ok := value(fams, name, nil); !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, want)
		}
	}
	runLog(t, a)()
	b.Reset()
	a.WritePrometheus(&b)
	fams = parse(t, b.Bytes())
	if got, _ := value(fams, metricALWritten, nil); got != 4 {
		t.Errorf("%s = %v after stop, want 4", metricALWritten, got)
	}
	if got, _ := value(fams, metricALQueueDepth, nil); got != 0 {
		t.Errorf("%s = %v after stop, want 0", metricALQueueDepth, got)
	}
}

// Ensure that a running access log's series are in the VictoriaMetrics
// library's default output (what /metrics serves), and gone after stop.
func TestAccessLogMetricsRegistered(t *testing.T) {
	a := NewAccessLog(AccessLogOptions{QueueSize: 77})
	stop := runLog(t, a)
	var b bytes.Buffer
	waitFor(t, "the set registered", func() bool {
		b.Reset()
		metrics.WritePrometheus(&b, false)
		_, ok := value(parse(t, b.Bytes()), metricALQueueSize, nil)
		return ok
	})
	if got, _ := value(parse(t, b.Bytes()), metricALQueueSize, nil); got != 77 {
		t.Fatalf("%s = %v, want 77", metricALQueueSize, got)
	}
	stop()
	b.Reset()
	metrics.WritePrometheus(&b, false)
	if _, ok := value(parse(t, b.Bytes()), metricALQueueSize, nil); ok {
		t.Fatal("the access log's series are still served after Run returned")
	}
}
