package backupfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

// parts are two parts of different sizes, one of them compressible.
var parts = map[string][]byte{
	"foyer.db": bytes.Repeat([]byte("tenant domain cert "), 5000),
	"logs.db":  []byte("a small log part"),
}

func sources() []Source {
	var out []Source
	for _, name := range []string{"foyer.db", "logs.db"} {
		b := parts[name]
		out = append(out, Source{Name: name, Write: func(w io.Writer) (int64, error) {
			n, err := w.Write(b)
			return int64(n), err
		}})
	}
	return out
}

// writeFile writes a backup with enc to a file in dir and returns its bytes.
func writeFile(t *testing.T, enc Encryption) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "b.foyerbak")
	h := Header{FoyerVersion: "test", Schema: 1, Created: time.Unix(1700000000, 0).UTC()}
	if _, err := Create(path, h, enc, sources()...); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// extractAll opens, verifies and extracts b.
func extractAll(b []byte, dec Decryption) (map[string][]byte, Header, error) {
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, Header{}, err
	}
	if err := f.Verify(); err != nil {
		return nil, f.Header, err
	}
	out := map[string][]byte{}
	err = f.Extract(dec, func(c Content, r io.Reader) error {
		got, err := io.ReadAll(r)
		out[c.Name] = got
		return err
	})
	return out, f.Header, err
}

func newIdentity(t *testing.T) (*age.X25519Identity, string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id, id.Recipient().String()
}

// Ensure that a backup round-trips plain, to a recipient and with a
// passphrase, with every part and the header intact.
func TestRoundTrip(t *testing.T) {
	id, recip := newIdentity(t)
	cases := []struct {
		name string
		enc  Encryption
		dec  Decryption
		how  string
	}{
		{"plain", Encryption{}, Decryption{}, EncryptNone},
		{"recipient", Encryption{Recipients: []string{recip}}, Decryption{Identities: "# key\n" + id.String() + "\n"}, EncryptRecipients},
		{"passphrase", Encryption{Passphrase: "correct horse", ScryptWorkFactor: 10}, Decryption{Passphrase: "correct horse"}, EncryptPassphrase},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := writeFile(t, tc.enc)
			got, h, err := extractAll(b, tc.dec)
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range parts {
				if !bytes.Equal(got[name], want) {
					t.Errorf("part %s: %d bytes, want %d", name, len(got[name]), len(want))
				}
			}
			if h.Encryption != tc.how || h.Schema != 1 || h.FoyerVersion != "test" || len(h.Contents) != 2 || h.Format != Format {
				t.Errorf("header %+v", h)
			}
			if tc.how != EncryptNone && bytes.Contains(b, []byte("tenant domain")) {
				t.Error("an encrypted backup holds plaintext")
			}
		})
	}
}

// Ensure that every damaged, foreign, newer or locked file is refused with
// its own reason.
func TestRefusals(t *testing.T) {
	id, recip := newIdentity(t)
	other, _ := newIdentity(t)
	plain := writeFile(t, Encryption{})
	pass := writeFile(t, Encryption{Passphrase: "right", ScryptWorkFactor: 10})
	toRecip := writeFile(t, Encryption{Recipients: []string{recip}})
	_ = id
	mod := func(b []byte, f func([]byte) []byte) []byte { return f(bytes.Clone(b)) }
	cases := []struct {
		name string
		b    []byte
		dec  Decryption
		want error
		msg  string
	}{
		{"foreign", []byte("SQLite format 3\x00 and more bytes than a magic"), Decryption{}, ErrForeign, "not a foyer backup"},
		{"empty", nil, Decryption{}, ErrForeign, "not a foyer backup"},
		{"truncated header", plain[:100], Decryption{}, ErrTruncated, "inside its header"},
		{"truncated body", plain[:len(plain)-10], Decryption{}, ErrTruncated, "cut short"},
		{"appended", append(bytes.Clone(plain), 'x'), Decryption{}, ErrCorrupt, "appended"},
		{"corrupt body byte", mod(plain, func(b []byte) []byte { b[HeaderSize+len(b[HeaderSize:])/2] ^= 1; return b }), Decryption{}, ErrCorrupt, "checksum"},
		{"corrupt header byte", mod(plain, func(b []byte) []byte { b[20] ^= 1; return b }), Decryption{}, ErrCorrupt, "header"},
		{"newer format", mod(plain, func(b []byte) []byte { binary.BigEndian.PutUint32(b[8:], Format+1); return b }), Decryption{}, ErrNewerFormat, "newer foyer"},
		{"wrong passphrase", pass, Decryption{Passphrase: "wrong"}, ErrWrongKey, "passphrase"},
		{"no passphrase", pass, Decryption{}, ErrEncrypted, "--passphrase-file"},
		{"wrong identity", toRecip, Decryption{Identities: other.String()}, ErrWrongKey, "identity"},
		{"no identity", toRecip, Decryption{}, ErrEncrypted, "--identity"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := extractAll(tc.b, tc.dec)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}

// Ensure that a failing source leaves no file behind and the target
// untouched.
func TestCreateFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "b.foyerbak")
	if err := os.WriteFile(path, []byte("previous"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := Source{Name: "foyer.db", Write: func(w io.Writer) (int64, error) { return 0, errors.New("disk gone") }}
	if _, err := Create(path, Header{}, Encryption{}, bad); err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Fatalf("error %v, want the source's", err)
	}
	entries, _ := os.ReadDir(dir)
	if b, _ := os.ReadFile(path); len(entries) != 1 || string(b) != "previous" {
		t.Fatalf("directory holds %d entries, file %q", len(entries), b)
	}
}

// Ensure that the header is readable JSON in the first block, so an
// operator can see what a file holds without a key.
func TestHeaderIsPlainJSON(t *testing.T) {
	b := writeFile(t, Encryption{Passphrase: "x", ScryptWorkFactor: 10})
	if !bytes.Contains(b[:HeaderSize], []byte(`"contents":[{"name":"foyer.db"`)) {
		t.Fatalf("header block: %q", b[:200])
	}
}
