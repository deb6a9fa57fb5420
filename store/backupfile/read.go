package backupfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
	"github.com/klauspost/compress/zstd"
)

// Decryption holds the keys Extract may use. Give the one the file needs
// (its Header.Encryption says which); the zero value opens only a file
// that is not encrypted.
type Decryption struct {
	// Identities is the text of an age identity file (AGE-SECRET-KEY-...
	// lines; "#" comments and blank lines are skipped).
	Identities string
	// Passphrase opens a file encrypted with a passphrase.
	Passphrase string
}

// File is a backup file opened for reading. Its header has been checked
// (magic, format, header checksum, body size); Verify checks the body.
type File struct {
	// Header is the file's header.
	Header Header
	r      io.ReaderAt
}

// Open reads and checks the header of the backup in r, a file of size
// bytes. It refuses (with a *Refusal) a foreign file, a newer format, a
// damaged header and a file cut short or with bytes after its body.
func Open(r io.ReaderAt, size int64) (*File, error) {
	b := make([]byte, HeaderSize)
	n, err := r.ReadAt(b, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read backup header: %w", err)
	}
	h, err := decodeHeader(b, n)
	if err != nil {
		return nil, err
	}
	switch have := size - HeaderSize; {
	case have < h.BodyBytes:
		return nil, refuse(ErrTruncated, "its body has %d of the %d bytes its header records: the copy was cut short; copy the file again", have, h.BodyBytes)
	case have > h.BodyBytes:
		return nil, refuse(ErrCorrupt, "it has %d bytes after the %d its header records: the file is damaged or was appended to", have-h.BodyBytes, h.BodyBytes)
	}
	return &File{Header: h, r: r}, nil
}

// body returns a reader over the stored body.
func (f *File) body() io.Reader { return io.NewSectionReader(f.r, HeaderSize, f.Header.BodyBytes) }

// Verify reads the whole body and compares its SHA-256 with the header's,
// without decrypting anything.
func (f *File) Verify() error {
	h := sha256.New()
	if _, err := io.Copy(h, f.body()); err != nil {
		return fmt.Errorf("read backup: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.Header.BodySHA256 {
		return refuse(ErrCorrupt, "its body does not match the checksum in its header (sha256 %s, want %s): the file is damaged; use another copy", got[:12], short(f.Header.BodySHA256))
	}
	return nil
}

// Extract decrypts and decompresses the body and calls fn for each part
// in order with a reader of exactly its bytes; fn need not read it all.
// Each part's size and SHA-256 are checked after fn returns, so fn must
// treat what it wrote as provisional until Extract returns nil. Call
// Verify first: Extract also fails on damage, but later and less clearly.
func (f *File) Extract(dec Decryption, fn func(c Content, r io.Reader) error) error {
	src, err := f.decrypt(dec)
	if err != nil {
		return err
	}
	zr, err := zstd.NewReader(src)
	if err != nil {
		return refuse(ErrCorrupt, "its body cannot be decompressed: %v", err)
	}
	defer zr.Close()
	for _, c := range f.Header.Contents {
		if err := extractPart(zr, c, fn); err != nil {
			return err
		}
	}
	if n, _ := io.Copy(io.Discard, zr); n > 0 {
		return refuse(ErrCorrupt, "its body holds %d bytes more than its parts", n)
	}
	return nil
}

// extractPart hands one part to fn and checks it.
func extractPart(zr io.Reader, c Content, fn func(Content, io.Reader) error) error {
	h := sha256.New()
	lr := &io.LimitedReader{R: zr, N: c.Bytes}
	r := &errReader{r: io.TeeReader(lr, h)}
	ferr := fn(c, r)
	if r.err != nil {
		return bodyError(c.Name, r.err)
	}
	if ferr != nil {
		return ferr
	}
	if _, err := io.Copy(h, lr); err != nil {
		return bodyError(c.Name, err)
	}
	if lr.N > 0 {
		return refuse(ErrTruncated, "part %s ends %d bytes early", c.Name, lr.N)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != c.SHA256 {
		return refuse(ErrCorrupt, "part %s does not match its checksum (sha256 %s, want %s)", c.Name, got[:12], short(c.SHA256))
	}
	return nil
}

// errReader remembers the first read error, so Extract can tell a damaged
// body from fn's own failure.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && e.err == nil {
		e.err = err
	}
	return n, err
}

// bodyError turns a failure to decrypt or decompress the body into a
// refusal.
func bodyError(part string, err error) error {
	var r *Refusal
	if errors.As(err, &r) {
		return err
	}
	return refuse(ErrCorrupt, "part %s cannot be decrypted or decompressed (%v): the file is damaged", part, err)
}

// decrypt returns the plaintext (zstd) stream of the body.
func (f *File) decrypt(dec Decryption) (io.Reader, error) {
	switch f.Header.Encryption {
	case EncryptNone:
		return f.body(), nil
	case EncryptPassphrase:
		if dec.Passphrase == "" {
			return nil, refuse(ErrEncrypted, "it is encrypted with a passphrase; give it with --passphrase-file FILE (or type it when asked)")
		}
		id, err := age.NewScryptIdentity(dec.Passphrase)
		if err != nil {
			return nil, fmt.Errorf("passphrase: %w", err)
		}
		return ageDecrypt(f.body(), "the passphrase", id)
	case EncryptRecipients:
		if strings.TrimSpace(dec.Identities) == "" {
			return nil, refuse(ErrEncrypted, "it is encrypted to age recipients; give the matching identity file with --identity FILE")
		}
		ids, err := age.ParseIdentities(strings.NewReader(dec.Identities))
		if err != nil {
			return nil, fmt.Errorf("identity file: %w (want AGE-SECRET-KEY-... lines, as age-keygen writes)", err)
		}
		return ageDecrypt(f.body(), "the identity", ids...)
	}
	return nil, refuse(ErrNewerFormat, "it is encrypted with %q, which this foyer does not know; restore it with a newer foyer", f.Header.Encryption)
}

func ageDecrypt(body io.Reader, what string, ids ...age.Identity) (io.Reader, error) {
	r, err := age.Decrypt(body, ids...)
	var nomatch *age.NoIdentityMatchError
	switch {
	case errors.As(err, &nomatch), errors.Is(err, age.ErrIncorrectIdentity):
		return nil, refuse(ErrWrongKey, "%s does not open this backup; check that it is the one the backup was made with", what)
	case err != nil:
		return nil, refuse(ErrCorrupt, "its encryption header cannot be read (%v): the file is damaged", err)
	}
	return r, nil
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
