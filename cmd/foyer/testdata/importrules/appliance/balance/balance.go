// Package balance breaks the house rule: only store/boltstore imports bbolt.
package balance

import "go.etcd.io/bbolt"

// Select is a placeholder.
func Select() { bbolt.Open() }
