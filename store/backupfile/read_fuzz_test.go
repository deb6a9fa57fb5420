package backupfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// sentinels are the documented reasons a file is refused.
var sentinels = []error{ErrForeign, ErrTruncated, ErrCorrupt, ErrNewerFormat, ErrEncrypted, ErrWrongKey}

// readAll opens, verifies and extracts b with a passphrase, the way
// `foyer restore` reads a file; it returns the first error.
func readAll(b []byte) error {
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	if err := f.Verify(); err != nil {
		return err
	}
	return f.Extract(Decryption{Passphrase: "fuzz"}, func(c Content, r io.Reader) error {
		_, err := io.Copy(io.Discard, r)
		return err
	})
}

// checkRefusal fails t unless err is nil or a *Refusal with a documented
// reason.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var r *Refusal
	if !errors.As(err, &r) {
		t.Fatalf("error %T %v, want a *Refusal", err, err)
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("refusal %v has no documented reason", err)
}

// block lays out a header block around js with a correct checksum, so
// the fuzzer reaches the header JSON and the body behind it.
func block(format uint32, js []byte) []byte {
	b := make([]byte, HeaderSize)
	copy(b, Magic)
	binary.BigEndian.PutUint32(b[8:], format)
	binary.BigEndian.PutUint32(b[12:], uint32(len(js)))
	copy(b[16:hashAt], js)
	sum := sha256.Sum256(b[:hashAt])
	copy(b[hashAt:], sum[:])
	return b
}

// FuzzRead checks that arbitrary bytes never panic the reader and are
// refused with a documented reason.
func FuzzRead(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte(Magic))
	f.Add(append([]byte(Magic), 0, 0, 0, 2))
	f.Add(block(1, []byte(`{"format":1}`)))
	f.Add(block(1, []byte(`{"format":1,"body_bytes":-1}`)))
	f.Add(block(1, []byte("{")))
	f.Add(block(1, bytes.Repeat([]byte(" "), maxJSON+1)))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkRefusal(t, readAll(b))
	})
}

// FuzzHeader checks arbitrary header JSON and body bytes behind a header
// block whose own checksum is right: never a panic, only documented
// refusals.
func FuzzHeader(f *testing.F) {
	valid := writeFileF(f, Encryption{})
	n := binary.BigEndian.Uint32(valid[12:])
	f.Add(uint32(Format), valid[16:16+n], valid[HeaderSize:])
	pass := writeFileF(f, Encryption{Passphrase: "fuzz", ScryptWorkFactor: 10})
	n = binary.BigEndian.Uint32(pass[12:])
	f.Add(uint32(Format), pass[16:16+n], pass[HeaderSize:])
	f.Add(uint32(1), []byte(`{"format":1,"encryption":"age-recipients","body_bytes":0}`), []byte{})
	f.Add(uint32(1), []byte(`{"format":1,"encryption":"rot13"}`), []byte{})
	f.Add(uint32(1), []byte(`{"format":2}`), []byte{})
	f.Add(uint32(1), []byte(`{"format":1,"contents":[{"name":"foyer.db","bytes":-5}]}`), []byte{})
	f.Fuzz(func(t *testing.T, format uint32, js, body []byte) {
		if len(js) > maxJSON {
			js = js[:maxJSON]
		}
		checkRefusal(t, readAll(append(block(format, js), body...)))
	})
}

// FuzzCorrupt damages a valid backup (one byte changed, or the file cut
// or extended) and checks that the damage is always refused with a
// documented reason, never read as a good file.
func FuzzCorrupt(f *testing.F) {
	plain := writeFileF(f, Encryption{})
	pass := writeFileF(f, Encryption{Passphrase: "fuzz", ScryptWorkFactor: 10})
	if err := readAll(plain); err != nil {
		f.Fatalf("the valid file is refused: %v", err)
	}
	for _, off := range []int{0, 9, 13, 20, 200, hashAt, HeaderSize, HeaderSize + 10, len(plain) - 1} {
		f.Add(false, off, byte(1), 0)
		f.Add(true, off, byte(0x80), 0)
	}
	f.Add(false, 0, byte(0), -1)
	f.Add(true, 0, byte(0), 1)
	f.Fuzz(func(t *testing.T, encrypted bool, off int, xor byte, resize int) {
		b := bytes.Clone(plain)
		if encrypted {
			b = bytes.Clone(pass)
		}
		switch {
		case resize < 0:
			b = b[:len(b)-1-(-(resize+1))%len(b)]
		case resize > 0:
			b = append(b, make([]byte, resize%100)...)
			b = append(b, xor|1)
		default:
			if xor == 0 || off < 0 || off >= len(b) {
				return
			}
			b[off] ^= xor
		}
		err := readAll(b)
		if err == nil {
			t.Fatalf("a damaged file (encrypted %v, offset %d ^%#x, resize %d) was read as good", encrypted, off, xor, resize)
		}
		checkRefusal(t, err)
	})
}

// writeFileF is writeFile for a fuzz target's setup.
func writeFileF(f *testing.F, enc Encryption) []byte {
	var buf seekBuffer
	h := Header{FoyerVersion: "test", Schema: 1}
	if _, err := Write(&buf, h, enc, sources()...); err != nil {
		f.Fatal(err)
	}
	return buf.b
}

// seekBuffer is an in-memory io.WriteSeeker.
type seekBuffer struct {
	b   []byte
	off int
}

func (s *seekBuffer) Write(p []byte) (int, error) {
	if need := s.off + len(p); need > len(s.b) {
		s.b = append(s.b, make([]byte, need-len(s.b))...)
	}
	copy(s.b[s.off:], p)
	s.off += len(p)
	return len(p), nil
}

func (s *seekBuffer) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		s.off = int(offset)
	case io.SeekCurrent:
		s.off += int(offset)
	case io.SeekEnd:
		s.off = len(s.b) + int(offset)
	}
	return int64(s.off), nil
}
