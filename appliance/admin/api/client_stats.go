package api

import (
	"context"
	"net/url"
)

// Stats returns the live numbers of every active tenant (GET /v1/stats),
// or of one when tenant is not "".
func (c *Client) Stats(ctx context.Context, tenant string) (Stats, error) {
	var out Stats
	path := "/v1/stats"
	if tenant != "" {
		path += "?tenant=" + url.QueryEscape(tenant)
	}
	return out, c.do(ctx, "GET", path, nil, &out)
}
