package store

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// SSHKey is a public key that may log in to the SSH console (tui/console)
// and the role its sessions get. Only the public key is stored.
type SSHKey struct {
	Name string `json:"name"` // unique; 1 to 63 lower-case letters, digits and inner hyphens
	// Role is SSHRoleAdmin (everything), SSHRoleViewer (read only) or
	// TenantRole(slug) (only that tenant, as a tenant token).
	Role string `json:"role"`
	// PublicKey is the key in authorized_keys form, "TYPE BASE64", with
	// any comment dropped. Unique (by its Fingerprint).
	PublicKey   string    `json:"public_key"`
	Fingerprint string    `json:"fingerprint"` // "SHA256:" and the unpadded base64 SHA-256 of the key blob, as OpenSSH prints it
	Created     time.Time `json:"created"`
}

// SSH key roles besides TenantRole(slug).
const (
	SSHRoleAdmin  = "admin"
	SSHRoleViewer = "viewer"
)

// Tenant returns the slug of a tenant-scoped key, or "".
func (k SSHKey) Tenant() string {
	slug, _ := strings.CutPrefix(k.Role, tokenRoleTenant)
	if slug == k.Role {
		return ""
	}
	return slug
}

// MaxSSHKeyBytes bounds the authorized_keys line of an SSHKey.
const MaxSSHKeyBytes = 16 << 10

// minRSABits is the smallest RSA modulus an SSHKey may have.
const minRSABits = 2048

// ParseSSHPublicKey parses one authorized_keys line ("TYPE BASE64
// [COMMENT]", no options) and returns it as "TYPE BASE64" with its
// fingerprint. Only ssh-ed25519, ecdsa-sha2-nistp256/384/521 and ssh-rsa
// of at least 2048 bits are accepted. It uses the standard library only
// (the store may import nothing else), reading the key's wire form as RFC
// 4253 6.6, RFC 5656 3.1 and RFC 8709 define it.
func ParseSSHPublicKey(line string) (authorized, fingerprint string, err error) {
	const hint = "give one line of an OpenSSH public key file (~/.ssh/id_ed25519.pub): ssh-ed25519 AAAA... [comment]"
	line = strings.TrimSpace(line)
	if len(line) > MaxSSHKeyBytes {
		return "", "", invalid("ssh_key.key", hint, "the key is longer than %d bytes", MaxSSHKeyBytes)
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		return "", "", invalid("ssh_key.key", hint, "%q is not an OpenSSH public key line", truncate(line))
	}
	blob, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil {
		return "", "", invalid("ssh_key.key", hint, "the key's base64 does not decode: %v", err)
	}
	typ, err := checkSSHKeyBlob(blob)
	if err != nil {
		return "", "", err
	}
	if typ != f[0] {
		return "", "", invalid("ssh_key.key", hint, "the key says it is %s but holds a %s key", truncate(f[0]), typ)
	}
	return typ + " " + f[1], SSHFingerprint(blob), nil
}

