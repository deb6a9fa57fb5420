package memstore_test

import (
	"context"
	"testing"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
	"github.com/foyerhq/foyer/store/storetest"
)

func TestConformance(t *testing.T) {
	// Ensure that memstore passes the store conformance suite.
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := memstore.Open(context.Background(), store.Options{})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
