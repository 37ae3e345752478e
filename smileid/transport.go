package smileid

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The SDK's own transport, used when the partner gives no *http.Client (WithHTTPClient).
// It is http.DefaultTransport with a pool sized for concurrent jobs and every phase of a
// connection bounded, so that a black-holed or stalled server ends a call long before the
// per-attempt timeout: 9 s for the connect (the OS would wait about 2 minutes for SYNs
// that are dropped), 9 s for the TLS handshake and 9 s for the response headers after the
// request was written. With the default RetryPolicy (3 attempts, 0.5 s and 1 s apart) a
// call to a black-holed or stalled server then ends within 30 s (3 x 9 s + 1.5 s). The
// synchronous lookups (ID API and business verification, AML), whose answer waits on the
// ID authority, are exempt from the response-header timeout: the per-attempt timeout
// (WithTimeout, 60 s) bounds them.
//
// Idle connections: http.DefaultTransport keeps 2 per host, so with more jobs in flight
// against Smile ID most requests open (and TLS-handshake) a new connection. The SDK keeps
// up to 64 per host (WithMaxIdleConnsPerHost), and its dial gate (below) keeps requests
// from dialing connections that others are already dialing for them: N jobs in flight use
// at most N connections.
const (
	defaultConnectTimeout        = 9 * time.Second
	defaultTLSHandshakeTimeout   = 9 * time.Second
	defaultResponseHeaderTimeout = 9 * time.Second
	defaultMaxIdleConnsPerHost   = 64
)

// transportConfig configures the SDK's own transport.
type transportConfig struct {
	connectTimeout        time.Duration
	tlsHandshakeTimeout   time.Duration
	responseHeaderTimeout time.Duration
	maxIdleConnsPerHost   int
	set                   bool // a transport option was given

	tlsConfig *tls.Config // tests only (export_test.go): to trust a test server's certificate
}

func defaultTransportConfig() transportConfig {
	return transportConfig{
		connectTimeout:        defaultConnectTimeout,
		tlsHandshakeTimeout:   defaultTLSHandshakeTimeout,
		responseHeaderTimeout: defaultResponseHeaderTimeout,
		maxIdleConnsPerHost:   defaultMaxIdleConnsPerHost,
	}
}

// errTransportOptions is returned by NewClient for transport options given with
// WithHTTPClient: they configure the SDK's own transport, which a partner's client
// replaces.
var errTransportOptions = errors.New("smileid: connection options configure the SDK's own transport and cannot be combined with WithHTTPClient (configure that client's transport instead)")

// baseHTTPClient returns the partner's client, or one with the SDK's own transport.
func (cfg *config) baseHTTPClient() (*http.Client, error) {
	if cfg.httpClient != nil {
		if cfg.transport.set {
			return nil, errTransportOptions
		}
		return cfg.httpClient, nil
	}
	return &http.Client{Transport: newTransport(cfg.transport)}, nil
}

// newTransport returns the SDK's own transport.
func newTransport(tc transportConfig) http.RoundTripper {
	api := http.DefaultTransport.(*http.Transport).Clone()
	dialer := &net.Dialer{Timeout: tc.connectTimeout, KeepAlive: 30 * time.Second}
	gate := &dialGate{waiting: map[string]int{}, dialing: map[string]int{}, returned: map[string][]time.Time{}, changed: make(chan struct{})}
	api.DialContext = gate.wrapDial(dialer.DialContext, tc.connectTimeout+tc.tlsHandshakeTimeout)
	api.TLSHandshakeTimeout = tc.tlsHandshakeTimeout
	api.ResponseHeaderTimeout = tc.responseHeaderTimeout
	api.MaxIdleConnsPerHost = tc.maxIdleConnsPerHost
	api.MaxIdleConns = max(api.MaxIdleConns, 2*tc.maxIdleConnsPerHost)
	if tc.tlsConfig != nil {
		api.TLSClientConfig = tc.tlsConfig.Clone()
	}
	lookup := api.Clone()
	lookup.ResponseHeaderTimeout = 0
	// HTTPS connections are the SDK's own (bulkconn.go): the same dial and TLS handshake,
	// bounded by the same timeout, with request bodies written in large batches. (Through
	// an http:// proxy, net/http dials with DialContext and adds TLS itself.)
	for _, t := range []*http.Transport{api, lookup} {
		t.DialTLSContext = gate.wrapDial(dialTLS(t, dialer.DialContext, tc.tlsHandshakeTimeout), tc.connectTimeout+tc.tlsHandshakeTimeout)
	}
	return &sdkTransport{api: api, lookup: lookup, dialer: dialer, gate: gate}
}

