package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
)

func TestSSHListenSetting(t *testing.T) {
	// Ensure that ssh-listen takes host:port with an IP or no host, or
	// empty (off, the default), and refuses anything else.
	if DefaultSettings().SSHListen != "" {
		t.Fatal("ssh-listen is on by default")
	}
	k, err := LookupSetting("ssh-listen")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		v  string
		ok bool
	}{{":2222", true}, {"127.0.0.1:0", true}, {"[::1]:2222", true}, {"", true},
		{"2222", false}, {"box.example:2222", false}, {":99999", false}} {
		s := DefaultSettings()
		err := k.Set(&s, c.v)
		if (err == nil) != c.ok {
			t.Errorf("set ssh-listen=%q: %v, want ok=%v", c.v, err, c.ok)
		}
		if err == nil && s.SSHListen != c.v {
			t.Errorf("set ssh-listen=%q: stored %q", c.v, s.SSHListen)
		}
	}
}

func TestNewSSHHostKey(t *testing.T) {
	// Ensure that a generated host key is valid, parses as an ed25519
	// public key with its own fingerprint, and differs each time.
	a, err := NewSSHHostKey()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSSHHostKey()
	if err := validateSSHHostKey(a); err != nil {
		t.Fatal(err)
	}
	if auth, fp, err := ParseSSHPublicKey(a.PublicKey); err != nil || auth != a.PublicKey || fp != a.Fingerprint {
		t.Fatalf("ParseSSHPublicKey(%q) = %q, %q, %v", a.PublicKey, auth, fp, err)
	}
	if a.Fingerprint == b.Fingerprint || !strings.HasPrefix(a.PrivatePEM, "-----BEGIN PRIVATE KEY-----") {
		t.Fatalf("keys %+v and %+v", a, b)
	}
}

func FuzzParseSSHPublicKey(f *testing.F) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	blob := sshString(sshString(nil, []byte("ssh-ed25519")), pub)
	f.Add("ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob) + " c")
	f.Add("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDC")
	f.Add("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNad")
	f.Fuzz(func(t *testing.T, line string) {
		// Ensure that the parser never panics, and that what it accepts
		// parses again to itself with the same fingerprint.
		auth, fp, err := ParseSSHPublicKey(line)
		if err != nil {
			return
		}
		auth2, fp2, err := ParseSSHPublicKey(auth)
		if err != nil || auth2 != auth || fp2 != fp {
			t.Fatalf("%q -> %q %q -> %q %q %v", line, auth, fp, auth2, fp2, err)
		}
	})
}
