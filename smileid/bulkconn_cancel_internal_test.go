package smileid

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// stalledTLSServer is an HTTP/1.1 TLS server whose handler never reads the request body
// (a stalled peer): a large upload fills the TCP buffers and the client's write blocks.
func stalledTLSServer(t *testing.T) (*httptest.Server, *tls.Config) {
	release := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	srv.StartTLS()
	t.Cleanup(func() { close(release); srv.CloseClientConnections(); srv.Close() })
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, &tls.Config{RootCAs: pool}
}

// TestCancelDuringStalledUploadReturnsPromptly (found by review): a request whose body is
// being written to a peer that stopped reading ends promptly when its context ends, as it
// does with net/http's own TLS connections (tls.Conn.Close during a Write only closes the
// socket: the control subtest). With bulkConn, almost all of a write's time is spent in
// batchConn.flush, after tls.Conn.Write returned: tls.Conn.Close (called by net/http's
// cancelRequest inside the round trip) then sent close_notify, which waited on
// batchConn.mu, held by the blocked flush, until closeNotify's 5 s write deadline: every
// canceled or timed-out upload attempt to a stalled server returned 5 s late.
// bulkConn.Close now closes the socket under a flush first.
func TestCancelDuringStalledUploadReturnsPromptly(t *testing.T) {
	for _, own := range []bool{false, true} {
		name := "net/http's TLS (control)"
		if own {
			name = "the SDK's transport (dialTLS, bulkConn)"
		}
		t.Run(name, func(t *testing.T) {
			srv, tc := stalledTLSServer(t)
			cfg := defaultTransportConfig()
			cfg.tlsConfig = tc
			tr := newTransport(cfg).(*sdkTransport)
			if !own {
				tr.api.DialTLSContext = nil
			}
			hc := &http.Client{Transport: tr}
			defer hc.CloseIdleConnections()

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			body := make([]byte, 64<<20) // far more than loopback's socket buffers hold
			req, err := http.NewRequestWithContext(ctx, http.MethodPut, srv.URL, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				rsp, err := hc.Do(req)
				if err == nil {
					rsp.Body.Close()
				}
				done <- err
			}()
			time.Sleep(1 * time.Second) // the body's write is now blocked on the stalled peer
			cancel()
			canceled := time.Now()
			select {
			case err := <-done:
				if d := time.Since(canceled); d > 2*time.Second {
					t.Fatalf("the round trip returned %v after its context was canceled (err %v); want < 2s", d.Round(time.Millisecond), err)
				}
				t.Logf("returned %v after cancel: %v", time.Since(canceled), err)
			case <-time.After(20 * time.Second):
				t.Fatal("the round trip did not return within 20 s of its context's end")
			}
		})
	}
}
