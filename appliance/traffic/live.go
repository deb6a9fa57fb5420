package traffic

import "github.com/foyerhq/foyer/store"

// Live holds per-tenant live counters. Not built yet: Observe counts
// nothing (the observability issue builds it).
type Live struct{}

// Observe counts one finished request. Not built yet.
func (l *Live) Observe(rec *store.LogRecord) {}
