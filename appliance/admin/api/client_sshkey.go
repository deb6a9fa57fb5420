package api

import (
	"context"
	"net"
	"net/http"
)

// SSHKeys lists the SSH console's keys.
func (c *Client) SSHKeys(ctx context.Context) (out []SSHKey, err error) {
	return out, c.do(ctx, "GET", "/v1/ssh-keys", nil, &out)
}

// AddSSHKey adds a key that may log in to the SSH console.
func (c *Client) AddSSHKey(ctx context.Context, r AddSSHKeyRequest) (out SSHKey, err error) {
	return out, c.do(ctx, "POST", "/v1/ssh-keys", r, &out)
}

// RemoveSSHKey removes a key by name; it logs in no more.
func (c *Client) RemoveSSHKey(ctx context.Context, name string) error {
	return c.do(ctx, "DELETE", "/v1/ssh-keys/"+esc(name), nil, nil)
}

// SSHHostKey returns the SSH console's host key (its public half); 404
// before the console first started.
func (c *Client) SSHHostKey(ctx context.Context) (out SSHHostKey, err error) {
	return out, c.do(ctx, "GET", "/v1/ssh-keys/host", nil, &out)
}

// NewDialClient returns a client whose connections come from dial rather
// than a socket: the SSH console's in-process client, whose dial reaches
// the daemon's own admin server with the session's identity. name is
// what Socket reports (and errors name), e.g. "ssh:ops".
func NewDialClient(name string, dial func(ctx context.Context) (net.Conn, error)) *Client {
	tr := &http.Transport{
		DialContext:  func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx) },
		MaxIdleConns: 4,
	}
	return &Client{socket: name, hc: &http.Client{Transport: tr}}
}

// CloseIdle closes the client's idle connections (an in-process client
// does so when its session ends).
func (c *Client) CloseIdle() { c.hc.CloseIdleConnections() }
