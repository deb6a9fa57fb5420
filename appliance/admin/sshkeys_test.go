package admin

import (
	"context"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// Three OpenSSH public keys (ssh-keygen), for the SSH key routes.
const (
	testEd25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINEWIvSy3ZUS51hZdv0xFxZ0SdaB6l/xANDxlId1wnxD ops@box"
	testECDSA   = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNadP61stJQpMGDRdoOfGk+4qEZ//Ba0n2Ec7yK5rJaWw7rT4/pV9wIu+INWYovT0ZHP00Is8R67c0sUI/zY6ZM="
	testRSA     = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCnJcKRC+fBaAni0lTKT13dnqAGdrlDxAso1uVyFnJuJM+V8l0VcOtadm9GyVU6RmS6ZwS06L6SwwdgkuMhekTHX7pgOJHGbdgjEzTD+2rktoMqJXAq3P0tQ6ZzCLpyiBP2qpY0eYEc5bDqHUjRVag8p5dhxXrVm3/wR6VeKZZB1HQMYS09ElduqnLTKbiebnH0Fbq/m/0X+GkyBLo1CY7pPR9xWogxpY7wiFbHP3RD6mxNNqraLvc6f9Sy+by9F5rsM3SlN3VNnAnaTlsTplKX/6YX7Ks7BR0Nz06rqINbla4q3wMQ830oeNZVHUSmIzMdiC9OSBJXI0o02exA9rqD"
)

// sshClient returns an in-process client (Dialer) with the identity of
// the stored key name.
func (h *harness) sshClient(name string) *api.Client {
	h.t.Helper()
	var k store.SSHKey
	err := h.store.View(h.t.Context(), func(tx store.Tx) (err error) { k, err = tx.SSHKey(name); return err })
	if err != nil {
		h.t.Fatal(err)
	}
	c := api.NewDialClient("ssh:"+name, h.srv.Dialer(SSHIdentity(k)))
	h.t.Cleanup(c.CloseIdle)
	return c
}

func TestSSHKeyRoutes(t *testing.T) {
	// Ensure that keys are added (comment dropped, OpenSSH fingerprint),
	// listed, refused with the store's error when bad, removed; and that
	// the host key route answers 404 until a host key is stored, then its
	// public half only.
	h := start(t)
	ctx := t.Context()
	h.mustTenant("acme")
	k, err := h.client.AddSSHKey(ctx, api.AddSSHKeyRequest{Name: "ops", Role: "admin", PublicKey: testEd25519})
	if err != nil {
		t.Fatal(err)
	}
	if k.PublicKey != strings.TrimSuffix(testEd25519, " ops@box") || k.Fingerprint != "SHA256:N98IPEViwYovRnViyxT+mRq5CygWp4Y7PNEnQEeyy8E" {
		t.Fatalf("added %+v", k)
	}
	_, err = h.client.AddSSHKey(ctx, api.AddSSHKeyRequest{Name: "dev", Role: "tenant:ghost", PublicKey: testECDSA})
	apiError(t, err, 404)
	_, err = h.client.AddSSHKey(ctx, api.AddSSHKeyRequest{Name: "dev", Role: "viewer", PublicKey: "ssh-ed25519 AAAA"})
	if ae := apiError(t, err, 422); ae.Field != "ssh_key.key" {
		t.Fatalf("field %q", ae.Field)
	}
	if _, err := h.client.AddSSHKey(ctx, api.AddSSHKeyRequest{Name: "dev", Role: "tenant:acme", PublicKey: testECDSA}); err != nil {
		t.Fatal(err)
	}
	ks, err := h.client.SSHKeys(ctx)
	if err != nil || len(ks) != 2 || ks[0].Name != "dev" || ks[0].Role != "tenant:acme" || ks[1].Name != "ops" {
		t.Fatalf("keys %+v, %v", ks, err)
	}
	if err := h.client.RemoveSSHKey(ctx, "dev"); err != nil {
		t.Fatal(err)
	}
	apiError(t, h.client.RemoveSSHKey(ctx, "dev"), 404)
	_, err = h.client.SSHHostKey(ctx)
	apiError(t, err, 404)
	hk, _ := store.NewSSHHostKey()
	if err := h.store.Update(ctx, "test", func(tx store.Tx) error { return tx.SetSSHHostKey(hk) }); err != nil {
		t.Fatal(err)
	}
	got, err := h.client.SSHHostKey(ctx)
	if err != nil || got.Fingerprint != hk.Fingerprint || got.PublicKey != hk.PublicKey {
		t.Fatalf("host key %+v, %v", got, err)
	}
	_, b := h.raw("GET", "/v1/ssh-keys/host", nil)
	if strings.Contains(string(b), "PRIVATE") {
		t.Fatalf("the host key route shows the private key: %s", b)
	}
}

func TestSSHIdentityRoles(t *testing.T) {
	// Ensure that in-process clients with an SSH key's identity are held
	// to its role by the handlers: a viewer reads but gets 403 (naming the
	// key) on a write, and the store is unchanged; a tenant key reads its
	// tenant and is refused another's, and the global lists; an admin key
	// writes, audited as "ssh-key NAME (SHA256:...) via ssh".
	h := start(t)
	ctx := t.Context()
	h.mustTenant("acme")
	h.mustTenant("beta")
	for _, r := range []api.AddSSHKeyRequest{
		{Name: "ops", Role: "admin", PublicKey: testEd25519},
		{Name: "support", Role: "viewer", PublicKey: testRSA},
		{Name: "acme-dev", Role: "tenant:acme", PublicKey: testECDSA},
	} {
		if _, err := h.client.AddSSHKey(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	viewer, tenant, admin := h.sshClient("support"), h.sshClient("acme-dev"), h.sshClient("ops")

	if ts, err := viewer.AllTenants(ctx); err != nil || len(ts) != 2 {
		t.Fatalf("viewer lists tenants: %v, %v", ts, err)
	}
	rev := h.store.Revision()
	_, err := viewer.CreateTenant(ctx, api.CreateTenantRequest{Slug: "gamma"})
	ae := apiError(t, err, 403)
	if !strings.Contains(ae.Msg, "ssh-key support (SHA256:1KQR+WCOMfihxs+UaUB4WrRWpLSeIuVjeh3MB/q0+tc) via ssh may only read") {
		t.Fatalf("viewer's refusal: %q", ae.Msg)
	}
	apiError(t, viewer.RemoveSSHKey(ctx, "ops"), 403)
	if h.store.Revision() != rev {
		t.Fatal("a viewer's refused writes changed the store")
	}

	if _, err := tenant.Tenant(ctx, "acme"); err != nil {
		t.Fatalf("tenant key reads its tenant: %v", err)
	}
	_, err = tenant.Tenant(ctx, "beta")
	apiError(t, err, 403)
	_, err = tenant.AllTenants(ctx)
	apiError(t, err, 403)
	_, err = tenant.SSHKeys(ctx)
	apiError(t, err, 403)

	if _, err := admin.CreateTenant(ctx, api.CreateTenantRequest{Slug: "gamma"}); err != nil {
		t.Fatal(err)
	}
	log, err := h.store.AuditLog(ctx, 1, 0)
	if err != nil || len(log) != 1 || log[0].Actor != "ssh-key ops (SHA256:N98IPEViwYovRnViyxT+mRq5CygWp4Y7PNEnQEeyy8E) via ssh" {
		t.Fatalf("audit %+v, %v", log, err)
	}
}

func TestDialerAfterShutdown(t *testing.T) {
	// Ensure that an in-process dial after the server shut down fails at
	// once instead of waiting for an Accept that never comes.
	h := newHarness(t, nil)
	defer h.store.Close()
	if err := h.srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	c, err := h.srv.Dialer(Identity{Role: RoleAdmin, Via: ViaSSH, SSHKey: "ops"})(t.Context())
	if err == nil {
		c.Close()
		t.Fatal("dial after Shutdown succeeded")
	}
}
