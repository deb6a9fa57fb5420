// Package boltstore is allowed: store and bbolt.
package boltstore

import (
	"github.com/foyerhq/foyer/store"
	"go.etcd.io/bbolt"
)

// Open is a placeholder.
func Open() string { bbolt.Open(); return store.Name }
