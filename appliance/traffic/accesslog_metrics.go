package traffic

import (
	"io"
	"strconv"
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
// format, for the ops listener's /metrics.
func (a *AccessLog) WritePrometheus(w io.Writer) {
	st := a.Stats()
	buf := make([]byte, 0, 1024)
	put := func(name, typ string, v uint64) {
		buf = append(buf, "# TYPE "...)
		buf = append(buf, name...)
		buf = append(buf, ' ')
		buf = append(buf, typ...)
		buf = append(buf, '\n')
		buf = append(buf, name...)
		buf = append(buf, ' ')
		buf = strconv.AppendUint(buf, v, 10)
		buf = append(buf, '\n')
	}
	put(metricALQueueDepth, "gauge", uint64(st.QueueDepth))
	put(metricALQueueSize, "gauge", uint64(st.QueueSize))
	put(metricALWritten, "counter", st.Written)
	put(metricALDropped, "counter", st.Dropped)
	put(metricALFailed, "counter", st.Failed)
	put(metricALWriteErrors, "counter", st.WriteErrors)
	put(metricALPruned, "counter", st.Pruned)
	put(metricALFollowers, "gauge", uint64(a.followers.count.Load()))
	_, _ = w.Write(buf)
}
