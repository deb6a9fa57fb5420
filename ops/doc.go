// Package ops is foyer's operator toolbox: the work behind `foyer doctor`,
// `foyer backup` and `foyer restore`, and declarative configuration
// (`foyer apply` and `foyer export`). It is a client of the daemon, which
// it reaches only through appliance/admin/api, and an offline toolbox for
// when the daemon is stopped: what must open the data directory's files
// then (a store check, a restore) is handed in by cmd/foyer, which picks
// the store's implementation. It is never imported by the daemon.
package ops
