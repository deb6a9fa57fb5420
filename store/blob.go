package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Blobs is a flat area of opaque values for certmagic's storage (ACME
// accounts, issued certificates and keys, OCSP staples, challenge tokens),
// kept in BucketCertmagic so that one backup holds them with the
// configuration and a restored box serves TLS without re-issuing.
//
// Writes here are certificate-cache writes, not configuration changes:
// they bump no revision, publish nothing on the feed and write no audit
// entry.
//
// Keys are "/"-separated paths with no leading or trailing slash and no
// empty component. Directories are implicit: a key's parents exist while
// something lies below them. A prefix matches whole components: "a" is
// the parent of "a/b" but not of "ab/c". Every method is atomic on its own
// and safe for concurrent use; a value returned is the caller's to keep.
type Blobs interface {
	// PutBlob stores value under key, replacing any value there, with the
	// store's clock as its modification time.
	PutBlob(ctx context.Context, key string, value []byte) error
	// GetBlob returns the value under key, or an error wrapping
	// ErrNotFound (also when key is only a directory).
	GetBlob(ctx context.Context, key string) ([]byte, error)
	// DeleteBlob removes key and everything under it. Nothing there is not
	// an error.
	DeleteBlob(ctx context.Context, key string) error
	// ListBlobs returns the full keys of dir's immediate children,
	// directories included, or with recursive every descendant, sorted.
	// dir "" is the root. Nothing under dir returns an empty list.
	ListBlobs(ctx context.Context, dir string, recursive bool) ([]string, error)
	// StatBlob describes a value or a directory, or returns an error
	// wrapping ErrNotFound.
	StatBlob(ctx context.Context, key string) (BlobInfo, error)
}

// BlobInfo describes one key of Blobs.
type BlobInfo struct {
	Key string
	// Dir is true for a directory: Size is 0 and Modified is that of its
	// newest descendant.
	Dir      bool
	Size     int64
	Modified time.Time
}

var _ Blobs = (*DB)(nil)

// blobHeader is the length of the big-endian UnixNano modification time
// that precedes every value in BucketCertmagic.
const blobHeader = 8

// checkBlobKey refuses a key that is empty, starts or ends with "/" or
// has an empty component. dir allows "" (the root).
func checkBlobKey(key string, dir bool) error {
	if key == "" && dir {
		return nil
	}
	if key == "" || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") || strings.Contains(key, "//") {
		return invalid("blob.key", "use \"/\"-separated names without leading, trailing or doubled slashes",
			"bad blob key %q", key)
	}
	return nil
}

// blobDir is the ForEach prefix of everything under dir.
func blobDir(dir string) string {
	if dir == "" {
		return ""
	}
	return dir + "/"
}

func decodeBlob(v []byte) (time.Time, []byte, error) {
	if len(v) < blobHeader {
		return time.Time{}, nil, fmt.Errorf("blob value of %d bytes has no header", len(v))
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v))), v[blobHeader:], nil
}

// PutBlob implements Blobs.
func (db *DB) PutBlob(ctx context.Context, key string, value []byte) error {
	if err := checkBlobKey(key, false); err != nil {
		return err
	}
	v := binary.BigEndian.AppendUint64(make([]byte, 0, blobHeader+len(value)), uint64(db.now().UnixNano()))
	v = append(v, value...)
	return db.kv.Update(ctx, func(k KVTx) error { return k.Put(BucketCertmagic, key, v) })
}

// GetBlob implements Blobs.
func (db *DB) GetBlob(ctx context.Context, key string) (out []byte, err error) {
	if err := checkBlobKey(key, false); err != nil {
		return nil, err
	}
	err = db.kv.View(ctx, func(k KVTx) error {
		v := k.Get(BucketCertmagic, key)
		if v == nil {
			return notFound("blob", key, "")
		}
		_, data, err := decodeBlob(v)
		out = bytes.Clone(data) // v is valid only inside the transaction
		if out == nil {
			out = []byte{}
		}
		return err
	})
	return out, err
}

// DeleteBlob implements Blobs.
func (db *DB) DeleteBlob(ctx context.Context, key string) error {
	if err := checkBlobKey(key, false); err != nil {
		return err
	}
	return db.kv.Update(ctx, func(k KVTx) error {
		del := []string{}
		if k.Get(BucketCertmagic, key) != nil {
			del = append(del, key)
		}
		err := k.ForEach(BucketCertmagic, blobDir(key), func(child string, _ []byte) error {
			del = append(del, child) // a string copy: safe past the cursor
			return nil
		})
		if err != nil {
			return err
		}
		for _, d := range del {
			if err := k.Delete(BucketCertmagic, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListBlobs implements Blobs.
func (db *DB) ListBlobs(ctx context.Context, dir string, recursive bool) ([]string, error) {
	if err := checkBlobKey(dir, true); err != nil {
		return nil, err
	}
	prefix := blobDir(dir)
	seen := map[string]bool{}
	err := db.kv.View(ctx, func(k KVTx) error {
		return k.ForEach(BucketCertmagic, prefix, func(key string, _ []byte) error {
			parts := strings.Split(key[len(prefix):], "/")
			if !recursive {
				parts = parts[:1]
			}
			for i := range parts {
				seen[prefix+strings.Join(parts[:i+1], "/")] = true
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(seen))
	for key := range seen {
		out = append(out, key)
	}
	slices.Sort(out)
	return out, nil
}

// StatBlob implements Blobs.
func (db *DB) StatBlob(ctx context.Context, key string) (info BlobInfo, err error) {
	if err := checkBlobKey(key, false); err != nil {
		return BlobInfo{}, err
	}
	err = db.kv.View(ctx, func(k KVTx) error {
		if v := k.Get(BucketCertmagic, key); v != nil {
			mod, data, err := decodeBlob(v)
			info = BlobInfo{Key: key, Size: int64(len(data)), Modified: mod}
			return err
		}
		info = BlobInfo{Key: key, Dir: true}
		found := false
		err := k.ForEach(BucketCertmagic, blobDir(key), func(_ string, v []byte) error {
			mod, _, err := decodeBlob(v)
			if found = true; mod.After(info.Modified) {
				info.Modified = mod
			}
			return err
		})
		if err == nil && !found {
			err = notFound("blob", key, "")
		}
		return err
	})
	return info, err
}
