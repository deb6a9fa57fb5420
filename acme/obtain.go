package acme

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrIssuanceOff is returned by Obtain while neither an ACME directory
// nor the internal CA is configured.
var ErrIssuanceOff = errors.New("no ACME directory configured and the internal CA is off")

// Obtain gets a certificate for name from the configured ACME directory
// or the internal CA
// now (or loads one already in storage), puts it in the cache, where
// certmagic renews it, and returns its expiry. It does not ask
// Options.Decide: the caller has verified the name. It returns when the
// order ends or ctx does.
func (m *Manager) Obtain(ctx context.Context, name string) (time.Time, error) {
	if m.issuing.Load() == nil {
		return time.Time{}, ErrIssuanceOff
	}
	cfg := m.active.Load()
	if err := cfg.ObtainCertSync(ctx, name); err != nil {
		return time.Time{}, fmt.Errorf("obtain certificate for %s: %w", name, err)
	}
	c, err := cfg.CacheManagedCertificate(ctx, name)
	if err != nil {
		return time.Time{}, fmt.Errorf("load certificate for %s: %w", name, err)
	}
	if c.Leaf == nil {
		return time.Time{}, fmt.Errorf("load certificate for %s: no leaf", name)
	}
	return c.Leaf.NotAfter, nil
}
