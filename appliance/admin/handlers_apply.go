package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// errDryRun rolls back a dry run's transaction after its changes were
// computed and validated.
var errDryRun = errors.New("dry run: nothing kept")

// applyConfig is POST /v1/apply: it brings the store to the document in
// one store.Update (all or nothing) and answers the changes. With
// dry_run the same transaction runs, validating everything, and is rolled
// back. A refused entry's error names its place in the document as the
// field, e.g. "tenants[1].pools[0].algorithm".
func (s *Server) applyConfig(w http.ResponseWriter, r *http.Request) error {
	var req api.ApplyRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := checkDocument(req.Document); err != nil {
		return err
	}
	tokens, err := newKeyTokens(req.Document)
	if err != nil {
		return err
	}
	var a *applier
	err = s.update(r, func(tx store.Tx) error {
		a = &applier{tx: tx, prune: req.Prune, tokens: tokens} // a closure run twice starts over
		if err := a.apply(req.Document); err != nil {
			return err
		}
		if req.DryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return fmt.Errorf("applying configuration: %w", err)
	}
	res := api.ApplyResult{DryRun: req.DryRun, Applied: !req.DryRun, Revision: s.store.Revision(),
		Changes: a.changes}
	if res.Changes == nil {
		res.Changes = []api.ConfigChange{}
	}
	if !req.DryRun {
		res.Keys = a.keys
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// newKey is an API key token generated before the transaction (which may
// run twice and must do no I/O).
type newKey struct{ token, id, hash string }

// newKeyTokens generates a token for every API key the document names;
// apply uses those of keys the store lacks.
func newKeyTokens(doc api.ConfigDocument) (map[string]newKey, error) {
	out := map[string]newKey{}
	for _, t := range doc.Tenants {
		for _, k := range t.APIKeys {
			token, id, hash, err := store.NewAPIKeyToken()
			if err != nil {
				return nil, err
			}
			out[t.Slug+"/"+k.Name] = newKey{token, id, hash}
		}
	}
	return out, nil
}

// checkDocument refuses names given twice, which the store's writes
// alone would take as one entry changed twice.
func checkDocument(doc api.ConfigDocument) error {
	seen := map[string]string{} // kind/name -> path of its first entry
	dup := func(kind, name, path string) error {
		if first, ok := seen[kind+"/"+name]; ok {
			return errorf(store.ErrInvalid, path, "each "+kind+" appears once in the document",
				"%s %q is given twice (first at %s)", kind, name, first)
		}
		seen[kind+"/"+name] = path
		return nil
	}
	var errs []error
	for i, p := range doc.Plans {
		errs = append(errs, dup("plan", p.Name, fmt.Sprintf("plans[%d].name", i)))
	}
	for i, t := range doc.Tenants {
		tp := fmt.Sprintf("tenants[%d]", i)
		errs = append(errs, dup("tenant", t.Slug, tp+".slug"))
		for j, a := range t.Aliases {
			errs = append(errs, dup("alias", a, fmt.Sprintf("%s.aliases[%d]", tp, j)))
		}
		for j, p := range t.Pools {
			pp := fmt.Sprintf("%s.pools[%d]", tp, j)
			errs = append(errs, dup("pool", t.Slug+"/"+p.Name, pp+".name"))
			for k, b := range p.Backends {
				u, err := store.ValidateBackendURL(b.URL)
				if err != nil {
					continue // refused with its own error by the apply
				}
				errs = append(errs, dup("backend", t.Slug+"/"+p.Name+" "+u, fmt.Sprintf("%s.backends[%d].url", pp, k)))
			}
		}
		for j, d := range t.Domains {
			n, err := store.NormalizeHost(d.Name)
			if err != nil {
				continue // refused with its own error by the apply
			}
			errs = append(errs, dup("domain", n, fmt.Sprintf("%s.domains[%d].name", tp, j)))
		}
		for j, k := range t.APIKeys {
			errs = append(errs, dup("api key", t.Slug+"/"+k.Name, fmt.Sprintf("%s.api_keys[%d].name", tp, j)))
		}
	}
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// applier brings one transaction's store to a document, noting each
// change. Its methods run inside the transaction: no I/O.
type applier struct {
	tx      store.Tx
	prune   bool
	tokens  map[string]newKey
	changes []api.ConfigChange
	keys    []api.CreatedAPIKey
}

// note records one line of the diff.
func (a *applier) note(op, kind, name, detail string) {
	a.changes = append(a.changes, api.ConfigChange{Op: op, Kind: kind, Name: name, Detail: detail})
}

// extra notes something the store has and the document lacks: removed
// by remove when pruning, else kept.
func (a *applier) extra(kind, name string, remove func() error) error {
	if !a.prune {
		detail := "not in the file (--prune removes it)"
		if kind == "setting" {
			detail = "not in the file (--prune resets it to its default)"
		}
		a.note(api.ChangeKeep, kind, name, detail)
		return nil
	}
	detail := ""
	if kind == "setting" {
		detail = "back to its default"
	}
	a.note(api.ChangeRemove, kind, name, detail)
	return remove()
}

// at gives a store error the document path of the entry it is about: a
// store field "pool.algorithm" of entry "tenants[1].pools[0]" becomes
// "tenants[1].pools[0].algorithm"; policy and settings keys keep their
// prefix ("tenants[1].policy.rate", "settings.base-domain").
func at(path string, err error) error {
	var se *store.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	cp := *se
	f := se.Field
	switch {
	case strings.HasPrefix(f, "policy."), strings.HasPrefix(f, "settings."):
		cp.Field = joinPath(path, f)
	case strings.Contains(f, "."):
		_, rest, _ := strings.Cut(f, ".")
		cp.Field = joinPath(path, rest)
	default:
		cp.Field = path
	}
	if cp.Field != "" {
		cp.Msg = cp.Field + ": " + se.Msg
	}
	return &cp
}

func joinPath(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// apply runs the whole document: whole tenants pruned first (so their
// labels and domains are free), then settings, plans, tenants, and
// finally plans pruned (once no tenant uses them).
func (a *applier) apply(doc api.ConfigDocument) error {
	want := map[string]bool{}
	for _, t := range doc.Tenants {
		want[t.Slug] = true
	}
	cur, err := a.tx.Tenants()
	if err != nil {
		return err
	}
	for _, t := range cur {
		if !want[t.Slug] {
			if err := a.extra("tenant", t.Slug, func() error { return a.tx.DeleteTenant(t.Slug, true) }); err != nil {
				return err
			}
		}
	}
	if err := a.applySettings(doc.Settings); err != nil {
		return err
	}
	for i, p := range doc.Plans {
		if err := at(fmt.Sprintf("plans[%d]", i), a.applyPlan(p)); err != nil {
			return err
		}
	}
	for i, t := range doc.Tenants {
		if err := a.applyTenant(fmt.Sprintf("tenants[%d]", i), t); err != nil {
			return err
		}
	}
	return a.prunePlans(doc.Plans)
}

// applySettings sets the document's settings; with prune, every other
// non-secret setting goes back to its default.
func (a *applier) applySettings(want map[string]string) error {
	cur, err := a.tx.Settings()
	if err != nil {
		return err
	}
	next, def := cur, store.DefaultSettings()
	for _, key := range sortedKeys(want) {
		k, err := store.LookupSetting(key)
		if err != nil {
			return at("settings."+key, err)
		}
		if k.Secret {
			return errorf(store.ErrInvalid, "settings."+key, "set it with `foyer settings set "+key+" VALUE`; secrets stay out of the file",
				"settings.%s: %s is a secret and is not accepted in the file", key, key)
		}
		if err := k.Set(&next, want[key]); err != nil {
			return at("", err)
		}
	}
	for _, k := range store.SettingKeys {
		_, named := want[k.Key]
		if named || k.Secret || k.Get(&cur) == k.Get(&def) {
			continue
		}
		err := a.extra("setting", k.Key, func() error { return k.Set(&next, k.Get(&def)) })
		if err != nil {
			return at("", err)
		}
	}
	for _, k := range store.SettingKeys {
		if _, named := want[k.Key]; named && k.Get(&cur) != k.Get(&next) {
			a.note(api.ChangeUpdate, "setting", k.Key, fmt.Sprintf("%q -> %q", k.Shown(&cur), k.Shown(&next)))
		}
	}
	return at("", a.tx.SetSettings(next))
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// applyPlan creates a plan or replaces its policy.
func (a *applier) applyPlan(p api.ConfigPlan) error {
	cur, err := a.tx.Plan(p.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.note(api.ChangeCreate, "plan", p.Name, store.Policy(p.Policy).String())
	case err != nil:
		return err
	default:
		d := policyDiff(cur.Policy, p.Policy, true)
		if d == "" {
			return nil
		}
		a.note(api.ChangeUpdate, "plan", p.Name, d)
	}
	return a.tx.PutPlan(&store.Plan{Name: p.Name, Policy: store.Policy(p.Policy)})
}

// prunePlans removes (or keeps) the plans the document lacks.
func (a *applier) prunePlans(want []api.ConfigPlan) error {
	cur, err := a.tx.Plans()
	if err != nil {
		return err
	}
	for _, p := range cur {
		if slices.ContainsFunc(want, func(w api.ConfigPlan) bool { return w.Name == p.Name }) {
			continue
		}
		if err := a.extra("plan", p.Name, func() error { return a.tx.RemovePlan(p.Name) }); err != nil {
			return err
		}
	}
	return nil
}

// policyDiff describes the change from cur to want: "k: a -> b",
// "+k=v", and "-k" for keys want lacks when all is set.
func policyDiff(cur, want map[string]string, all bool) string {
	var out []string
	for _, k := range sortedKeys(want) {
		old, ok := cur[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("+%s=%q", k, want[k]))
		case old != want[k]:
			out = append(out, fmt.Sprintf("%s: %q -> %q", k, old, want[k]))
		}
	}
	if all {
		for _, k := range sortedKeys(cur) {
			if _, ok := want[k]; !ok {
				out = append(out, "-"+k)
			}
		}
	}
	return strings.Join(out, ", ")
}

// fieldDiff describes the fields that differ between two values of one
// JSON-encodable type: "name: a -> b, ...".
func fieldDiff(cur, want any) string {
	var c, w map[string]any
	bc, _ := json.Marshal(cur)
	bw, _ := json.Marshal(want)
	_ = json.Unmarshal(bc, &c)
	_ = json.Unmarshal(bw, &w)
	keys := map[string]bool{}
	for k := range c {
		keys[k] = true
	}
	for k := range w {
		keys[k] = true
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		a, b := fmt.Sprint(orNone(c[k])), fmt.Sprint(orNone(w[k]))
		if a != b {
			out = append(out, fmt.Sprintf("%s: %s -> %s", k, a, b))
		}
	}
	return strings.Join(out, ", ")
}

func orNone(v any) any {
	if v == nil {
		return "(default)"
	}
	return v
}
