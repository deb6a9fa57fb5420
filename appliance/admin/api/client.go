package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
)

// SocketName is the admin socket's file name inside the data directory.
const SocketName = "admin.sock"

// Error is an error answered by the daemon.
type Error struct {
	Status int    // HTTP status
	Msg    string // what is wrong
	Hint   string // what to do; may be empty
	Field  string // the field at fault; may be empty
}

func (e *Error) Error() string { return e.Msg }

// UnreachableError says the daemon could not be reached at Socket.
type UnreachableError struct {
	Socket string
	Err    error
}

func (e *UnreachableError) Error() string {
	why := "it does not answer"
	switch {
	case errors.Is(e.Err, syscall.ENOENT):
		why = "no socket there"
	case errors.Is(e.Err, syscall.ECONNREFUSED):
		why = "connection refused (a stale socket)"
	case errors.Is(e.Err, syscall.EACCES):
		why = "permission denied (run as the daemon's user or root)"
	}
	return fmt.Sprintf("cannot reach foyer at %s: %s", e.Socket, why)
}

// Hint tells a person how to fix it.
func (e *UnreachableError) Hint() string {
	return "start it with `foyer serve`, or point at another data directory with --data DIR or FOYER_DATA"
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Client talks to one foyer daemon. It is safe for concurrent use.
type Client struct {
	socket string
	hc     *http.Client
}

// NewClient returns a client for the admin socket at path. It does not
// connect until the first call.
func NewClient(socket string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		MaxIdleConns: 4,
	}
	return &Client{socket: socket, hc: &http.Client{Transport: tr}}
}

// Socket is the path the client dials.
func (c *Client) Socket() string { return c.socket }

// do sends a request with an optional JSON body and decodes a JSON answer
// into out (if not nil).
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	resp, err := c.send(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode answer to %s %s: %w", method, path, err)
	}
	return nil
}

func (c *Client) send(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://foyer"+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, &UnreachableError{Socket: c.socket, Err: op.Err}
		}
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		var eb ErrorBody
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		if json.Unmarshal(b, &eb) != nil || eb.Error == "" {
			eb.Error = fmt.Sprintf("%s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(b)))
		}
		return nil, &Error{Status: resp.StatusCode, Msg: eb.Error, Hint: eb.Hint, Field: eb.Field}
	}
	return resp, nil
}

func esc(s string) string { return url.PathEscape(s) }

// Status returns the daemon's status.
func (c *Client) Status(ctx context.Context) (s Status, err error) {
	return s, c.do(ctx, "GET", "/v1/status", nil, &s)
}

// Settings lists every setting.
func (c *Client) Settings(ctx context.Context) (out []Setting, err error) {
	return out, c.do(ctx, "GET", "/v1/settings", nil, &out)
}

// Setting returns one setting.
func (c *Client) Setting(ctx context.Context, key string) (out Setting, err error) {
	return out, c.do(ctx, "GET", "/v1/settings/"+esc(key), nil, &out)
}

// SetSetting changes one setting and returns it as stored.
func (c *Client) SetSetting(ctx context.Context, key, value string) (out Setting, err error) {
	return out, c.do(ctx, "PUT", "/v1/settings/"+esc(key), SetSettingRequest{Value: value}, &out)
}

// Tenants returns one page of tenants (limit 0: the server's default).
func (c *Client) Tenants(ctx context.Context, limit int, cursor string) (out List[Tenant], err error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	return out, c.do(ctx, "GET", "/v1/tenants?"+q.Encode(), nil, &out)
}

// AllTenants follows the cursor through every page.
func (c *Client) AllTenants(ctx context.Context) ([]Tenant, error) {
	var all []Tenant
	cursor := ""
	for {
		page, err := c.Tenants(ctx, 500, cursor)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.Next == "" {
			return all, nil
		}
		cursor = page.Next
	}
}

// Tenant returns a tenant with its pools, backends and domains.
func (c *Client) Tenant(ctx context.Context, slug string) (out TenantDetail, err error) {
	return out, c.do(ctx, "GET", "/v1/tenants/"+esc(slug), nil, &out)
}

// CreateTenant adds a tenant.
func (c *Client) CreateTenant(ctx context.Context, r CreateTenantRequest) (out Tenant, err error) {
	return out, c.do(ctx, "POST", "/v1/tenants", r, &out)
}

// UpdateTenant changes a tenant's name or state.
func (c *Client) UpdateTenant(ctx context.Context, slug string, r UpdateTenantRequest) (out Tenant, err error) {
	return out, c.do(ctx, "PATCH", "/v1/tenants/"+esc(slug), r, &out)
}

