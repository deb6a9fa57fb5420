package backupfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"github.com/klauspost/compress/zstd"
)

// Source is one part to write: its name and a function that writes its
// bytes (a store's WriteBackup).
type Source struct {
	Name  string
	Write func(w io.Writer) (int64, error)
}

// Encryption says how Write encrypts the body. The zero value encrypts
// nothing. Recipients and Passphrase are exclusive.
type Encryption struct {
	// Recipients are age recipients ("age1..."), any number.
	Recipients []string
	// Passphrase encrypts with age's scrypt recipient.
	Passphrase string
	// ScryptWorkFactor is scrypt's log2 work factor; 0 means age's default
	// (18, about a second). Tests lower it.
	ScryptWorkFactor int
}

// recipients parses the encryption into age recipients and the name
// recorded in the header.
func (e Encryption) recipients() ([]age.Recipient, string, error) {
	switch {
	case len(e.Recipients) > 0 && e.Passphrase != "":
		return nil, "", errors.New("encrypt to recipients or with a passphrase, not both")
	case e.Passphrase != "":
		r, err := age.NewScryptRecipient(e.Passphrase)
		if err != nil {
			return nil, "", fmt.Errorf("passphrase: %w", err)
		}
		if e.ScryptWorkFactor > 0 {
			r.SetWorkFactor(e.ScryptWorkFactor)
		}
		return []age.Recipient{r}, EncryptPassphrase, nil
	case len(e.Recipients) > 0:
		var out []age.Recipient
		for _, s := range e.Recipients {
			rs, err := age.ParseRecipients(strings.NewReader(s))
			if err != nil {
				return nil, "", fmt.Errorf("age recipient %q: %w (want a public key such as age1..., from age-keygen)", s, err)
			}
			out = append(out, rs...)
		}
		return out, EncryptRecipients, nil
	}
	return nil, EncryptNone, nil
}

// Write writes a backup of sources to f, which must be positioned at
// offset 0 and empty: the header block, then the body, then the header
// again with sizes and checksums filled in. h gives FoyerVersion, Schema
// and Created; Write returns it completed.
func Write(f io.WriteSeeker, h Header, enc Encryption, sources ...Source) (Header, error) {
	recips, how, err := enc.recipients()
	if err != nil {
		return h, err
	}
	h.Format, h.Encryption, h.Contents = Format, how, nil
	blank := make([]byte, HeaderSize)
	if _, err := f.Write(blank); err != nil {
		return h, fmt.Errorf("write backup: %w", err)
	}
	body := &countHash{w: f, h: sha256.New()}
	if h.Contents, err = writeBody(body, recips, sources); err != nil {
		return h, err
	}
	h.BodyBytes, h.BodySHA256 = body.n, hex.EncodeToString(body.h.Sum(nil))
	block, err := encodeHeader(h)
	if err != nil {
		return h, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return h, fmt.Errorf("write backup header: %w", err)
	}
	if _, err := f.Write(block); err != nil {
		return h, fmt.Errorf("write backup header: %w", err)
	}
	return h, nil
}

// writeBody writes the compressed (and perhaps encrypted) parts to w.
func writeBody(w io.Writer, recips []age.Recipient, sources []Source) ([]Content, error) {
	var sink io.WriteCloser = nopCloser{w}
	if len(recips) > 0 {
		aw, err := age.Encrypt(w, recips...)
		if err != nil {
			return nil, fmt.Errorf("encrypt backup: %w", err)
		}
		sink = aw
	}
	zw, err := zstd.NewWriter(sink, zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return nil, fmt.Errorf("compress backup: %w", err)
	}
	var contents []Content
	for _, s := range sources {
		part := &countHash{w: zw, h: sha256.New()}
		if _, err := s.Write(part); err != nil {
			zw.Close()
			return nil, fmt.Errorf("back up %s: %w", s.Name, err)
		}
		contents = append(contents, Content{Name: s.Name, Bytes: part.n, SHA256: hex.EncodeToString(part.h.Sum(nil))})
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress backup: %w", err)
	}
	if err := sink.Close(); err != nil {
		return nil, fmt.Errorf("encrypt backup: %w", err)
	}
	return contents, nil
}

// Create writes a backup to path atomically: into a temporary file beside
// it with mode 0600, synced, then renamed over path, so path is either the
// whole new backup or what it was before. The directory must exist.
func Create(path string, h Header, enc Encryption, sources ...Source) (Header, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return h, fmt.Errorf("create backup: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return h, fmt.Errorf("create backup: %w", err)
	}
	h, err = Write(tmp, h, enc, sources...)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return h, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return h, fmt.Errorf("create backup: %w", err)
	}
	syncDir(filepath.Dir(path))
	return h, nil
}

// syncDir makes a rename in dir durable; failure is not fatal (some file
// systems do not sync directories).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// countHash counts and hashes what passes through to w.
type countHash struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *countHash) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
