package store

import (
	"context"
	"io"
)

// Backuper is implemented by a store (or an access log) whose whole data
// can be copied as one consistent snapshot while it keeps serving: readers
// and writers are not paused. It is optional: code outside store/* finds it
// with a type assertion and never assumes that the data is a local file.
//
// Implementations are safe for concurrent use and honour ctx between
// chunks. The snapshot is in the backend's own format (for boltstore, a
// bbolt file), which the same backend opens again on restore.
type Backuper interface {
	// WriteBackup writes a consistent snapshot of everything the store
	// holds to w and returns the number of bytes written. An error means
	// w holds no usable snapshot.
	WriteBackup(ctx context.Context, w io.Writer) (int64, error)
}

// Versioned is implemented by a store that records the version of its
// on-disk layout (its schema), which a backup carries in its header so a
// restore can refuse a snapshot newer than it understands.
type Versioned interface {
	// Schema returns the schema version of the store's data.
	Schema(ctx context.Context) (uint64, error)
}
