package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/url"
	"strconv"
)

// The parts GET /v1/backup can stream.
const (
	BackupPartStore = "foyer.db" // the store: configuration, certificates, audit, usage
	BackupPartLogs  = "logs.db"  // the access log
)

// Headers and trailers of GET /v1/backup.
const (
	// BackupSchemaHeader is the snapshot's schema version (foyer.db only).
	BackupSchemaHeader = "Foyer-Schema"
	// BackupBytesTrailer is the snapshot's size, sent after it.
	BackupBytesTrailer = "Foyer-Backup-Bytes"
	// BackupSHA256Trailer is the snapshot's hex SHA-256, sent after it.
	BackupSHA256Trailer = "Foyer-Backup-Sha256"
)

// BackupStream is one snapshot being read from the daemon. Read it to the
// end, then Close, which reports whether it arrived whole.
type BackupStream struct {
	// Schema is the snapshot's schema version (0 when the daemon did not say).
	Schema uint64

	body   io.ReadCloser
	hash   hash.Hash
	n      int64
	eof    bool
	tr     func() (string, string)
	closed bool
}

// Backup opens GET /v1/backup for part (BackupPartStore or
// BackupPartLogs): a consistent snapshot, taken while the daemon serves.
// Only an admin identity may call it.
func (c *Client) Backup(ctx context.Context, part string) (*BackupStream, error) {
	resp, err := c.send(ctx, "GET", "/v1/backup?part="+url.QueryEscape(part), nil)
	if err != nil {
		return nil, err
	}
	bs := &BackupStream{body: resp.Body, hash: sha256.New(),
		tr: func() (string, string) {
			return resp.Trailer.Get(BackupBytesTrailer), resp.Trailer.Get(BackupSHA256Trailer)
		}}
	if v := resp.Header.Get(BackupSchemaHeader); v != "" {
		if bs.Schema, err = strconv.ParseUint(v, 10, 64); err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("backup: bad %s header %q", BackupSchemaHeader, v)
		}
	}
	return bs, nil
}

// Read reads the snapshot.
func (b *BackupStream) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	b.hash.Write(p[:n])
	b.n += int64(n)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

// Close ends the stream. It returns an error unless the whole snapshot
// was read and its size and SHA-256 match what the daemon sent after it.
func (b *BackupStream) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	if err := b.body.Close(); err != nil {
		return fmt.Errorf("backup stream: %w", err)
	}
	if !b.eof {
		return fmt.Errorf("backup stream closed before its end (%d bytes read)", b.n)
	}
	size, sum := b.tr()
	if size != strconv.FormatInt(b.n, 10) || sum != hex.EncodeToString(b.hash.Sum(nil)) {
		return fmt.Errorf("backup stream is incomplete: received %d bytes, the daemon sent %q bytes (sha256 %q); retry the backup", b.n, size, sum)
	}
	return nil
}
