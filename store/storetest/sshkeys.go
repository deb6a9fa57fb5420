package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/store"
)

// Public keys made by OpenSSH's ssh-keygen, with the fingerprints its
// "ssh-keygen -lf" printed, so the store's own parser is checked against
// OpenSSH's.
const (
	sshEd25519   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINEWIvSy3ZUS51hZdv0xFxZ0SdaB6l/xANDxlId1wnxD"
	sshEd25519FP = "SHA256:N98IPEViwYovRnViyxT+mRq5CygWp4Y7PNEnQEeyy8E"
	sshRSA2048   = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCnJcKRC+fBaAni0lTKT13dnqAGdrlDxAso1uVyFnJuJM+V8l0VcOtadm9GyVU6RmS6ZwS06L6SwwdgkuMhekTHX7pgOJHGbdgjEzTD+2rktoMqJXAq3P0tQ6ZzCLpyiBP2qpY0eYEc5bDqHUjRVag8p5dhxXrVm3/wR6VeKZZB1HQMYS09ElduqnLTKbiebnH0Fbq/m/0X+GkyBLo1CY7pPR9xWogxpY7wiFbHP3RD6mxNNqraLvc6f9Sy+by9F5rsM3SlN3VNnAnaTlsTplKX/6YX7Ks7BR0Nz06rqINbla4q3wMQ830oeNZVHUSmIzMdiC9OSBJXI0o02exA9rqD"
	sshRSA2048FP = "SHA256:1KQR+WCOMfihxs+UaUB4WrRWpLSeIuVjeh3MB/q0+tc"
	sshECDSA     = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNadP61stJQpMGDRdoOfGk+4qEZ//Ba0n2Ec7yK5rJaWw7rT4/pV9wIu+INWYovT0ZHP00Is8R67c0sUI/zY6ZM="
	sshECDSAFP   = "SHA256:oV/9b3Ypy5IhfPxL1ZiLxNWYiCPa7zhWVZ4h179J0jU"
	sshRSA1024   = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDCDAZXXIul/r1UQL3kMSTZOAmllxn7u6JidO0C+/bl5pIVigZ1qUcWBx1kzl63CFbRq3GhqJJO/kz0/UqPodKVpdEzEi9dq7i0n/EpgIPz8QPEQd4SUoBV9UeiTuYTOPZH92Ed/tF0peCGJRB5DImhmAoT5GXopM86aCrrPhnGIw=="
)

// testSSHKeys runs the SSH console key cases.
func testSSHKeys(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Add", func(t *testing.T) { testSSHKeyAdd(t, open(t)) })
	t.Run("Refused", func(t *testing.T) { testSSHKeyRefused(t, open(t)) })
	t.Run("Remove", func(t *testing.T) { testSSHKeyRemove(t, open(t)) })
	t.Run("HostKey", func(t *testing.T) { testSSHHostKey(t, open(t)) })
}