// sdkTransport sends the synchronous lookups, whose answer may take longer than the
// response-header timeout, through a copy of the transport without that timeout. The two
// keep separate pools: a lookup and the other requests never share a connection.
type sdkTransport struct {
	api, lookup *http.Transport
	dialer      *net.Dialer // both transports dial with it
	gate        *dialGate
}

func (t *sdkTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tr, pool := t.api, "api "
	if isSlowLookup(req) {
		tr, pool = t.lookup, "lookup "
	}
	st := &connState{gate: t.gate, key: pool + canonicalHost(req.URL), tls: req.URL.Scheme == "https", got: make(chan struct{})}
	ctx := context.WithValue(req.Context(), connStateKey{}, st)
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn:          func(string) { st.setWaiting(true) },
		GotConn:          st.gotConn,
		PutIdleConn:      st.putIdle,
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) { st.dialEnded(err == nil) },
	})
	rsp, err := tr.RoundTrip(req.WithContext(ctx))
	st.setWaiting(false)
	return rsp, err
}

// canonicalHost is u's host with its port.
func canonicalHost(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "http" {
		return u.Host + ":80"
	}
	return u.Host + ":443"
}

// Dials. When a request finds no idle connection, net/http starts a dial for it; if another
// connection is returned to the pool first, the request takes that one, and the new
// connection joins the pool when its handshake ends. A request that then finds no idle
// connection dials again, and so on: with 16 jobs in flight and handshakes slower than
// requests (a loaded machine, or any real network), a burst of jobs made 2-3 times as
// many connections as jobs. The gate keeps a request from dialing while the dials under
// way to the same host are at least as many as the requests waiting for a connection
// there: one of them will be handed to it (or a connection returned to the pool). N
// requests in flight then make at most N connections, as Node's agent does.
type dialGate struct {
	mu      sync.Mutex
	waiting map[string]int // pool and host -> requests waiting for a connection
	dialing map[string]int // pool and host -> dials under way
	// returned holds, per pool and host, when connections were returned to the pool
	// recently: each is being handed to a waiting request (which has yet to take it) or
	// lies idle for the next one. Taken ones are removed; the others expire.
	returned map[string][]time.Time
	changed  chan struct{} // closed and replaced when any changes
}

// returnedFresh is how long a returned connection counts as available to waiting requests.
const returnedFresh = 100 * time.Millisecond

// freshReturnedLocked counts key's recent returns, dropping expired ones, and says when
// the next one expires.
func (g *dialGate) freshReturnedLocked(key string, now time.Time) (int, time.Duration) {
	r := g.returned[key]
	i := 0
	for i < len(r) && now.Sub(r[i]) >= returnedFresh {
		i++
	}
	r = r[i:]
	if len(r) == 0 {
		delete(g.returned, key)
		return 0, 0
	}
	g.returned[key] = r
	return len(r), returnedFresh - now.Sub(r[0])
}

// putIdle counts a connection returned to the pool. (net/http returns it before a read
// of the response body reports the body's end, so the caller's next request finds it.)
func (st *connState) putIdle(err error) {
	if err == nil {
		st.gate.addAvailable(st.key)
	}
}

func (g *dialGate) addAvailable(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	g.freshReturnedLocked(key, now) // drops the expired ones: the list stays short
	g.returned[key] = append(g.returned[key], now)
	g.notifyLocked()
}

