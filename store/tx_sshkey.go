package store

// SSHKeyTx is the part of Tx for the SSH console's keys and host key.
// Adding and removing a key is a configuration change, audited with the
// key's name and fingerprint, as tokens are; so is storing the host key.
type SSHKeyTx interface {
	// SSHKeys returns every key, sorted by name.
	SSHKeys() ([]SSHKey, error)
	// SSHKey returns the key with that name, or an error wrapping ErrNotFound.
	SSHKey(name string) (SSHKey, error)
	// SSHKeyByFingerprint returns the key with that fingerprint
	// ("SHA256:..."), or an error wrapping ErrNotFound.
	SSHKeyByFingerprint(fp string) (SSHKey, error)
	// AddSSHKey validates and stores k: PublicKey is parsed
	// (ParseSSHPublicKey) and rewritten without its comment; Fingerprint
	// and Created are filled in. ErrExists if the name or the key is
	// already there; ErrNotFound if the role names a tenant that does not
	// exist. Deleting a tenant deletes its keys.
	AddSSHKey(k *SSHKey) error
	// RemoveSSHKey deletes the key with that name; it logs in no more
	// (sessions already open go on until they end).
	RemoveSSHKey(name string) error
	// SSHHostKey returns the console's host key, or an error wrapping
	// ErrNotFound before one is stored.
	SSHHostKey() (SSHHostKey, error)
	// SetSSHHostKey stores the host key; ErrExists if one is stored (a
	// host key is never replaced through the API: clients pinned it).
	SetSSHHostKey(k SSHHostKey) error
}
