package api

import "context"

// CheckStore asks the daemon to check its files (GET /v1/check, admin
// only). The check reads the whole of foyer.db and logs.db, so it takes
// as long as reading them does.
func (c *Client) CheckStore(ctx context.Context) (out StoreCheck, err error) {
	err = c.do(ctx, "GET", "/v1/check", nil, &out)
	return out, err
}
