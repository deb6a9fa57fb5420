// Package tui is allowed: admin/api, even though api itself breaks its row.
package tui

import "github.com/foyerhq/foyer/appliance/admin/api"

// Run is a placeholder.
func Run() string { return api.Client() }
