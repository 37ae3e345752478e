package smileid

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// Large request bodies (the zip upload) over TLS.
//
// net/http copies a request body to the connection 32 KiB at a time, and crypto/tls writes
// every 16 KiB record with its own system call: a 2 MiB zip costs 128 writes, each its own
// TCP segment (net/http turns Nagle's algorithm off). On loopback that is half of the
// upload's CPU, and twice what writing the same bytes in larger writes costs (measured
// for 400 MiB: 205 ms of CPU in 16 KiB writes, 90 ms in 256 KiB ones, 60-90 ms in 1 MiB
// ones). So the SDK's transport makes its own TLS connections (dialTLS) and, on HTTP/1.1
// ones, copies request bodies bulkChunk (512 KiB) at a time (bulkConn's ReadFrom, which
// net/http uses for bodies) and sends the records of each such write with one system call
// (batchConn). Nothing is held back between writes: each write of the connection is on
// the network when it returns, as with a plain *tls.Conn. An upload in progress holds two
// pooled buffers of bulkChunk.

// batchSlack is room for the TLS records' headers and tags (at most 256 bytes a record)
// around bulkChunk bytes of plaintext.
const batchSlack = bulkChunk / maxRecord * 256

var batchBuffers = sync.Pool{New: func() any { b := make([]byte, bulkChunk+batchSlack); return &b }}

// batchConn is the TCP connection under one of the transport's TLS connections. Between
// startBatch and flush, what TLS writes to it is gathered and then sent at once.
type batchConn struct {
	net.Conn
	mu       sync.Mutex
	batching bool
	buf      []byte

	// A flush spends its time in the network write, after tls.Conn.Write returned: a
	// Close then would not see a write in progress (see bulkConn.Close).
	flushing, closing atomic.Bool
}

func (c *batchConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.batching {
		return c.Conn.Write(p)
	}
	c.buf = append(c.buf, p...)
	return len(p), nil
}

func (c *batchConn) startBatch(buf []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batching = true
	c.buf = buf[:0]
}

// flush sends what was gathered since startBatch and ends the batch.
func (c *batchConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batching = false
	buf := c.buf
	c.buf = nil
	if len(buf) == 0 {
		return nil
	}
	c.flushing.Store(true)
	defer c.flushing.Store(false)
	if c.closing.Load() {
		return net.ErrClosed
	}
	_, err := c.Conn.Write(buf)
	return err
}

// interrupt marks the connection closing and, if a flush is writing, closes it under
// the flush (which then fails); it reports whether it did. A flush that starts later
// fails at once: of flushing and closing, each side sets its own before reading the other.
func (c *batchConn) interrupt() bool {
	c.closing.Store(true)
	if c.flushing.Load() {
		_ = c.Conn.Close()
		return true
	}
	return false
}

// bulkConn is an HTTP/1.1 connection over TLS of the SDK's transport. Writes of more than
// one TLS record go out with one system call; ReadFrom copies in chunks of bulkChunk.
// It is not a *tls.Conn, so net/http leaves http.Response.TLS nil for its responses (the
// SDK does not read it).
type bulkConn struct {
	*tls.Conn
	raw *batchConn
}

// Close closes the connection. A *tls.Conn closed during a Write only closes the socket
// under it, ending the Write; closed otherwise, it first sends close_notify, which waits
// for the connection's writes. A bulkConn spends its writes in batchConn.flush, after
// tls.Conn.Write returned, so a Close (net/http's, when a request's context ends during
// an upload to a stalled server) would wait for that close_notify's 5 s deadline: the
// socket is closed first when a flush is under way.
func (c *bulkConn) Close() error {
	c.raw.interrupt()
	return c.Conn.Close()
}

// maxRecord is the most plaintext one TLS record carries.
const maxRecord = 16 << 10

func (c *bulkConn) Write(p []byte) (int, error) {
	if len(p) <= maxRecord {
		return c.Conn.Write(p)
	}
	bp := batchBuffers.Get().(*[]byte)
	defer batchBuffers.Put(bp)
	n := 0
	for len(p) > 0 {
		chunk := min(len(p), bulkChunk)
		c.raw.startBatch(*bp)
		m, err := c.Conn.Write(p[:chunk])
		ferr := c.raw.flush()
		n += m
		if err != nil {
			return n, err
		}
		if ferr != nil {
			return n, ferr
		}
		p = p[chunk:]
	}
	return n, nil
}

