package appliance

import "github.com/foyerhq/foyer/appliance/admin"

// AdminServer is the appliance's admin API server, for what cmd/foyer
// serves beside the appliance: the SSH console's in-process clients
// (admin.Server.Dialer) reach the same routes and role checks.
func (a *Appliance) AdminServer() *admin.Server { return a.admin }
