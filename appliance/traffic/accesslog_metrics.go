package traffic

import (
	"io"

	"github.com/VictoriaMetrics/metrics"
)

// The access log's Prometheus series, written by AccessLog.WritePrometheus.
const (
	metricALQueueDepth  = "foyer_accesslog_queue_depth"        // gauge: records waiting now
	metricALQueueSize   = "foyer_accesslog_queue_capacity"     // gauge: the queue's size
	metricALWritten     = "foyer_accesslog_written_total"      // records stored in logs.db
	metricALDropped     = "foyer_accesslog_dropped_total"      // records refused: the queue was full
	metricALFailed      = "foyer_accesslog_failed_total"       // records lost with a batch that failed to write
	metricALWriteErrors = "foyer_accesslog_write_errors_total" // failed batch writes
	metricALPruned      = "foyer_accesslog_pruned_total"       // records removed by retention
	metricALFollowers   = "foyer_accesslog_followers"          // gauge: live `foyer logs --follow` streams
)

// WritePrometheus writes the access log's counters in the Prometheus text
// format. While Run runs, they are also part of the VictoriaMetrics
// library's default output (metrics.WritePrometheus), which the ops
// listener's /metrics serves.
func (a *AccessLog) WritePrometheus(w io.Writer) {
	st := a.Stats()
	metrics.WriteGaugeUint64(w, metricALQueueDepth, uint64(st.QueueDepth))
	metrics.WriteGaugeUint64(w, metricALQueueSize, uint64(st.QueueSize))
	metrics.WriteCounterUint64(w, metricALWritten, st.Written)
	metrics.WriteCounterUint64(w, metricALDropped, st.Dropped)
	metrics.WriteCounterUint64(w, metricALFailed, st.Failed)
	metrics.WriteCounterUint64(w, metricALWriteErrors, st.WriteErrors)
	metrics.WriteCounterUint64(w, metricALPruned, st.Pruned)
	metrics.WriteGaugeUint64(w, metricALFollowers, uint64(a.followers.count.Load()))
}

// registerMetrics adds the access log's series to the library's default
// output until the returned function is called.
func (a *AccessLog) registerMetrics() (unregister func()) {
	set := metrics.NewSet()
	set.RegisterMetricsWriter(a.WritePrometheus)
	metrics.RegisterSet(set)
	return func() { metrics.UnregisterSet(set, true) }
}
