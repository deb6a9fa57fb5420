package ops

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/foyerhq/foyer/store"
)

// Inventory is what a store holds, counted, with the names a person
// recognises: what `foyer restore` prints and a dry run compares.
type Inventory struct {
	// Counts is the number of records of each kind, in kindOrder.
	Counts map[string]int
	// Names are the names of the kinds a person checks by name (tenants,
	// domains with their state, certificates, plans).
	Names map[string][]string
}

// The kinds an Inventory counts, in the order they are printed.
var kindOrder = []string{"tenants", "pools", "backends", "domains", "plans", "api keys", "jwt keys", "tokens",
	"imported certificates", "certificate storage entries", "audit entries", "usage rows"}

// Take counts what st holds, in one read transaction for the
// configuration and a few more for blobs, audit and usage.
func Take(ctx context.Context, st store.Store) (Inventory, error) {
	inv := Inventory{Counts: map[string]int{}, Names: map[string][]string{}}
	err := st.View(ctx, func(tx store.Tx) error { return takeConfig(tx, &inv) })
	if err != nil {
		return inv, err
	}
	blobs, err := st.ListBlobs(ctx, "", true)
	if err != nil {
		return inv, fmt.Errorf("list certificate storage: %w", err)
	}
	for _, k := range blobs {
		info, err := st.StatBlob(ctx, k)
		if err != nil {
			return inv, fmt.Errorf("stat certificate storage %s: %w", k, err)
		}
		if !info.Dir {
			inv.Counts["certificate storage entries"]++
		}
	}
	if inv.Counts["audit entries"], err = countAudit(ctx, st); err != nil {
		return inv, err
	}
	rows, err := st.QueryUsage(ctx, store.UsageQuery{Span: store.SpanMinute, From: time.Unix(0, 0), Until: time.Now().AddDate(100, 0, 0)})
	if err != nil {
		return inv, fmt.Errorf("read usage: %w", err)
	}
	inv.Counts["usage rows"] = len(rows)
	return inv, nil
}

// takeConfig counts the configuration records.
func takeConfig(tx store.Tx, inv *Inventory) error {
	ts, err := tx.Tenants()
	if err != nil {
		return err
	}
	for _, t := range ts {
		inv.Names["tenants"] = append(inv.Names["tenants"], t.Slug+" ("+string(t.State)+")")
		keys, err := tx.APIKeys(t.Slug)
		if err != nil {
			return err
		}
		inv.Counts["api keys"] += len(keys)
	}
	pools, err := tx.Pools("")
	if err != nil {
		return err
	}
	bs, err := tx.Backends("")
	if err != nil {
		return err
	}
	ds, err := tx.Domains("")
	if err != nil {
		return err
	}
	for _, d := range ds {
		inv.Names["domains"] = append(inv.Names["domains"], d.Name+" ("+string(d.State)+")")
	}
	plans, err := tx.Plans()
	if err != nil {
		return err
	}
	for _, p := range plans {
		inv.Names["plans"] = append(inv.Names["plans"], p.Name)
	}
	jwt, err := tx.JWTKeys()
	if err != nil {
		return err
	}
	toks, err := tx.Tokens()
	if err != nil {
		return err
	}
	certs, err := tx.Certs()
	if err != nil {
		return err
	}
	for _, c := range certs {
		inv.Names["imported certificates"] = append(inv.Names["imported certificates"], c.Name)
	}
	inv.Counts["tenants"], inv.Counts["pools"], inv.Counts["backends"] = len(ts), len(pools), len(bs)
	inv.Counts["domains"], inv.Counts["plans"], inv.Counts["jwt keys"] = len(ds), len(plans), len(jwt)
	inv.Counts["tokens"], inv.Counts["imported certificates"] = len(toks), len(certs)
	return nil
}

// countAudit counts the audit trail a page at a time.
func countAudit(ctx context.Context, st store.Store) (int, error) {
	n, before := 0, uint64(0)
	for {
		es, err := st.AuditLog(ctx, 1000, before)
		if err != nil {
			return n, fmt.Errorf("read audit trail: %w", err)
		}
		n += len(es)
		if len(es) < 1000 {
			return n, nil
		}
		before = es[len(es)-1].Seq
	}
}

// WriteInventory prints inv, one kind a line.
func WriteInventory(w io.Writer, inv Inventory) {
	for _, k := range kindOrder {
		fmt.Fprintf(w, "  %-28s %d\n", k, inv.Counts[k])
	}
}

// WriteInventoryDiff prints what replacing cur with next changes: each
// count that differs, and the names that appear or go.
func WriteInventoryDiff(w io.Writer, cur, next Inventory) {
	same := true
	for _, k := range kindOrder {
		if cur.Counts[k] != next.Counts[k] {
			fmt.Fprintf(w, "  %-28s %d -> %d\n", k, cur.Counts[k], next.Counts[k])
			same = false
		}
	}
	for _, k := range []string{"tenants", "domains", "plans", "imported certificates"} {
		for _, n := range minus(next.Names[k], cur.Names[k]) {
			fmt.Fprintf(w, "  + %s %s\n", strings.TrimSuffix(k, "s"), n)
			same = false
		}
		for _, n := range minus(cur.Names[k], next.Names[k]) {
			fmt.Fprintf(w, "  - %s %s\n", strings.TrimSuffix(k, "s"), n)
			same = false
		}
	}
	if same {
		fmt.Fprintln(w, "  no difference in counts or names")
	}
}

// minus returns the elements of a not in b, sorted.
func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