// DeleteTenant removes a tenant; force removes its backends and domains too.
func (c *Client) DeleteTenant(ctx context.Context, slug string, force bool) error {
	return c.do(ctx, "DELETE", "/v1/tenants/"+esc(slug)+"?force="+strconv.FormatBool(force), nil, nil)
}

// Backends lists a tenant's backends over all pools.
func (c *Client) Backends(ctx context.Context, slug string) (out []Backend, err error) {
	return out, c.do(ctx, "GET", "/v1/tenants/"+esc(slug)+"/backends", nil, &out)
}

// AddBackend adds a backend to a tenant's pool ("" means default).
func (c *Client) AddBackend(ctx context.Context, slug, pool string, r AddBackendRequest) (out Backend, err error) {
	return out, c.do(ctx, "POST", "/v1/tenants/"+esc(slug)+"/pools/"+esc(poolName(pool))+"/backends", r, &out)
}

// RemoveBackend removes the backend with that URL from a tenant's pool.
func (c *Client) RemoveBackend(ctx context.Context, slug, pool, backendURL string) error {
	return c.do(ctx, "DELETE", "/v1/tenants/"+esc(slug)+"/pools/"+esc(poolName(pool))+"/backends?url="+url.QueryEscape(backendURL), nil, nil)
}

func poolName(p string) string {
	if p == "" {
		return "default"
	}
	return p
}

// Domains lists the domains of a tenant, or of all tenants when slug is "".
func (c *Client) Domains(ctx context.Context, slug string) (out []Domain, err error) {
	return out, c.do(ctx, "GET", "/v1/domains?tenant="+url.QueryEscape(slug), nil, &out)
}

// Domain returns one domain.
func (c *Client) Domain(ctx context.Context, name string) (out Domain, err error) {
	return out, c.do(ctx, "GET", "/v1/domains/"+esc(name), nil, &out)
}

// AddDomain adds a custom domain to a tenant.
func (c *Client) AddDomain(ctx context.Context, slug, name string) (out Domain, err error) {
	return out, c.do(ctx, "POST", "/v1/tenants/"+esc(slug)+"/domains", AddDomainRequest{Name: name}, &out)
}

// CheckDomain runs a domain's checks live and updates its state.
func (c *Client) CheckDomain(ctx context.Context, name string) (out DomainCheck, err error) {
	return out, c.do(ctx, "POST", "/v1/domains/"+esc(name)+"/check", nil, &out)
}

// RemoveDomain removes a custom domain.
func (c *Client) RemoveDomain(ctx context.Context, name string) error {
	return c.do(ctx, "DELETE", "/v1/domains/"+esc(name), nil, nil)
}

// CertBudgets reports each registered domain's use of the weekly limit.
func (c *Client) CertBudgets(ctx context.Context) (out []CertBudget, err error) {
	return out, c.do(ctx, "GET", "/v1/certs/budget", nil, &out)
}

// Certs lists every certificate: imported, then obtained.
func (c *Client) Certs(ctx context.Context) (out []Cert, err error) {
	return out, c.do(ctx, "GET", "/v1/certs", nil, &out)
}

// AddCert imports a certificate and its key.
func (c *Client) AddCert(ctx context.Context, r AddCertRequest) (out Cert, err error) {
	return out, c.do(ctx, "POST", "/v1/certs", r, &out)
}

// RemoveCert removes an imported certificate.
func (c *Client) RemoveCert(ctx context.Context, name string) error {
	return c.do(ctx, "DELETE", "/v1/certs/"+esc(name), nil, nil)
}

// Audit returns audit entries, newest first (limit 0: server default;
// cursor "" from the newest).
func (c *Client) Audit(ctx context.Context, limit int, cursor string) (out List[AuditEntry], err error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	return out, c.do(ctx, "GET", "/v1/audit?"+q.Encode(), nil, &out)
}

// Watcher reads the watch stream.
type Watcher struct {
	body io.ReadCloser
	sc   *bufio.Scanner
}

// Watch opens GET /v1/watch. The first event is a config event with the
// current revision; then one per change (coalesced).
func (c *Client) Watch(ctx context.Context) (*Watcher, error) {
	resp, err := c.send(ctx, "GET", "/v1/watch", nil)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	return &Watcher{body: resp.Body, sc: sc}, nil
}

// Next blocks for the next event. It returns io.EOF when the stream ends.
func (w *Watcher) Next() (Event, error) {
	for w.sc.Scan() {
		line := w.sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var ev Event
		if err := json.Unmarshal(line, &ev); err != nil {
			return Event{}, fmt.Errorf("decode watch event: %w", err)
		}
		return ev, nil
	}
	if err := w.sc.Err(); err != nil {
		return Event{}, err
	}
	return Event{}, io.EOF
}

// Close ends the stream.
func (w *Watcher) Close() error { return w.body.Close() }
