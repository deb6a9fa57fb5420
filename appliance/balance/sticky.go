package balance

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
	"strings"
	"sync"
)

// StickyCookie is the cookie that pins a client to a backend.
const StickyCookie = "foyer_sticky"

// Sticky signs and checks sticky-session cookies: "<backend ID>.<MAC>",
// the MAC an HMAC-SHA256 (truncated to 128 bits) of the pool and backend
// IDs under a per-process secret. Per process because a cookie is only a
// preference: after a restart an old cookie fails the check and the client
// is balanced afresh (and re-pinned), so there is no secret to store, back
// up or rotate. A cluster of foyers would need a shared secret in the store.
type Sticky struct {
	macs sync.Pool // hash.Hash keyed with the secret
}

// NewSticky returns a signer with secret, or a random one when it is nil.
func NewSticky(secret []byte) *Sticky {
	if secret == nil {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	s := &Sticky{}
	s.macs.New = func() any { return hmac.New(sha256.New, secret) }
	return s
}

func (s *Sticky) mac(pool, backend uint64, out *[32]byte) []byte {
	m := s.macs.Get().(hash.Hash)
	m.Reset()
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i], b[8+i] = byte(pool>>(8*i)), byte(backend>>(8*i))
	}
	m.Write(b[:])
	sum := m.Sum(out[:0])
	s.macs.Put(m)
	return sum[:16]
}

// Value returns the cookie value naming backend of pool.
func (s *Sticky) Value(pool, backend uint64) string {
	var buf [32]byte
	return strconv.FormatUint(backend, 36) + "." + hex.EncodeToString(s.mac(pool, backend, &buf))
}

// Check returns the backend ID a cookie value names, if its MAC is good.
func (s *Sticky) Check(pool uint64, v string) (uint64, bool) {
	idPart, macPart, ok := strings.Cut(v, ".")
	if !ok || len(macPart) != 32 {
		return 0, false
	}
	id, err := strconv.ParseUint(idPart, 36, 64)
	if err != nil {
		return 0, false
	}
	var got [16]byte
	if _, err := hex.Decode(got[:], []byte(macPart)); err != nil {
		return 0, false
	}
	var buf [32]byte
	return id, hmac.Equal(got[:], s.mac(pool, id, &buf))
}

// Pinned returns the upstream with that ID if it may take a new request.
func Pinned(ups []*Upstream, id uint64) *Upstream {
	for _, u := range ups {
		if u.ID == id {
			if u.usable(0, false) {
				return u
			}
			return nil
		}
	}
	return nil
}