// SSHFingerprint returns the OpenSSH SHA256 fingerprint of a key blob
// (its wire form): "SHA256:" and the unpadded base64 of its SHA-256.
func SSHFingerprint(blob []byte) string {
	sum := sha256.Sum256(blob)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// checkSSHKeyBlob checks a key's wire form and returns its type.
func checkSSHKeyBlob(blob []byte) (string, error) {
	const hint = "use an ed25519 key (ssh-keygen -t ed25519), an ECDSA key, or RSA of 2048 bits or more"
	r := sshReader{b: blob}
	typ := string(r.next())
	switch typ {
	case "ssh-ed25519":
		if k := r.next(); len(k) != ed25519.PublicKeySize {
			r.bad = true
		}
	case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
		curve, point := r.next(), r.next()
		if "ecdsa-sha2-"+string(curve) != typ || len(point) < 65 || point[0] != 4 {
			r.bad = true
		}
	case "ssh-rsa":
		e, n := r.next(), r.next()
		bits := new(big.Int).SetBytes(n).BitLen()
		if len(e) == 0 || r.bad {
			r.bad = true
		} else if bits < minRSABits {
			return "", invalid("ssh_key.key", hint, "the RSA key has %d bits; at least %d are needed", bits, minRSABits)
		}
	default:
		if r.bad {
			break
		}
		return "", invalid("ssh_key.key", hint, "%q keys are not accepted", truncate(typ))
	}
	if r.bad || len(r.b) != 0 {
		return "", invalid("ssh_key.key", hint, "the key data is malformed")
	}
	return typ, nil
}

// sshReader reads the length-prefixed strings of SSH's wire format; bad
// is set once a read runs past the end.
type sshReader struct {
	b   []byte
	bad bool
}

func (r *sshReader) next() []byte {
	if r.bad || len(r.b) < 4 {
		r.bad = true
		return nil
	}
	n := binary.BigEndian.Uint32(r.b)
	if uint64(n) > uint64(len(r.b)-4) {
		r.bad = true
		return nil
	}
	s := r.b[4 : 4+n]
	r.b = r.b[4+n:]
	return s
}

// validateSSHRole checks a role's form; the tenant's existence is checked
// by the transaction.
func validateSSHRole(role string) error {
	if role == SSHRoleAdmin || role == SSHRoleViewer {
		return nil
	}
	slug, ok := strings.CutPrefix(role, tokenRoleTenant)
	if !ok || !ValidSlug(slug, 63) {
		return invalid("ssh_key.role", "give admin, viewer, or tenant:SLUG for a key limited to one tenant",
			"%q is not an SSH key role", truncate(role))
	}
	return nil
}

// SSHHostKey is the SSH console's host key: generated once (NewSSHHostKey),
// kept in the store so that a backup carries it and a restored box keeps
// its fingerprint. The private key is never logged or sent by the API.
type SSHHostKey struct {
	PrivatePEM  string    `json:"private_pem"` // PKCS #8 PEM of the ed25519 private key
	PublicKey   string    `json:"public_key"`  // authorized_keys form, "ssh-ed25519 BASE64"
	Fingerprint string    `json:"fingerprint"` // SHA256:...
	Created     time.Time `json:"created"`
}

// NewSSHHostKey generates an ed25519 host key. Call it outside a
// transaction (which may run twice) and store it with SetSSHHostKey.
func NewSSHHostKey() (SSHHostKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return SSHHostKey{}, fmt.Errorf("generate ssh host key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return SSHHostKey{}, fmt.Errorf("encode ssh host key: %w", err)
	}
	blob := sshString(nil, []byte("ssh-ed25519"))
	blob = sshString(blob, pub)
	return SSHHostKey{
		PrivatePEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		PublicKey:   "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob),
		Fingerprint: SSHFingerprint(blob),
	}, nil
}

// sshString appends s to b as an SSH wire string.
func sshString(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// validateSSHHostKey checks that a host key's parts agree with each other.
func validateSSHHostKey(k SSHHostKey) error {
	bad := func(msg string) error {
		return invalid("ssh_host_key", "generate host keys with store.NewSSHHostKey", "the SSH host key is malformed: %s", msg)
	}
	blk, _ := pem.Decode([]byte(k.PrivatePEM))
	if blk == nil {
		return bad("no PEM block")
	}
	key, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return bad(err.Error())
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return bad("not an ed25519 key")
	}
	auth, fp, err := ParseSSHPublicKey(k.PublicKey)
	if err != nil || fp != k.Fingerprint || auth != k.PublicKey {
		return bad("the public key or fingerprint does not parse")
	}
	blob := sshString(sshString(nil, []byte("ssh-ed25519")), priv.Public().(ed25519.PublicKey))
	if !bytes.Equal([]byte(SSHFingerprint(blob)), []byte(fp)) {
		return bad("the public key is not the private key's")
	}
	return nil
}
