package api

import "context"

// CARoot is the internal CA's root certificate.
type CARoot struct {
	// CertPEM is the root certificate, PEM. The CA's key is never sent.
	CertPEM string `json:"cert_pem"`
}

// CARoot returns the internal CA's root certificate; an *Error with
// Status 404 when foyer has made no internal CA.
func (c *Client) CARoot(ctx context.Context) (out CARoot, err error) {
	return out, c.do(ctx, "GET", "/v1/ca/root", nil, &out)
}