func testSSHKeyAdd(t *testing.T, s store.Store) {
	// Ensure that keys of each accepted type are stored without their
	// comment, with OpenSSH's fingerprint, found by name and by
	// fingerprint, listed by name, and audited with name and fingerprint
	// as a configuration change.
	ctx := context.Background()
	createTenants(t, s, "acme")
	rev := s.Revision()
	for _, k := range []store.SSHKey{
		{Name: "ops", Role: store.SSHRoleAdmin, PublicKey: sshEd25519 + " ops@box"},
		{Name: "support", Role: store.SSHRoleViewer, PublicKey: sshRSA2048},
		{Name: "acme-dev", Role: store.TenantRole("acme"), PublicKey: "  " + sshECDSA + " dev@acme\n"},
	} {
		update(t, s, func(tx store.Tx) error { return tx.AddSSHKey(&k) })
	}
	if s.Revision() != rev+3 {
		t.Fatalf("revision %d -> %d after three keys", rev, s.Revision())
	}
	var all []store.SSHKey
	var byFP store.SSHKey
	err := s.View(ctx, func(tx store.Tx) (err error) {
		if all, err = tx.SSHKeys(); err != nil {
			return err
		}
		byFP, err = tx.SSHKeyByFingerprint(sshRSA2048FP)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].Name != "acme-dev" || all[1].Name != "ops" || all[2].Name != "support" {
		t.Fatalf("keys = %+v, want acme-dev, ops, support", all)
	}
	if all[1].PublicKey != sshEd25519 || all[1].Fingerprint != sshEd25519FP || all[1].Created.IsZero() {
		t.Fatalf("ops = %+v", all[1])
	}
	if all[0].Fingerprint != sshECDSAFP || all[0].Tenant() != "acme" || all[0].PublicKey != sshECDSA {
		t.Fatalf("acme-dev = %+v", all[0])
	}
	if byFP.Name != "support" || byFP.Tenant() != "" {
		t.Fatalf("by fingerprint = %+v", byFP)
	}
	log, _ := s.AuditLog(ctx, 1, 0)
	if len(log) != 1 || log[0].Actions[0] != "ssh-key.add acme-dev role tenant:acme ("+sshECDSAFP+")" {
		t.Fatalf("last audit = %+v", log)
	}
}

func testSSHKeyRefused(t *testing.T, s store.Store) {
	// Ensure that a bad name, a bad role, a missing tenant, a taken name,
	// a key added twice, a short RSA key, an unknown type, a type that
	// does not match the data and garbage are refused and change nothing.
	ctx := context.Background()
	createTenants(t, s, "acme")
	k := store.SSHKey{Name: "ops", Role: store.SSHRoleAdmin, PublicKey: sshEd25519}
	update(t, s, func(tx store.Tx) error { return tx.AddSSHKey(&k) })
	before := Fingerprint(t, s)
	rev := s.Revision()
	ed := strings.Fields(sshEd25519)[1]
	cases := []struct {
		name, role, key string
		kind            error
	}{
		{"Bad_Name", "admin", sshRSA2048, store.ErrInvalid},
		{"x", "root", sshRSA2048, store.ErrInvalid},
		{"x", "tenant:", sshRSA2048, store.ErrInvalid},
		{"x", "tenant:ghost", sshRSA2048, store.ErrNotFound},
		{"ops", "viewer", sshRSA2048, store.ErrExists},
		{"again", "viewer", sshEd25519 + " same key", store.ErrExists},
		{"x", "admin", sshRSA1024, store.ErrInvalid},
		{"x", "admin", "ssh-dss " + ed, store.ErrInvalid},
		{"x", "admin", "ssh-rsa " + ed, store.ErrInvalid},
		{"x", "admin", "ssh-ed25519 " + ed[:len(ed)-8], store.ErrInvalid},
		{"x", "admin", "ssh-ed25519 not*base64", store.ErrInvalid},
		{"x", "admin", "ssh-ed25519", store.ErrInvalid},
		{"x", "admin", "", store.ErrInvalid},
	}
	for _, c := range cases {
		k := store.SSHKey{Name: c.name, Role: c.role, PublicKey: c.key}
		err := s.Update(ctx, actor, func(tx store.Tx) error { return tx.AddSSHKey(&k) })
		wantKind(t, err, c.kind)
	}
	if Fingerprint(t, s) != before || s.Revision() != rev {
		t.Fatal("a refused key changed the store")
	}
	err := s.View(ctx, func(tx store.Tx) error { _, err := tx.SSHKey("nope"); return err })
	wantKind(t, err, store.ErrNotFound)
	err = s.View(ctx, func(tx store.Tx) error { _, err := tx.SSHKeyByFingerprint(sshRSA2048FP); return err })
	wantKind(t, err, store.ErrNotFound)
}

func testSSHKeyRemove(t *testing.T, s store.Store) {
	// Ensure that remove deletes a key (audited with its fingerprint), a
	// second remove is ErrNotFound, and deleting a tenant deletes its keys
	// but not others'.
	ctx := context.Background()
	createTenants(t, s, "acme")
	for _, k := range []store.SSHKey{
		{Name: "a1", Role: "tenant:acme", PublicKey: sshECDSA},
		{Name: "ops", Role: "admin", PublicKey: sshEd25519},
		{Name: "view", Role: "viewer", PublicKey: sshRSA2048},
	} {
		update(t, s, func(tx store.Tx) error { return tx.AddSSHKey(&k) })
	}
	update(t, s, func(tx store.Tx) error { return tx.RemoveSSHKey("view") })
	log, _ := s.AuditLog(ctx, 1, 0)
	if len(log) != 1 || log[0].Actions[0] != "ssh-key.remove view ("+sshRSA2048FP+")" {
		t.Fatalf("last audit = %+v", log)
	}
	err := s.Update(ctx, actor, func(tx store.Tx) error { return tx.RemoveSSHKey("view") })
	wantKind(t, err, store.ErrNotFound)
	update(t, s, func(tx store.Tx) error { return tx.DeleteTenant("acme", true) })
	var names []string
	_ = s.View(ctx, func(tx store.Tx) error {
		ks, err := tx.SSHKeys()
		for _, k := range ks {
			names = append(names, k.Name)
		}
		return err
	})
	if strings.Join(names, ",") != "ops" {
		t.Fatalf("keys after deleting acme = %v, want ops", names)
	}
}

func testSSHHostKey(t *testing.T, s store.Store) {
	// Ensure that no host key is ErrNotFound, a generated one is stored
	// once (audited with its fingerprint, never its private key), a second
	// is refused, and a host key whose parts disagree is refused.
	ctx := context.Background()
	err := s.View(ctx, func(tx store.Tx) error { _, err := tx.SSHHostKey(); return err })
	wantKind(t, err, store.ErrNotFound)
	hk, err := store.NewSSHHostKey()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := store.NewSSHHostKey()
	bad := hk
	bad.PublicKey, bad.Fingerprint = other.PublicKey, other.Fingerprint
	err = s.Update(ctx, actor, func(tx store.Tx) error { return tx.SetSSHHostKey(bad) })
	wantKind(t, err, store.ErrInvalid)
	update(t, s, func(tx store.Tx) error { return tx.SetSSHHostKey(hk) })
	err = s.Update(ctx, actor, func(tx store.Tx) error { return tx.SetSSHHostKey(other) })
	wantKind(t, err, store.ErrExists)
	var got store.SSHHostKey
	_ = s.View(ctx, func(tx store.Tx) (err error) { got, err = tx.SSHHostKey(); return err })
	if got.Fingerprint != hk.Fingerprint || got.PrivatePEM != hk.PrivatePEM || got.Created.IsZero() {
		t.Fatalf("host key = %+v", got)
	}
	if _, fp, err := store.ParseSSHPublicKey(got.PublicKey); err != nil || fp != hk.Fingerprint {
		t.Fatalf("host public key %q: %s, %v", got.PublicKey, fp, err)
	}
	log, _ := s.AuditLog(ctx, 1, 0)
	if len(log) != 1 || log[0].Actions[0] != "ssh-host-key.create "+hk.Fingerprint || strings.Contains(strings.Join(log[0].Actions, ""), "PRIVATE") {
		t.Fatalf("last audit = %+v", log)
	}
}
