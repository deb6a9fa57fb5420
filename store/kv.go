package store

import "context"

// Buckets are the KV buckets a backend must provide. The names are part of
// the on-disk format; add, never rename.
const (
	BucketMeta     = "meta"     // schema, revision, id sequence, settings
	BucketTenants  = "tenants"  // slug -> Tenant
	BucketPools    = "pools"    // slug/pool -> Pool
	BucketBackends = "backends" // slug/pool/id(20 digits) -> Backend
	BucketDomains  = "domains"  // name -> Domain
	BucketCerts    = "certs"    // name -> Certificate (imported)
	BucketAudit    = "audit"    // seq(20 digits) -> Entry
	BucketPlans    = "plans"    // name -> Plan
	BucketAPIKeys  = "apikeys"  // slug/id -> APIKey
	BucketJWTKeys  = "jwtkeys"  // slug -> JWTKey
	BucketTokens   = "tokens"   // id -> Token (the HTTPS API's bearer tokens)
	BucketSSH      = "ssh"      // key/<name> -> SSHKey, host -> SSHHostKey (the SSH console)
	// BucketCertmagic holds Blobs: key -> 8-byte big-endian UnixNano mtime, then the value.
	BucketCertmagic = "certmagic"
)

// Buckets lists every bucket of the model.
var Buckets = []string{BucketMeta, BucketTenants, BucketPools, BucketBackends,
	BucketDomains, BucketCerts, BucketAudit, BucketPlans, BucketAPIKeys, BucketJWTKeys, BucketCertmagic, BucketTokens, BucketUsage, BucketSSH}

// KV is what a storage backend provides: buckets of ordered keys with
// atomic transactions. Implementations are safe for concurrent use.
type KV interface {
	// Update runs fn in a read-write transaction, committed if fn returns
	// nil and rolled back otherwise. Errors from the backend itself (disk,
	// lock) are returned as they are.
	Update(ctx context.Context, fn func(KVTx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(KVTx) error) error
	// Close releases the backend.
	Close() error
}

// KVTx is one transaction of a KV. Values passed to fn in ForEach and
// returned by Get are valid only until the transaction ends; callers copy
// (json.Unmarshal does).
type KVTx interface {
	Get(bucket, key string) []byte
	Put(bucket, key string, value []byte) error
	Delete(bucket, key string) error
	// ForEach calls fn for each key with the prefix, in key order. fn must
	// not modify the bucket.
	ForEach(bucket, prefix string, fn func(key string, value []byte) error) error
}

// BytesWalker is a KVTx that can also walk a bucket with its keys as
// bytes, valid (like values) only until fn returns; callers copy what
// they keep. Snapshot uses it, when the backend has it, to walk 10,000s of
// cached records without a string per key.
type BytesWalker interface {
	ForEachBytes(bucket, prefix string, fn func(key, value []byte) error) error
}
