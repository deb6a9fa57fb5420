// Package route breaks its row twice: store/boltstore, and net/http (no I/O).
package route

import (
	"net/http"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

// Build is a placeholder.
func Build() string { return store.Name + boltstore.Open() + http.MethodGet }
