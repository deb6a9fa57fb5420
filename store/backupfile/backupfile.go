// Package backupfile is the format of a foyer backup file, and only that:
// it writes one and reads one back, refusing a file that is not whole.
//
// A backup file is a fixed 4096-byte header block, then the body:
//
//	offset 0     8 bytes   magic "FOYERBAK"
//	offset 8     4 bytes   format version, big-endian (this package writes 1)
//	offset 12    4 bytes   length N of the header JSON, big-endian
//	offset 16    N bytes   the header JSON (Header)
//	...          zeros up to offset 4064
//	offset 4064  32 bytes  SHA-256 of bytes 0..4064
//	offset 4096  the body: the parts one after another (sizes in the
//	             header), compressed with zstd, then, if the header says
//	             so, encrypted with age (to recipients or a passphrase)
//
// The header records the SHA-256 and size of the body as stored (after
// encryption), so a damaged or cut-short file is refused before anything
// is decrypted, and the SHA-256 of every part as it was read from the
// store, checked again as the part is extracted. The header is plain JSON
// so `head -c 4096 FILE` shows what a file holds without any key.
package backupfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// Magic is the first 8 bytes of every backup file.
const Magic = "FOYERBAK"

// Format is the format version this package writes and the newest it reads.
const Format = 1

// HeaderSize is the size of the header block that precedes the body.
const HeaderSize = 4096

// hashAt is where the header block's own SHA-256 begins.
const hashAt = HeaderSize - sha256.Size

// maxJSON is the largest header JSON that fits the block.
const maxJSON = hashAt - 16

// Encryption names how a body is encrypted.
const (
	EncryptNone       = ""               // zstd only
	EncryptRecipients = "age-recipients" // age, to X25519 or hybrid recipients
	EncryptPassphrase = "age-passphrase" // age, with a scrypt passphrase
)

// Header describes a backup file. Write fills in Format, Contents' sizes
// and hashes, Encryption, BodyBytes and BodySHA256.
type Header struct {
	// Format is the file format version (Format).
	Format int `json:"format"`
	// FoyerVersion is the version of the foyer that wrote the file.
	FoyerVersion string `json:"foyer_version"`
	// Schema is the store's schema version in the snapshot.
	Schema uint64 `json:"schema"`
	// Created is when the snapshot was taken.
	Created time.Time `json:"created"`
	// Contents lists the parts of the body, in order.
	Contents []Content `json:"contents"`
	// Encryption is one of EncryptNone, EncryptRecipients, EncryptPassphrase.
	Encryption string `json:"encryption,omitempty"`
	// BodyBytes is the size of the body as stored.
	BodyBytes int64 `json:"body_bytes"`
	// BodySHA256 is the hex SHA-256 of the body as stored.
	BodySHA256 string `json:"body_sha256"`
}

// Content is one part of a backup: a file of the data directory.
type Content struct {
	// Name is the part's file name, e.g. "foyer.db" or "logs.db".
	Name string `json:"name"`
	// Bytes is the part's size before compression.
	Bytes int64 `json:"bytes"`
	// SHA256 is the hex SHA-256 of the part before compression.
	SHA256 string `json:"sha256"`
}

// Part returns the content named name and true, or false.
func (h Header) Part(name string) (Content, bool) {
	for _, c := range h.Contents {
		if c.Name == name {
			return c, true
		}
	}
	return Content{}, false
}

// encodeHeader lays out the header block.
func encodeHeader(h Header) ([]byte, error) {
	js, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode backup header: %w", err)
	}
	if len(js) > maxJSON {
		return nil, fmt.Errorf("backup header is %d bytes, more than the %d that fit", len(js), maxJSON)
	}
	b := make([]byte, HeaderSize)
	copy(b, Magic)
	binary.BigEndian.PutUint32(b[8:], uint32(h.Format))
	binary.BigEndian.PutUint32(b[12:], uint32(len(js)))
	copy(b[16:], js)
	sum := sha256.Sum256(b[:hashAt])
	copy(b[hashAt:], sum[:])
	return b, nil
}

// decodeHeader parses a header block of n bytes (fewer than HeaderSize
// when the file is that short), refusing with the reason.
func decodeHeader(b []byte, n int) (Header, error) {
	var h Header
	if n < len(Magic) || !bytes.Equal(b[:len(Magic)], []byte(Magic)) {
		return h, refuse(ErrForeign, "it does not begin with %q: it is not a foyer backup (or it was sent through a text-mode transfer)", Magic)
	}
	if n < 16 {
		return h, refuse(ErrTruncated, "it ends inside its header (%d of %d bytes)", n, HeaderSize)
	}
	if f := binary.BigEndian.Uint32(b[8:]); f > Format {
		return h, refuse(ErrNewerFormat, "it has backup format %d and this foyer reads format %d at most; restore it with a newer foyer", f, Format)
	}
	if n < HeaderSize {
		return h, refuse(ErrTruncated, "it ends inside its header (%d of %d bytes)", n, HeaderSize)
	}
	if sum := sha256.Sum256(b[:hashAt]); !bytes.Equal(sum[:], b[hashAt:HeaderSize]) {
		return h, refuse(ErrCorrupt, "its header does not match its checksum: the file is damaged")
	}
	size := binary.BigEndian.Uint32(b[12:])
	if size > maxJSON {
		return h, refuse(ErrCorrupt, "its header length %d is impossible: the file is damaged", size)
	}
	if err := json.Unmarshal(b[16:16+size], &h); err != nil {
		return h, refuse(ErrCorrupt, "its header is not valid JSON (%v): the file is damaged", err)
	}
	if h.Format < 1 || h.Format > Format {
		return h, refuse(ErrNewerFormat, "its header names format %d and this foyer reads format %d at most; restore it with a newer foyer", h.Format, Format)
	}
	return h, nil
}
