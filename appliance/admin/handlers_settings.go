package admin

import (
	"fmt"
	"net/http"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// settings reads the settings record.
func (s *Server) settings(r *http.Request) (out store.Settings, err error) {
	err = s.store.View(r.Context(), func(tx store.Tx) error {
		out, err = tx.Settings()
		return err
	})
	if err != nil {
		return out, fmt.Errorf("reading settings: %w", err)
	}
	return out, nil
}

func apiSetting(k store.SettingKey, st *store.Settings) api.Setting {
	return api.Setting{Key: k.Key, Value: k.Shown(st), Doc: k.Doc}
}

// listSettings is GET /v1/settings.
func (s *Server) listSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.settings(r)
	if err != nil {
		return err
	}
	out := make([]api.Setting, len(store.SettingKeys))
	for i, k := range store.SettingKeys {
		out[i] = apiSetting(k, &st)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getSetting is GET /v1/settings/{key}.
func (s *Server) getSetting(w http.ResponseWriter, r *http.Request) error {
	k, err := store.LookupSetting(r.PathValue("key"))
	if err != nil {
		return err
	}
	st, err := s.settings(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiSetting(k, &st))
	return nil
}

// putSetting is PUT /v1/settings/{key}: parse the value into a copy of the
// settings and store it, all in one transaction.
func (s *Server) putSetting(w http.ResponseWriter, r *http.Request) error {
	k, err := store.LookupSetting(r.PathValue("key"))
	if err != nil {
		return err
	}
	var req api.SetSettingRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var st store.Settings
	err = s.update(r, func(tx store.Tx) error {
		cur, err := tx.Settings()
		if err != nil {
			return err
		}
		if err := k.Set(&cur, req.Value); err != nil {
			return err
		}
		st = cur
		return tx.SetSettings(cur)
	})
	if err != nil {
		return fmt.Errorf("setting %s: %w", k.Key, err)
	}
	writeJSON(w, http.StatusOK, apiSetting(k, &st))
	return nil
}
