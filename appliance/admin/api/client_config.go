package api

import "context"

// Export returns the daemon's configuration as a ConfigDocument.
func (c *Client) Export(ctx context.Context) (out ConfigDocument, err error) {
	return out, c.do(ctx, "GET", "/v1/export", nil, &out)
}

// Apply sends a document: with DryRun the daemon answers the changes it
// would make, otherwise it makes them in one transaction (all or none).
func (c *Client) Apply(ctx context.Context, r ApplyRequest) (out ApplyResult, err error) {
	return out, c.do(ctx, "POST", "/v1/apply", r, &out)
}
