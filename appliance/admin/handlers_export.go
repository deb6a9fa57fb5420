package admin

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// exportConfig is GET /v1/export: the whole configuration as one
// ConfigDocument, read in one transaction.
func (s *Server) exportConfig(w http.ResponseWriter, r *http.Request) error {
	var doc api.ConfigDocument
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) {
		doc, err = exportDocument(tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("exporting configuration: %w", err)
	}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

// exportDocument reads the configuration of tx as a document: settings
// that differ from their defaults (secret ones only named), plans, and
// tenants with everything that belongs to them, each list sorted.
func exportDocument(tx store.Tx) (api.ConfigDocument, error) {
	var doc api.ConfigDocument
	set, err := tx.Settings()
	if err != nil {
		return doc, err
	}
	doc.Settings, doc.SecretSettingsSet = exportSettings(set)
	plans, err := tx.Plans()
	if err != nil {
		return doc, err
	}
	for _, p := range plans {
		doc.Plans = append(doc.Plans, api.ConfigPlan{Name: p.Name, Policy: policyMap(p.Policy)})
	}
	tenants, err := tx.Tenants()
	if err != nil {
		return doc, err
	}
	for _, t := range tenants {
		ct, err := exportTenant(tx, t)
		if err != nil {
			return doc, err
		}
		doc.Tenants = append(doc.Tenants, ct)
	}
	return doc, nil
}

// exportSettings returns the non-secret settings that differ from their
// defaults, and the names of the secret settings that are set.
func exportSettings(s store.Settings) (map[string]string, []string) {
	def := store.DefaultSettings()
	out := map[string]string{}
	var secrets []string
	for _, k := range store.SettingKeys {
		v := k.Get(&s)
		switch {
		case k.Secret && v != "":
			secrets = append(secrets, k.Key)
		case !k.Secret && v != k.Get(&def):
			out[k.Key] = v
		}
	}
	if len(out) == 0 {
		out = nil
	}
	return out, secrets
}

// policyMap copies a policy; an empty one is nil (left out of the file).
func policyMap(p store.Policy) map[string]string {
	if len(p) == 0 {
		return nil
	}
	return maps.Clone(map[string]string(p))
}

// exportTenant reads everything of one tenant.
func exportTenant(tx store.Tx, t store.Tenant) (api.ConfigTenant, error) {
	ct := api.ConfigTenant{Slug: t.Slug, State: string(t.State), Plan: t.Plan,
		Aliases: slices.Clone(t.Aliases), Policy: policyMap(t.Policy)}
	if t.Name != t.Slug {
		ct.Name = t.Name
	}
	pools, err := tx.Pools(t.Slug)
	if err != nil {
		return ct, err
	}
	backends, err := tx.Backends(t.Slug)
	if err != nil {
		return ct, err
	}
	for _, p := range pools {
		cp := configPool(p)
		for _, b := range backends {
			if b.Pool == p.Name {
				cp.Backends = append(cp.Backends, configBackend(b))
			}
		}
		ct.Pools = append(ct.Pools, cp)
	}
	domains, err := tx.Domains(t.Slug)
	if err != nil {
		return ct, err
	}
	for _, d := range domains {
		ct.Domains = append(ct.Domains, api.ConfigDomain{Name: d.Name})
	}
	if ct.JWTKey, err = exportJWTKey(tx, t.Slug); err != nil {
		return ct, err
	}
	keys, err := tx.APIKeys(t.Slug)
	if err != nil {
		return ct, err
	}
	slices.SortFunc(keys, func(a, b store.APIKey) int { return cmpString(a.Name, b.Name) })
	for _, k := range keys {
		ct.APIKeys = append(ct.APIKeys, api.ConfigAPIKey{Name: k.Name, Expires: k.Expires.UTC()})
	}
	return ct, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// exportJWTKey returns a tenant's JWT key: a public key's material, an
// HS256 secret's kind only; nil when it has none.
func exportJWTKey(tx store.Tx, slug string) (*api.ConfigJWTKey, error) {
	k, err := tx.JWTKey(slug)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := &api.ConfigJWTKey{Kind: string(k.Kind)}
	if k.Kind != store.JWTKeySecret {
		out.Data = string(k.Data)
	}
	return out, nil
}

// configPool is a pool as the document shows it: a setting equal to its
// default is left empty.
func configPool(p store.Pool) api.ConfigPool {
	p = p.WithDefaults()
	def := store.Pool{HealthInterval: p.HealthInterval}.WithDefaults()
	out := api.ConfigPool{Name: p.Name, HashKey: p.HashKey, Sticky: p.Sticky, HealthPath: p.HealthPath, MaxFails: p.MaxFails}
	if p.Algorithm != def.Algorithm {
		out.Algorithm = string(p.Algorithm)
	}
	dur := func(v, d store.Duration) string {
		if v == d {
			return ""
		}
		return v.String()
	}
	out.HealthInterval = dur(p.HealthInterval, store.Pool{}.WithDefaults().HealthInterval)
	out.HealthTimeout = dur(p.HealthTimeout, def.HealthTimeout)
	out.Cooldown = dur(p.Cooldown, def.Cooldown)
	out.SlowStart = dur(p.SlowStart, 0)
	if p.HealthStatus != def.HealthStatus {
		out.HealthStatus = p.HealthStatus
	}
	if p.HealthyThreshold != def.HealthyThreshold {
		out.HealthyThreshold = p.HealthyThreshold
	}
	if p.UnhealthyThreshold != def.UnhealthyThreshold {
		out.UnhealthyThreshold = p.UnhealthyThreshold
	}
	return out
}

// configBackend is a backend as the document shows it (weight 1 left out).
func configBackend(b store.Backend) api.ConfigBackend {
	out := api.ConfigBackend{URL: b.URL, Drained: b.Drained}
	if b.Weight != 1 {
		out.Weight = b.Weight
	}
	return out
}
