package store

import (
	"cmp"
	"fmt"
	"slices"
)

// Keys of BucketSSH.
const (
	sshKeyPrefix  = "key/" // key/<name> -> SSHKey
	sshHostKeyKey = "host" // -> SSHHostKey
)

func (t *tx) SSHKeys() ([]SSHKey, error) {
	ks, err := list[SSHKey](t.kv, BucketSSH, sshKeyPrefix)
	slices.SortFunc(ks, func(a, b SSHKey) int { return cmp.Compare(a.Name, b.Name) })
	return ks, err
}

func (t *tx) SSHKey(name string) (SSHKey, error) {
	var k SSHKey
	ok, err := getJSON(t.kv, BucketSSH, sshKeyPrefix+name, &k)
	if err == nil && !ok {
		err = notFound("ssh key", name, "list them with `foyer ssh-key list`")
	}
	return k, err
}

func (t *tx) SSHKeyByFingerprint(fp string) (SSHKey, error) {
	ks, err := t.SSHKeys()
	if err != nil {
		return SSHKey{}, err
	}
	for _, k := range ks {
		if k.Fingerprint == fp {
			return k, nil
		}
	}
	return SSHKey{}, notFound("ssh key", fp, "add it with `foyer ssh-key add`")
}

func (t *tx) AddSSHKey(k *SSHKey) error {
	if !ValidSlug(k.Name, 63) {
		return invalid("ssh_key.name", "use 1 to 63 lower-case letters, digits and inner hyphens", "%q is not a valid SSH key name", truncate(k.Name))
	}
	if err := validateSSHRole(k.Role); err != nil {
		return err
	}
	if slug := k.Tenant(); slug != "" {
		if _, err := t.Tenant(slug); err != nil {
			return err
		}
	}
	auth, fp, err := ParseSSHPublicKey(k.PublicKey)
	if err != nil {
		return err
	}
	ks, err := t.SSHKeys()
	if err != nil {
		return err
	}
	for _, e := range ks {
		if e.Name == k.Name {
			return Errf(ErrExists, "ssh_key.name", "remove it first (`foyer ssh-key rm`), or pick another name", "an SSH key named %s already exists", k.Name)
		}
		if e.Fingerprint == fp {
			return Errf(ErrExists, "ssh_key.key", "one key has one role; remove the other entry first", "this key (%s) is already added as %s", fp, e.Name)
		}
	}
	k.PublicKey, k.Fingerprint, k.Created = auth, fp, t.now
	if err := t.change("ssh-key.add %s role %s (%s)", k.Name, k.Role, fp); err != nil {
		return err
	}
	return putJSON(t.kv, BucketSSH, sshKeyPrefix+k.Name, k)
}

func (t *tx) RemoveSSHKey(name string) error {
	k, err := t.SSHKey(name)
	if err != nil {
		return err
	}
	if err := t.change("ssh-key.remove %s (%s)", k.Name, k.Fingerprint); err != nil {
		return err
	}
	return t.kv.Delete(BucketSSH, sshKeyPrefix+k.Name)
}

func (t *tx) SSHHostKey() (SSHHostKey, error) {
	var k SSHHostKey
	ok, err := getJSON(t.kv, BucketSSH, sshHostKeyKey, &k)
	if err == nil && !ok {
		err = Errf(ErrNotFound, "", "it is generated when the SSH console first starts (foyer settings set ssh-listen :2222, or foyer serve --ssh :2222)",
			"there is no SSH host key yet")
	}
	return k, err
}

func (t *tx) SetSSHHostKey(k SSHHostKey) error {
	if err := validateSSHHostKey(k); err != nil {
		return err
	}
	if t.kv.Get(BucketSSH, sshHostKeyKey) != nil {
		return Errf(ErrExists, "ssh_host_key", "the stored host key stays: clients have pinned it", "an SSH host key is already stored")
	}
	k.Created = t.now
	if err := t.change("ssh-host-key.create %s", k.Fingerprint); err != nil {
		return err
	}
	return putJSON(t.kv, BucketSSH, sshHostKeyKey, k)
}

// deleteTenantSSHKeys removes the SSH keys scoped to a tenant (DeleteTenant
// calls it); each is audited like a remove.
func (t *tx) deleteTenantSSHKeys(slug string) error {
	ks, err := t.SSHKeys()
	if err != nil {
		return err
	}
	for _, k := range ks {
		if k.Tenant() != slug {
			continue
		}
		if err := t.change("ssh-key.remove %s (%s, tenant deleted)", k.Name, k.Fingerprint); err != nil {
			return err
		}
		if err := t.kv.Delete(BucketSSH, sshKeyPrefix+k.Name); err != nil {
			return fmt.Errorf("delete ssh key %s: %w", k.Name, err)
		}
	}
	return nil
}
