package smileid_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// trustFake makes the SDK's own transport trust the fake's certificate.
func trustFake(srv *smileidtest.Server) smileid.Option {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return smileid.WithTransportTLSConfigForTest(&tls.Config{RootCAs: pool})
}

// TestConcurrentJobsReuseConnections runs 48 jobs, 8 at a time, against the fake over TLS
// with the SDK's own transport (no WithHTTPClient): every request after the first ones
// reuses a pooled connection, so no more than 8 TLS handshakes happen. With
// http.DefaultTransport's 2 idle connections per host, most of the 97 requests open a
// new connection.
func TestConcurrentJobsReuseConnections(t *testing.T) {
	for _, tc := range []struct{ inFlight, jobs int }{{8, 48}, {1, 30}} {
		t.Run(fmt.Sprintf("%d in flight", tc.inFlight), func(t *testing.T) { testConnectionReuse(t, tc.inFlight, tc.jobs) })
	}
}

func testConnectionReuse(t *testing.T, inFlight, jobs int) {
	srv := smileidtest.NewServer(t, smileidtest.WithCompletion(1, time.Hour))
	var c *smileid.Client
	run := func(t *testing.T, opts ...smileid.Option) (handshakes, connects, requests int64) {
		var err error
		c, err = smileid.NewClient(srv.PartnerID, srv.APIKey, append([]smileid.Option{smileid.WithBaseURL(srv.URL), smileid.WithValidationAPI(false)}, opts...)...)
		require.NoError(t, err)
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			TLSHandshakeStart: func() { atomic.AddInt64(&handshakes, 1) },
			ConnectStart:      func(_, _ string) { atomic.AddInt64(&connects, 1) },
			GotConn:           func(httptrace.GotConnInfo) { atomic.AddInt64(&requests, 1) },
		})
		var wg sync.WaitGroup
		var next atomic.Int64
		for w := 0; w < inFlight; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1); i <= int64(jobs); i = next.Add(1) {
					_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{
						PartnerParams: smileid.PartnerParams{UserID: "u", JobID: fmt.Sprintf("%s-%d", t.Name(), i), JobType: smileid.BiometricKYC},
						IDInfo:        smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000", Entered: smileid.EnteredTrue},
						Images:        []smileid.Image{selfie, idCard},
						Options:       smileid.JobOptions{CallbackURL: "https://127.0.0.1:9/cb"},
					})
					if err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		return handshakes, connects, requests
	}
	t.Run("the SDK's own transport", func(t *testing.T) {
		handshakes, connects, requests := run(t, trustFake(srv))
		require.Equal(t, int64(2*jobs), requests)
		require.LessOrEqual(t, connects, int64(inFlight), "connections opened for %d requests", requests)
		require.LessOrEqual(t, handshakes, connects)
		waiting, dialing := smileid.DialGateForTest(c)
		require.Zero(t, waiting, "no request is left counted as waiting")
		require.Zero(t, dialing, "no dial is left counted")
	})
	if inFlight > 2 {
		t.Run("for comparison, a pool of 2 idle connections", func(t *testing.T) {
			_, connects, requests := run(t, smileid.WithHTTPClient(srv.Client()))
			t.Logf("%d connections (and TLS handshakes) for %d requests", connects, requests)
		})
	}
}

// TestOwnTransportDefaults checks the transport a client without WithHTTPClient gets.
func TestOwnTransportDefaults(t *testing.T) {
	c, err := smileid.NewClient("001", "key")
	require.NoError(t, err)
	tr := smileid.TransportForTest(c)
	require.NotNil(t, tr)
	_, isDefault := tr.(*http.Transport)
	require.False(t, isDefault, "not http.DefaultTransport")
}

// TestTransportOptionsNeedTheOwnTransport: connection options configure the SDK's own
// transport; with a partner's client they would silently do nothing, so NewClient
// refuses them.
func TestTransportOptionsNeedTheOwnTransport(t *testing.T) {
	for _, opt := range []smileid.Option{
		smileid.WithMaxIdleConnsPerHost(8), smileid.WithConnectTimeout(time.Second),
		smileid.WithTLSHandshakeTimeout(time.Second), smileid.WithResponseHeaderTimeout(time.Second),
	} {
		_, err := smileid.NewClient("001", "key", opt)
		require.NoError(t, err)
		_, err = smileid.NewClient("001", "key", opt, smileid.WithHTTPClient(&http.Client{}))
		require.ErrorContains(t, err, "cannot be combined with WithHTTPClient")
		_, err = smileid.NewClient("001", "key", smileid.WithHTTPClient(&http.Client{}), opt)
		require.ErrorContains(t, err, "cannot be combined with WithHTTPClient")
	}
	for _, opt := range []smileid.Option{
		smileid.WithMaxIdleConnsPerHost(0), smileid.WithConnectTimeout(0),
		smileid.WithTLSHandshakeTimeout(-time.Second), smileid.WithResponseHeaderTimeout(0),
	} {
		_, err := smileid.NewClient("001", "key", opt)
		require.Error(t, err)
	}
}

