package smileid

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestOwnTransportConfiguration checks the transport's settings structurally. A
// black-holed connect (SYNs dropped) cannot be reproduced on loopback, where a closed
// port refuses at once, so the connect timeout is checked on the dialer both transports
// use.
func TestOwnTransportConfiguration(t *testing.T) {
	c, err := NewClient("001", "key")
	require.NoError(t, err)
	tr, ok := c.hc.Transport.(*sdkTransport)
	require.True(t, ok, "a client without WithHTTPClient uses the SDK's own transport, got %T", c.hc.Transport)
	require.Equal(t, 9*time.Second, tr.dialer.Timeout, "connect timeout")
	require.Equal(t, 30*time.Second, tr.dialer.KeepAlive)
	for _, h := range []*http.Transport{tr.api, tr.lookup} {
		require.NotNil(t, h.DialContext)
		require.NotNil(t, h.DialTLSContext, "HTTPS connections write request bodies in batches (bulkconn.go)")
		require.Equal(t, 9*time.Second, h.TLSHandshakeTimeout)
		require.Equal(t, 64, h.MaxIdleConnsPerHost)
		require.GreaterOrEqual(t, h.MaxIdleConns, 128)
		require.Zero(t, h.MaxConnsPerHost, "no cap on connections: a cap would queue jobs")
		require.True(t, h.ForceAttemptHTTP2, "a clone of http.DefaultTransport")
		require.NotNil(t, h.Proxy, "HTTPS_PROXY is honoured, as with http.DefaultTransport")
		require.Equal(t, 90*time.Second, h.IdleConnTimeout)
	}
	require.Equal(t, 9*time.Second, tr.api.ResponseHeaderTimeout)
	// A black-holed or stalled server ends a call with the default retries within 30 s:
	// every attempt ends at one of these bounds.
	p := DefaultRetryPolicy()
	worst := time.Duration(0)
	for attempt := 0; attempt <= p.MaxRetries; attempt++ {
		worst += max(tr.dialer.Timeout, tr.api.TLSHandshakeTimeout, tr.api.ResponseHeaderTimeout)
		if attempt < p.MaxRetries {
			worst += min(p.InitialBackoff<<attempt, p.MaxBackoff)
		}
	}
	require.LessOrEqual(t, worst, 30*time.Second)
	require.Zero(t, tr.lookup.ResponseHeaderTimeout, "synchronous lookups are bounded by the per-attempt timeout")
	require.NotSame(t, http.DefaultTransport, tr.api)

	c, err = NewClient("001", "key", WithMaxIdleConnsPerHost(200), WithConnectTimeout(3*time.Second),
		WithTLSHandshakeTimeout(4*time.Second), WithResponseHeaderTimeout(5*time.Second))
	require.NoError(t, err)
	tr = c.hc.Transport.(*sdkTransport)
	require.Equal(t, 3*time.Second, tr.dialer.Timeout)
	require.Equal(t, 200, tr.api.MaxIdleConnsPerHost)
	require.Equal(t, 400, tr.api.MaxIdleConns)
	require.Equal(t, 4*time.Second, tr.lookup.TLSHandshakeTimeout)
	require.Equal(t, 5*time.Second, tr.api.ResponseHeaderTimeout)

	hc := &http.Client{}
	c, err = NewClient("001", "key", WithHTTPClient(hc))
	require.NoError(t, err)
	require.Nil(t, c.hc.Transport, "the partner's client is used as it is")
}

func TestSlowLookups(t *testing.T) {
	for path, slow := range map[string]bool{
		"/v1/id_verification": true, "/v1/business_verification": true, "/v1/aml": true, "/v1/id_verification/": true,
		"/v1/async_id_verification": false, "/v1/async_business_verification": false, "/v1/upload": false,
		"/v1/job_status": false, "/v1/services": false,
	} {
		req := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: path}}
		require.Equal(t, slow, isSlowLookup(req), path)
	}
	require.False(t, isSlowLookup(&http.Request{Method: http.MethodPut, URL: &url.URL{Path: "/x/id_verification"}}))
}
