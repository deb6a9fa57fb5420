// Package ops imports only what its row allows, but store/backupfile
// brings store/boltstore and bbolt with it.
package ops

import (
	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store/backupfile"
)

// Restore is a placeholder.
func Restore() string { return backupfile.Write() + api.Client() }
