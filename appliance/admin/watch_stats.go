package admin

import (
	"encoding/json"
	"sync"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/appliance/traffic"
)

// statsCursor follows the live numbers' frames for one watch stream. The
// frames are produced once a second by traffic.Live.Run, whatever the
// number of watchers, and each is encoded once (statsLine): a watcher
// only waits on the frame's channel and writes the shared line.
type statsCursor struct {
	s     *Server
	frame *traffic.Frame // the frame whose successor the stream waits for
}

// statsFrames starts following the frames; nil when the server has no
// live numbers (its next channel is then nil and never ready).
func (s *Server) statsFrames() *statsCursor {
	if s.stats == nil {
		return nil
	}
	return &statsCursor{s: s, frame: s.stats()}
}

// next is ready when a newer frame is published.
func (c *statsCursor) next() <-chan struct{} {
	if c == nil {
		return nil
	}
	return c.frame.Next()
}

// advance moves to the latest frame and returns its encoded stats line.
func (c *statsCursor) advance(rev uint64) []byte {
	c.frame = c.s.stats()
	return c.s.statsLine(c.frame, rev)
}

// statsCache holds the encoded line of the latest frame, so that several
// watchers encode it once. rev is part of the key: the line carries the
// revision the stream has seen.
type statsCache struct {
	mu    sync.Mutex // guards the fields below
	frame *traffic.Frame
	rev   uint64
	line  []byte
}

var lines statsCache

// statsLine is f's NDJSON stats line.
func (s *Server) statsLine(f *traffic.Frame, rev uint64) []byte {
	lines.mu.Lock()
	defer lines.mu.Unlock()
	if lines.frame == f && lines.rev == rev {
		return lines.line
	}
	st := statsWire(f.Snapshot)
	b, err := json.Marshal(api.Event{Type: api.EventStats, Rev: rev, Stats: &st})
	if err != nil { // plain data: cannot fail
		s.log.Error("encoding stats line", "err", err)
		return nil
	}
	lines.frame, lines.rev, lines.line = f, rev, append(b, '\n')
	return lines.line
}