// ReadFrom copies r to the connection in chunks of up to bulkChunk bytes. (net/http copies
// request bodies with io.Copy, which uses it.)
func (c *bulkConn) ReadFrom(r io.Reader) (int64, error) {
	var n int64
	// A zip body, as net/http passes it (limited to its Content-Length): the image files
	// kept in memory are written from there, not copied into a buffer first; a buffer of
	// bulkChunk is needed only for files read from disk and base64 images.
	if lr, ok := r.(*io.LimitedReader); ok {
		if z, ok := lr.R.(*zipReader); ok {
			var buf []byte
			if z.copiesMuch() {
				bp := readBuffers.Get().(*[]byte)
				defer readBuffers.Put(bp)
				buf = *bp
			} else {
				bp := getBuffer()
				defer putBuffer(bp)
				buf = *bp
			}
			for lr.N > 0 {
				m, err := z.writeTo(c, lr.N, buf)
				n += m
				lr.N -= m
				if err == io.EOF {
					return n, nil
				}
				if err != nil {
					return n, err
				}
			}
			return n, nil
		}
	}
	bp := readBuffers.Get().(*[]byte)
	defer readBuffers.Put(bp)
	buf := *bp
	for {
		m, rerr := r.Read(buf)
		if m > 0 {
			w, werr := c.Write(buf[:m])
			n += int64(w)
			if werr != nil {
				return n, werr
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

// errHandshakeTimeout is the error of a TLS handshake that took longer than the
// transport's TLS-handshake timeout, as net/http's own.
var errHandshakeTimeout error = handshakeTimeoutError{}

type handshakeTimeoutError struct{}

func (handshakeTimeoutError) Error() string   { return "smileid: TLS handshake timeout" }
func (handshakeTimeoutError) Timeout() bool   { return true }
func (handshakeTimeoutError) Temporary() bool { return true }

// dialTLS returns t's DialTLSContext: dial, then the TLS handshake as net/http would do it
// (t's TLS configuration, the server name from addr, bounded by timeout, the request's
// httptrace told of it). A connection that negotiated HTTP/2 is returned as the
// *tls.Conn net/http needs for it; an HTTP/1.1 one as a bulkConn.
func dialTLS(t *http.Transport, dial func(ctx context.Context, network, addr string) (net.Conn, error), timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cfg := &tls.Config{}
		if t.TLSClientConfig != nil {
			cfg = t.TLSClientConfig.Clone()
		}
		if cfg.ServerName == "" {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				conn.Close()
				return nil, err
			}
			cfg.ServerName = host
		}
		raw := &batchConn{Conn: conn}
		tc := tls.Client(raw, cfg)
		trace := httptrace.ContextClientTrace(ctx)
		if trace != nil && trace.TLSHandshakeStart != nil {
			trace.TLSHandshakeStart()
		}
		hctx, cancel := context.WithTimeoutCause(ctx, timeout, errHandshakeTimeout)
		err = tc.HandshakeContext(hctx)
		if err != nil && ctx.Err() == nil && context.Cause(hctx) == errHandshakeTimeout {
			err = errHandshakeTimeout
		}
		cancel()
		if err != nil {
			conn.Close()
			if trace != nil && trace.TLSHandshakeDone != nil {
				trace.TLSHandshakeDone(tls.ConnectionState{}, err)
			}
			return nil, err
		}
		state := tc.ConnectionState()
		if state.NegotiatedProtocol == "h2" {
			// net/http tells the trace of the handshake itself for a *tls.Conn (a second
			// TLSHandshakeStart for this connection, and its TLSHandshakeDone).
			return tc, nil
		}
		if trace != nil && trace.TLSHandshakeDone != nil {
			trace.TLSHandshakeDone(state, nil)
		}
		return &bulkConn{Conn: tc, raw: raw}, nil
	}
}
