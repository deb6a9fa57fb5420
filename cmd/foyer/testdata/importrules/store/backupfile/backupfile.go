// Package backupfile breaks its row: it imports store/boltstore.
package backupfile

import "github.com/foyerhq/foyer/store/boltstore"

// Write is a placeholder.
func Write() string { return boltstore.Open() }
