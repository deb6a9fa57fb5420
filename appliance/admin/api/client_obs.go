package api

import (
	"context"
	"net/url"
	"strconv"
)

// Logs calls GET /v1/logs: the stored access-log records q selects,
// newest first.
func (c *Client) Logs(ctx context.Context, q LogsQuery) (out []LogRecord, err error) {
	v := url.Values{}
	setParam(v, "tenant", q.Tenant)
	setParam(v, "status", q.Status)
	setParam(v, "since", q.Since)
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return out, c.do(ctx, "GET", withQuery("/v1/logs", v), nil, &out)
}

// Usage calls GET /v1/usage: usage rows by tenant, then start.
func (c *Client) Usage(ctx context.Context, q UsageQuery) (out []UsageRow, err error) {
	v := url.Values{}
	setParam(v, "tenant", q.Tenant)
	setParam(v, "from", q.From)
	setParam(v, "to", q.To)
	setParam(v, "span", q.Span)
	return out, c.do(ctx, "GET", withQuery("/v1/usage", v), nil, &out)
}

// setParam sets name to value unless value is "".
func setParam(v url.Values, name, value string) {
	if value != "" {
		v.Set(name, value)
	}
}

// withQuery appends v's encoding to path, if any.
func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}
