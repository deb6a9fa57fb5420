package admin

// backupRoutes are the endpoints of `foyer backup`. GET /v1/backup is a
// write route although it changes nothing: the snapshot holds every
// private key, so only identities that may write (admins) may read it; it
// is not in tenantScopes, so tenant tokens never reach it.
var backupRoutes = []route{
	{"GET", "/v1/backup", write, (*Server).getBackup},
}
