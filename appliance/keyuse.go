package appliance

import (
	"context"
	"errors"
	"time"

	"github.com/foyerhq/foyer/store"
)

// keyUseInterval is how often API keys' last use is written to the store.
// The request path only stores a time in an atomic; this flush is one
// store write a minute that bumps no revision and writes no audit entry.
var keyUseInterval = time.Minute

// flushKeyUse writes API keys' last use every interval until ctx ends;
// Run writes the last batch after the drain.
func (a *Appliance) flushKeyUse(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return // Run writes the last batch after the drain
		case <-t.C:
			a.touchKeys(ctx)
		}
	}
}

// touchKeys writes the keys used since the last flush.
func (a *Appliance) touchKeys(ctx context.Context) {
	used := a.proxy.Policy().UsedKeys()
	if len(used) == 0 {
		return
	}
	err := a.opts.Store.Update(ctx, "foyer (api key last use)", func(tx store.Tx) error { return tx.TouchAPIKeys(used) })
	if err != nil && !errors.Is(err, store.ErrClosed) && !errors.Is(err, context.Canceled) {
		a.log.Warn("recording API keys' last use", "keys", len(used), "err", err)
	}
}
