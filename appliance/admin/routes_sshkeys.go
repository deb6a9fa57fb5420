package admin

// sshKeyRoutes are the SSH console's keys and host key (foyer ssh-key;
// docs/ssh-console.md). They are missing from tenantScopes: a tenant key
// neither lists nor changes keys.
var sshKeyRoutes = []route{
	{"GET", "/v1/ssh-keys", read, (*Server).listSSHKeys},
	{"POST", "/v1/ssh-keys", write, (*Server).addSSHKey},
	{"GET", "/v1/ssh-keys/host", read, (*Server).getSSHHostKey},
	{"DELETE", "/v1/ssh-keys/{name}", write, (*Server).removeSSHKey},
}
