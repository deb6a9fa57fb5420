package api

import "context"

// Trace asks the daemon how it would handle a request, without sending
// it to a backend.
func (c *Client) Trace(ctx context.Context, r TraceRequest) (out TraceReport, err error) {
	return out, c.do(ctx, "POST", "/v1/trace", r, &out)
}
