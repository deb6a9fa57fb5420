package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store/boltstore"
)

// Ensure that a daemon killed (SIGKILL) while CLI writes are in flight
// loses none of the writes the CLI reported as done, and leaves a db that
// passes bbolt's consistency check and serves again.
func TestCrashLosesNoCommittedWrite(t *testing.T) {
	dir := t.TempDir()
	var confirmed []string
	for round := 0; round < 5; round++ {
		d := startDaemon(t, dir)
		var mu sync.Mutex
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					slug := fmt.Sprintf("r%d-w%d-%d", round, w, i)
					if _, _, code := d.run("tenant", "add", slug); code == 0 {
						mu.Lock()
						confirmed = append(confirmed, slug)
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(150+round*70) * time.Millisecond) // let writes be in flight
		d.kill()
		close(stop)
		wg.Wait()
	}
	if len(confirmed) < 10 {
		t.Fatalf("only %d writes confirmed over 5 rounds; the test did not exercise anything", len(confirmed))
	}
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		t.Fatalf("reopen after crashes: %v", err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.Check(ctx); err != nil {
		t.Fatalf("consistency check after crashes: %v", err)
	}
	for _, slug := range confirmed {
		if _, err := st.Tenant(ctx, slug); err != nil {
			t.Errorf("confirmed write lost: tenant %s: %v", slug, err)
		}
	}
	t.Logf("%d confirmed writes over 5 SIGKILLs, all present", len(confirmed))
}
