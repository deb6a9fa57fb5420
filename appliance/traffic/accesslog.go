package traffic

import "github.com/foyerhq/foyer/store"

// AccessLog queues records for logs.db. Not built yet: Enqueue drops
// everything (the observability issue builds it).
type AccessLog struct{}

// Enqueue queues a copy of rec, or counts it dropped when the queue is
// full; it never blocks. Not built yet.
func (a *AccessLog) Enqueue(rec *store.LogRecord) {}
