package appliance

import (
	"context"

	"github.com/foyerhq/foyer/appliance/traffic"
)

// newAccessLog builds the access log's queue and writer over opts.Logs
// (nil: records are not stored; usage rollups and follow still work) and
// the store's usage rollups.
func newAccessLog(opts Options) *traffic.AccessLog {
	return traffic.NewAccessLog(traffic.AccessLogOptions{Logs: opts.Logs, Usage: opts.Store, Logger: opts.Logger})
}

// startAccessLog runs the access log's writer, retention and usage loops
// on their own context: they must outlive Run's, so that the records of
// requests still draining are written. The returned stop ends them and
// waits until the last batch and the last usage rows are written; Run
// calls it after the drain, while the store is still open.
func (a *Appliance) startAccessLog() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.accessLog.Run(ctx) }()
	return func() { cancel(); <-done }
}