// stalledServer accepts TCP connections and never answers, as a server that hangs after
// accept does. It returns the listener's address and a count of accepted connections.
func stalledServer(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var accepted atomic.Int64
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, conn) // held open, never read nor written
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String(), &accepted
}

// TestStalledServer: a server that accepts and never answers ends each attempt at the
// response-header timeout (plain HTTP) or the TLS-handshake timeout (TLS), not at the
// per-attempt timeout (here 20 s; the test would take a minute if it did).
func TestStalledServer(t *testing.T) {
	retry := smileid.RetryPolicy{MaxRetries: 1, InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond}
	t.Run("response headers", func(t *testing.T) {
		addr, accepted := stalledServer(t)
		c, err := smileid.NewClient("001", "key", smileid.WithBaseURL("http://"+addr+"/v1"), smileid.WithRetryPolicy(retry),
			smileid.WithTimeout(20*time.Second), smileid.WithResponseHeaderTimeout(100*time.Millisecond))
		require.NoError(t, err)
		_, err = c.Utilities.GetServices(context.Background())
		require.ErrorContains(t, err, "timeout awaiting response headers")
		require.Equal(t, int64(2), accepted.Load(), "one retry, on a new connection")
		waiting, dialing := smileid.DialGateForTest(c)
		require.Zero(t, waiting+dialing)
	})
	t.Run("TLS handshake", func(t *testing.T) {
		addr, _ := stalledServer(t)
		c, err := smileid.NewClient("001", "key", smileid.WithBaseURL("https://"+addr+"/v1"), smileid.WithRetryPolicy(retry),
			smileid.WithTimeout(20*time.Second), smileid.WithTLSHandshakeTimeout(100*time.Millisecond))
		require.NoError(t, err)
		_, err = c.Utilities.GetServices(context.Background())
		require.ErrorContains(t, err, "TLS handshake timeout")
		waiting, dialing := smileid.DialGateForTest(c)
		require.Zero(t, waiting+dialing, "failed dials are not left counted")
	})
	t.Run("synchronous lookups wait for the per-attempt timeout", func(t *testing.T) {
		addr, _ := stalledServer(t)
		c, err := smileid.NewClient("001", "key", smileid.WithBaseURL("http://"+addr+"/v1"), smileid.WithValidationAPI(false),
			smileid.WithTimeout(300*time.Millisecond), smileid.WithResponseHeaderTimeout(20*time.Millisecond))
		require.NoError(t, err)
		_, err = c.IDAPI.SubmitJob(context.Background(), smileid.PartnerParams{UserID: "u", JobID: "j", JobType: smileid.EnhancedKYC},
			smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000"})
		require.Error(t, err)
		require.NotContains(t, err.Error(), "awaiting response headers")
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// TestRefusedConnections: a refused connect is reported, and leaves nothing counted in the
// transport's dial gate (which would hold later requests).
func TestRefusedConnections(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	c, err := smileid.NewClient("001", "key", smileid.WithBaseURL("https://"+addr+"/v1"),
		smileid.WithRetryPolicy(smileid.RetryPolicy{MaxRetries: 1, InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Utilities.GetServices(context.Background())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.ErrorContains(t, err, "connection refused")
	}
	waiting, dialing := smileid.DialGateForTest(c)
	require.Zero(t, waiting+dialing)
}

// TestSequentialRequestsUseOneConnection: requests one after the other, as fast as they
// come, all go over one connection: each finds the previous one's back in the pool.
func TestSequentialRequestsUseOneConnection(t *testing.T) {
	srv := smileidtest.NewServer(t)
	c, err := smileid.NewClient(srv.PartnerID, srv.APIKey, smileid.WithBaseURL(srv.URL), trustFake(srv))
	require.NoError(t, err)
	var connects atomic.Int64
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{ConnectStart: func(_, _ string) { connects.Add(1) }})
	for i := 0; i < 300; i++ {
		_, err := c.Utilities.GetValidDocuments(ctx)
		require.NoError(t, err)
	}
	require.Equal(t, int64(1), connects.Load())
}
