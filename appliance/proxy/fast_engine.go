package proxy

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Engine is foyer's fast HTTP/1.1 engine (--engine fast): it accepts the
// connections of one listener itself and serves plain HTTP/1.1 keep-alive
// requests on each connection's own goroutine (fast_conn.go), running the
// same http.Handler chain as the standard server (limits, ACME challenge,
// self-test, proxy), so the steps around forward do not know which engine
// ran. Whatever it does not handle -- HTTP/2 (chosen by ALPN), upgrades,
// Expect: 100-continue, CONNECT, OPTIONS *, HTTP/1.0 -- it hands to the
// standard http.Server through a channel-fed listener, with the bytes it
// already read replayed first (fast_handoff.go).
type Engine struct {
	std  *http.Server     // the standard server; owns handed-off connections
	hand *handoffListener // feeds std
	conf EngineConfig

	mu      sync.Mutex // guards ln, conns, closing
	ln      net.Listener
	conns   map[*engineConn]struct{}
	closing bool
	wg      sync.WaitGroup // connection goroutines
	stopped atomic.Bool    // Shutdown began: connections end after their request
}

// EngineConfig is what an Engine takes from the settings when its
// listener starts (like the standard server's timeouts).
type EngineConfig struct {
	// TLS, when set, makes the engine a TLS listener: the handshake runs
	// in the connection's goroutine under ReadHeaderTimeout.
	TLS *tls.Config
	// ReadHeaderTimeout bounds a request's head (and a TLS handshake);
	// IdleTimeout bounds the wait for the next request. 0: none.
	ReadHeaderTimeout, IdleTimeout time.Duration
	// MaxHeaderBytes, MaxHeaderCount and MaxURIBytes are the head limits
	// (431, 431, 414). 0: none.
	MaxHeaderBytes, MaxHeaderCount, MaxURIBytes int
}

// NewEngine returns an engine in front of std, whose Handler serves the
// engine's requests too. It sets std's ConnContext and wraps its Handler
// so a handed-off TLS connection's requests keep their r.TLS.
func NewEngine(std *http.Server, c EngineConfig) *Engine {
	e := &Engine{std: std, conf: c, hand: newHandoffListener(), conns: map[*engineConn]struct{}{}}
	std.ConnContext = handoffContext
	std.Handler = restoreTLS{std.Handler}
	return e
}

// Serve accepts connections on ln until Shutdown; it runs the standard
// server on the hand-off listener beside it. It returns
// http.ErrServerClosed after Shutdown.
func (e *Engine) Serve(ln net.Listener) error {
	e.mu.Lock()
	if e.closing {
		e.mu.Unlock()
		ln.Close()
		return http.ErrServerClosed
	}
	e.ln = ln
	e.mu.Unlock()
	e.hand.addr = ln.Addr()
	stdDone := make(chan error, 1)
	go func() { stdDone <- e.std.Serve(e.hand) }()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if e.stopped.Load() {
				return http.ErrServerClosed
			}
			if te, ok := err.(interface{ Temporary() bool }); ok && te.Temporary() { // EMFILE and the like, as net/http

				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			e.hand.Close()
			<-stdDone
			return err
		}
		delay = 0
		ec := e.track(c)
		if ec == nil {
			c.Close()
			continue
		}
		go ec.serve()
	}
}

// track registers a new connection; nil once the engine is closing.
func (e *Engine) track(c net.Conn) *engineConn {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closing {
		return nil
	}
	ec := newEngineConn(e, c)
	e.conns[ec] = struct{}{}
	e.wg.Add(1)
	return ec
}

func (e *Engine) untrack(ec *engineConn) {
	e.mu.Lock()
	delete(e.conns, ec)
	e.mu.Unlock()
	e.wg.Done()
}

// Shutdown stops accepting and lets every connection finish the request
// it is serving; idle connections are closed at once. When ctx ends
// first, the rest are closed and ctx's error returned. The standard
// server's own Shutdown drains the connections handed to it.
func (e *Engine) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	e.closing = true
	e.stopped.Store(true)
	if e.ln != nil {
		e.ln.Close()
	}
	e.mu.Unlock()
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		e.pokeIdle()
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			e.closeAll()
			<-done
			return ctx.Err()
		case <-t.C:
		}
	}
}

// pokeIdle wakes the connections waiting for a request, so they see the
// engine is stopping and close.
func (e *Engine) pokeIdle() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for ec := range e.conns {
		if ec.idle.Load() {
			_ = ec.c.SetReadDeadline(time.Now())
		}
	}
}

func (e *Engine) closeAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for ec := range e.conns {
		ec.c.Close()
	}
}
