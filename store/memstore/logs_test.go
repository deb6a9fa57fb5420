package memstore_test

import (
	"testing"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
	"github.com/foyerhq/foyer/store/storetest"
)

func TestLogsConformance(t *testing.T) {
	// Ensure that the in-memory access log passes the Logs conformance suite.
	storetest.RunLogs(t, func(t *testing.T) store.Logs {
		l := memstore.NewLogs()
		t.Cleanup(func() { _ = l.Close() })
		return l
	})
}
