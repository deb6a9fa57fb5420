package admin

import (
	"fmt"
	"net/http"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// SSHIdentity is the Identity of a session of the SSH console with key k:
// Via ViaSSH, audited as "ssh-key NAME (SHA256:...) via ssh", with the
// role the key was given (admin, viewer, or one tenant's scope, the one
// tenant tokens have).
func SSHIdentity(k store.SSHKey) Identity {
	id := Identity{Role: RoleViewer, Via: ViaSSH, SSHKey: k.Name, Fingerprint: k.Fingerprint}
	switch {
	case k.Role == store.SSHRoleAdmin:
		id.Role = RoleAdmin
	case k.Tenant() != "":
		id.Role, id.Tenant = RoleTenant, k.Tenant()
	}
	return id
}

// apiSSHKey is a key as the API shows it.
func apiSSHKey(k store.SSHKey) api.SSHKey {
	return api.SSHKey{Name: k.Name, Role: k.Role, PublicKey: k.PublicKey, Fingerprint: k.Fingerprint, Created: k.Created}
}

// listSSHKeys is GET /v1/ssh-keys.
func (s *Server) listSSHKeys(w http.ResponseWriter, r *http.Request) error {
	var ks []store.SSHKey
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) { ks, err = tx.SSHKeys(); return err })
	if err != nil {
		return fmt.Errorf("listing ssh keys: %w", err)
	}
	writeJSON(w, http.StatusOK, mapSlice(ks, apiSSHKey))
	return nil
}

// addSSHKey is POST /v1/ssh-keys.
func (s *Server) addSSHKey(w http.ResponseWriter, r *http.Request) error {
	var req api.AddSSHKeyRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var k store.SSHKey
	err := s.update(r, func(tx store.Tx) error {
		k = store.SSHKey{Name: req.Name, Role: req.Role, PublicKey: req.PublicKey}
		return tx.AddSSHKey(&k)
	})
	if err != nil {
		return fmt.Errorf("adding ssh key: %w", err)
	}
	writeJSON(w, http.StatusCreated, apiSSHKey(k))
	return nil
}

// removeSSHKey is DELETE /v1/ssh-keys/{name}.
func (s *Server) removeSSHKey(w http.ResponseWriter, r *http.Request) error {
	err := s.update(r, func(tx store.Tx) error { return tx.RemoveSSHKey(r.PathValue("name")) })
	if err != nil {
		return fmt.Errorf("removing ssh key: %w", err)
	}
	writeNoContent(w)
	return nil
}

// getSSHHostKey is GET /v1/ssh-keys/host: the public half and fingerprint
// of the console's host key, never the private key.
func (s *Server) getSSHHostKey(w http.ResponseWriter, r *http.Request) error {
	var k store.SSHHostKey
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) { k, err = tx.SSHHostKey(); return err })
	if err != nil {
		return fmt.Errorf("reading the ssh host key: %w", err)
	}
	writeJSON(w, http.StatusOK, api.SSHHostKey{PublicKey: k.PublicKey, Fingerprint: k.Fingerprint, Created: k.Created})
	return nil
}
