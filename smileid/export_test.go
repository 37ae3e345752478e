package smileid

import (
	"crypto/tls"
	"time"
)

// WithTransportTLSConfigForTest makes the SDK's own transport use tc (for example to
// trust an httptest server's certificate) without marking a transport option as given:
// tests exercise the transport a partner gets by default.
func WithTransportTLSConfigForTest(tc *tls.Config) Option {
	return func(c *config) error {
		c.transport.tlsConfig = tc
		return nil
	}
}

// MaxHeldImageForTest is the size up to which image files are kept in memory between
// their check and their upload; larger ones are read again for the upload.
const MaxHeldImageForTest = maxHeldImage

// HeldBytesForTest is the size of the buffers holding image files, process-wide.
func HeldBytesForTest() int64 { return heldBytes.Load() }

// TransportForTest returns the client's base transport.
func TransportForTest(c *Client) any { return c.hc.Transport }

// DialGateForTest returns the requests waiting for a connection and the dials under way
// that the client's own transport counts, summed over hosts.
func DialGateForTest(c *Client) (waiting, dialing int) {
	t := c.hc.Transport.(*sdkTransport)
	t.gate.mu.Lock()
	defer t.gate.mu.Unlock()
	for _, n := range t.gate.waiting {
		waiting += n
	}
	for _, n := range t.gate.dialing {
		dialing += n
	}
	return waiting, dialing
}

// WithClockForTest makes the client sign requests with now's time.
func WithClockForTest(now func() time.Time) Option {
	return func(c *config) error {
		c.now = now
		return nil
	}
}
