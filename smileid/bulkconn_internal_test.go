package smileid

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// countingConn counts the writes to a TCP connection.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// bulkTestTransport is an http.Transport that makes its TLS connections as the SDK's own
// transport does, trusting srv, and counts the writes to its TCP connections.
func bulkTestTransport(srv *httptest.Server, writes *atomic.Int64) *http.Transport {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	t := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	var d net.Dialer
	t.DialTLSContext = dialTLS(t, func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{c, writes}, nil
	}, 5*time.Second)
	return t
}

// TestUploadWritesAreBatched: a zip upload over TLS goes out in writes of about
// bulkChunk, not one per 16 KiB TLS record (net/http and crypto/tls alone make 128 system
// calls for 2 MiB), and arrives intact, from files kept in memory and read from disk.
func TestUploadWritesAreBatched(t *testing.T) {
	var got []byte
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
	}))
	srv.StartTLS()
	defer srv.Close()
	var writes atomic.Int64
	hc := &http.Client{Transport: bulkTestTransport(srv, &writes)}
	for name, files := range map[string][]preparedImage{
		"kept in memory": writeImages(t, 2, 1<<20),
		"read from disk": streamed(writeImages(t, 2, 1<<20)),
	} {
		t.Run(name, func(t *testing.T) {
			plan := &zipPlan{info: rawInfoJSON([]byte(`{"images":[]}`)), files: files}
			var want bytes.Buffer
			require.NoError(t, plan.writeTo(&want))
			// A connection first, so that the count is the upload's alone.
			rsp, err := hc.Get(srv.URL)
			require.NoError(t, err)
			rsp.Body.Close()
			require.Equal(t, 1, rsp.ProtoMajor)

			writes.Store(0)
			req, err := http.NewRequest(http.MethodPut, srv.URL, plan.body(context.Background()))
			require.NoError(t, err)
			req.ContentLength = plan.size()
			rsp, err = hc.Do(req)
			require.NoError(t, err)
			rsp.Body.Close()
			require.Equal(t, http.StatusOK, rsp.StatusCode)
			require.Equal(t, want.Bytes(), got)
			chunks := (plan.size() + bulkChunk - 1) / bulkChunk
			// The request headers, chunks of the zip and, between files kept in memory, the
			// headers of the next zip entry.
			require.LessOrEqual(t, writes.Load(), chunks+int64(len(files))+2, "writes for a %d-byte zip", plan.size())
			t.Logf("%d writes for a %d-byte zip", writes.Load(), plan.size())
		})
	}
}

// TestOwnTLSConnectionsKeepHTTP2: a server that offers HTTP/2 gets it (the connection
// is then net/http's *tls.Conn, as HTTP/2 needs); HTTP/1.1 servers get the batching
// connection.
func TestOwnTLSConnectionsKeepHTTP2(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	var writes atomic.Int64
	hc := &http.Client{Transport: bulkTestTransport(srv, &writes)}
	rsp, err := hc.Post(srv.URL, "application/octet-stream", bytes.NewReader(make([]byte, 1<<20)))
	require.NoError(t, err)
	rsp.Body.Close()
	require.Equal(t, 2, rsp.ProtoMajor)
	require.NotNil(t, rsp.TLS)
}