// errDialNotNeeded ends a dial whose request got a pooled connection while it waited; the
// transport drops the error, since the request is served.
var errDialNotNeeded = errors.New("smileid: the request got a pooled connection")

// connState follows one request's connection: whether it waits for one and whether it
// dials one.
type connState struct {
	gate    *dialGate
	key     string // pool and host
	tls     bool   // the dial ends with a TLS handshake
	got     chan struct{}
	gotOnce sync.Once

	// under gate.mu
	isWaiting, isDialing bool
}

type connStateKey struct{}

func (g *dialGate) notifyLocked() {
	close(g.changed)
	g.changed = make(chan struct{})
}

func (st *connState) setWaiting(on bool) {
	g := st.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	if st.isWaiting == on {
		return
	}
	st.isWaiting = on
	if on {
		g.waiting[st.key]++
	} else if g.waiting[st.key]--; g.waiting[st.key] == 0 {
		delete(g.waiting, st.key)
	}
	g.notifyLocked()
}

func (st *connState) gotConn(httptrace.GotConnInfo) {
	st.gotOnce.Do(func() { close(st.got) })
	g := st.gate
	g.mu.Lock()
	if r := g.returned[st.key]; len(r) > 0 {
		g.returned[st.key] = r[1:]
	}
	g.mu.Unlock()
	st.setWaiting(false)
}

// dialEnded ends st's dial; ok says it made a connection, which is then available until a
// request takes it.
func (st *connState) dialEnded(ok bool) {
	g := st.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	if !st.isDialing {
		return
	}
	st.isDialing = false
	if ok {
		g.returned[st.key] = append(g.returned[st.key], time.Now())
	}
	if g.dialing[st.key]--; g.dialing[st.key] == 0 {
		delete(g.dialing, st.key)
	}
	g.notifyLocked()
}

// maxDialWait bounds the wait for other dials: one whose end the gate does not see (a
// proxy refusing CONNECT) must not hold other requests.
const maxDialWait = 2 * time.Second

// wrapDial gates dial.
func (g *dialGate) wrapDial(dial func(ctx context.Context, network, addr string) (net.Conn, error), maxDial time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		st, _ := ctx.Value(connStateKey{}).(*connState)
		if st == nil || st.gate != g {
			return dial(ctx, network, addr)
		}
		var timer *time.Timer
		expired := false
	wait:
		for {
			g.mu.Lock()
			select {
			case <-st.got:
				g.mu.Unlock()
				return nil, errDialNotNeeded
			default:
			}
			returned, expiry := g.freshReturnedLocked(st.key, time.Now())
			if g.dialing[st.key]+returned < g.waiting[st.key] || expired {
				st.isDialing = true
				g.dialing[st.key]++
				g.notifyLocked()
				g.mu.Unlock()
				break wait
			}
			changed := g.changed
			g.mu.Unlock()
			if timer == nil {
				timer = time.NewTimer(maxDialWait)
				defer timer.Stop()
			}
			var expire <-chan time.Time
			if expiry > 0 {
				t := time.NewTimer(expiry)
				expire = t.C
				defer t.Stop()
			}
			select {
			case <-changed:
			case <-expire:
			case <-st.got:
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-timer.C:
				expired = true
			}
		}
		// The dial ends at its TLS handshake (or at its connect for plain HTTP), seen by
		// the request's trace; this bounds it when neither is seen.
		stop := time.AfterFunc(maxDial, func() { st.dialEnded(false) })
		conn, err := dial(ctx, network, addr)
		if err != nil || !st.tls {
			stop.Stop()
			st.dialEnded(err == nil)
		}
		return conn, err
	}
}

// isSlowLookup reports whether req is a synchronous lookup whose answer waits on a third
// party: POST /id_verification, /business_verification or /aml.
func isSlowLookup(req *http.Request) bool {
	if req.Method != http.MethodPost {
		return false
	}
	p := strings.TrimRight(req.URL.Path, "/")
	return strings.HasSuffix(p, "/id_verification") || strings.HasSuffix(p, "/business_verification") || strings.HasSuffix(p, "/aml")
}
