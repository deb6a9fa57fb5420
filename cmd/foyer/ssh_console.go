package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/foyerhq/foyer/appliance"
	"github.com/foyerhq/foyer/appliance/admin"
	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/tui/console"
)

// startSSHConsole runs the SSH console (tui/console) beside the appliance
// once it serves: on flagAddr when `foyer serve --ssh` gave one, else on
// the ssh-listen setting, applied live on every configuration change.
// The host key is generated and stored the first time the console starts.
// stop closes the console and waits for its goroutine; call it before the
// store closes.
func startSSHConsole(ctx context.Context, st store.Store, a *appliance.Appliance, flagAddr string, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	sub := st.Subscribe()
	go func() {
		defer close(done)
		defer sub.Close()
		select {
		case <-a.Ready():
		case <-ctx.Done():
			return
		}
		var c *console.Server
		defer func() {
			if c != nil {
				c.Close()
			}
		}()
		for {
			addr := flagAddr
			if addr == "" {
				s, err := settingsOf(ctx, st)
				if err != nil {
					log.Error("SSH console: reading settings", "err", err)
				}
				addr = s.SSHListen
			}
			if c == nil && addr != "" {
				var err error
				if c, err = newSSHConsole(ctx, st, a.AdminServer(), log); err != nil {
					log.Error("SSH console not started", "err", err)
				}
			}
			if c != nil {
				if err := c.Apply(addr); err != nil {
					log.Error("SSH console not started", "addr", addr, "err", err)
				}
			}
			if _, err := sub.Next(ctx); err != nil {
				return
			}
		}
	}()
	return func() { cancel(); <-done }
}

// settingsOf reads the settings.
func settingsOf(ctx context.Context, st store.Store) (store.Settings, error) {
	var s store.Settings
	err := st.View(ctx, func(tx store.Tx) (err error) { s, err = tx.Settings(); return err })
	return s, err
}

// newSSHConsole builds the console: its host key from the store
// (generated and stored if there is none yet), keys looked up in the
// store, and for each session an in-process client of srv with the key's
// identity, whose CLI commands run in this process (sshExec).
func newSSHConsole(ctx context.Context, st store.Store, srv *admin.Server, log *slog.Logger) (*console.Server, error) {
	hk, err := sshHostKey(ctx, st)
	if err != nil {
		return nil, err
	}
	lookup := func(ctx context.Context, fp string) (api.SSHKey, error) {
		var k store.SSHKey
		err := st.View(ctx, func(tx store.Tx) (err error) { k, err = tx.SSHKeyByFingerprint(fp); return err })
		if errors.Is(err, store.ErrNotFound) {
			return api.SSHKey{}, fmt.Errorf("%s: %w", fp, console.ErrUnknownKey)
		}
		return api.SSHKey{Name: k.Name, Role: k.Role, PublicKey: k.PublicKey, Fingerprint: k.Fingerprint, Created: k.Created}, err
	}
	clientFor := func(k api.SSHKey) *api.Client {
		id := admin.SSHIdentity(store.SSHKey{Name: k.Name, Role: k.Role, Fingerprint: k.Fingerprint})
		return api.NewDialClient("ssh:"+k.Name, srv.Dialer(id))
	}
	return console.New(console.Options{HostKeyPEM: []byte(hk.PrivatePEM), Lookup: lookup, Client: clientFor,
		Exec: sshExec, Logger: log})
}

// sshHostKey returns the stored host key, generating and storing one
// first if there is none.
func sshHostKey(ctx context.Context, st store.Store) (store.SSHHostKey, error) {
	read := func() (k store.SSHHostKey, err error) {
		err = st.View(ctx, func(tx store.Tx) (err error) { k, err = tx.SSHHostKey(); return err })
		return k, err
	}
	k, err := read()
	if !errors.Is(err, store.ErrNotFound) {
		return k, err
	}
	k, err = store.NewSSHHostKey()
	if err != nil {
		return k, err
	}
	err = st.Update(ctx, "foyer serve", func(tx store.Tx) error { return tx.SetSSHHostKey(k) })
	if err != nil && !errors.Is(err, store.ErrExists) {
		return k, fmt.Errorf("storing the ssh host key: %w", err)
	}
	return read()
}
