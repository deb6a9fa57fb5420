package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
)

// LogFollower reads the GET /v1/logs/follow stream.
type LogFollower struct {
	body io.ReadCloser
	sc   *bufio.Scanner
}

// FollowLogs opens GET /v1/logs/follow: the access log's records live, as
// requests finish, filtered by q. It answers an error at once for an
// unknown tenant or a malformed status.
func (c *Client) FollowLogs(ctx context.Context, q FollowQuery) (*LogFollower, error) {
	v := url.Values{}
	if q.Tenant != "" {
		v.Set("tenant", q.Tenant)
	}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	path := "/v1/logs/follow"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	resp, err := c.send(ctx, "GET", path, nil)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	return &LogFollower{body: resp.Body, sc: sc}, nil
}

// Next blocks for the next record. It returns io.EOF when the stream ends
// (the daemon stopped).
func (f *LogFollower) Next() (FollowRecord, error) {
	for f.sc.Scan() {
		line := f.sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var rec FollowRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			return FollowRecord{}, fmt.Errorf("decode followed log record: %w", err)
		}
		return rec, nil
	}
	if err := f.sc.Err(); err != nil {
		return FollowRecord{}, err
	}
	return FollowRecord{}, io.EOF
}

// Close ends the stream.
func (f *LogFollower) Close() error { return f.body.Close() }
