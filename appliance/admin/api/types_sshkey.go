package api

import "time"

// SSHKey is a key of the SSH console (foyer ssh-key).
type SSHKey struct {
	Name        string    `json:"name"`
	Role        string    `json:"role"`        // "admin", "viewer" or "tenant:SLUG"
	PublicKey   string    `json:"public_key"`  // authorized_keys form, without comment
	Fingerprint string    `json:"fingerprint"` // "SHA256:..."
	Created     time.Time `json:"created"`
}

// AddSSHKeyRequest is POST /v1/ssh-keys.
type AddSSHKeyRequest struct {
	Name      string `json:"name"`
	Role      string `json:"role"`       // "admin", "viewer" or "tenant:SLUG"
	PublicKey string `json:"public_key"` // one authorized_keys line: "ssh-ed25519 AAAA... [comment]"
}

// SSHHostKey is the SSH console's host key as the API shows it: the
// public half only.
type SSHHostKey struct {
	PublicKey   string    `json:"public_key"` // "ssh-ed25519 AAAA..."
	Fingerprint string    `json:"fingerprint"`
	Created     time.Time `json:"created"`
}
