package smileid

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Environment selects Smile ID's sandbox or production servers.
type Environment string

const (
	// Sandbox is https://testapi.smileidentity.com/v1: test data, no charges.
	Sandbox Environment = "sandbox"
	// Production is https://api.smileidentity.com/v1.
	Production Environment = "production"
)

// BaseURL returns the environment's v1 base URL, "" for an unknown environment.
func (e Environment) BaseURL() string {
	switch e {
	case Sandbox:
		return "https://testapi.smileidentity.com/v1"
	case Production:
		return "https://api.smileidentity.com/v1"
	}
	return ""
}

// Option configures a Client. Options are checked by NewClient, which returns the first
// invalid one's error.
type Option func(*config) error

type appInfo struct{ name, version, url string }

type config struct {
	baseURL          string
	callbackURL      string
	httpClient       *http.Client
	timeout          time.Duration
	uploadTimeout    time.Duration
	retry            RetryPolicy
	poll             PollPolicy
	logger           *slog.Logger
	app              *appInfo
	useValidationAPI bool
	servicesTTL      time.Duration
	now              func() time.Time
	transport        transportConfig
}

func defaultConfig() config {
	return config{
		baseURL:          Sandbox.BaseURL(),
		timeout:          60 * time.Second,
		uploadTimeout:    2 * time.Minute,
		retry:            DefaultRetryPolicy(),
		poll:             DefaultPollPolicy(),
		useValidationAPI: true,
		servicesTTL:      time.Hour,
		now:              time.Now,
		transport:        defaultTransportConfig(),
	}
}

// WithEnvironment selects Sandbox (the default) or Production.
func WithEnvironment(env Environment) Option {
	return func(c *config) error {
		u := env.BaseURL()
		if u == "" {
			return configErr("WithEnvironment", "unknown environment %q (want %q or %q)", string(env), Sandbox, Production)
		}
		c.baseURL = u
		return nil
	}
}

// WithBaseURL points the client at another server, such as the fake of package smileidtest:
// an absolute https URL whose path ends in the version, "/v1". Plain http is allowed for
// loopback hosts only.
func WithBaseURL(rawURL string) Option {
	return func(c *config) error {
		u, err := checkURL("base URL", rawURL)
		if err != nil {
			return configErr("WithBaseURL", "%s", strings.TrimPrefix(err.Error(), "smileid: "))
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return configErr("WithBaseURL", "the base URL must not have a query or fragment")
		}
		if !strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/v1") {
			return configErr("WithBaseURL", "the base URL must end in /v1 (for example %s)", Sandbox.BaseURL())
		}
		c.baseURL = strings.TrimRight(rawURL, "/")
		return nil
	}
}

// WithSIDServer selects the server the way the other Smile ID SDKs' sid_server argument
// does: "0" (or "sandbox") is the sandbox, "1" (or "production") is production, anything
// else is a base URL as for WithBaseURL.
func WithSIDServer(sidServer string) Option {
	switch strings.ToLower(strings.TrimSpace(sidServer)) {
	case "0", "sandbox", "":
		return WithEnvironment(Sandbox)
	case "1", "production":
		return WithEnvironment(Production)
	}
	return WithBaseURL(sidServer)
}

// WithCallbackURL sets the default callback URL of submitted jobs (the other SDKs'
// default_callback). It must be an absolute https URL (http only for loopback hosts).
func WithCallbackURL(rawURL string) Option {
	return func(c *config) error {
		if _, err := checkURL("callback URL", rawURL); err != nil {
			return configErr("WithCallbackURL", "%s", strings.TrimPrefix(err.Error(), "smileid: "))
		}
		c.callbackURL = rawURL
		return nil
	}
}

// WithHTTPClient sets the HTTP client for every request, the presigned upload included.
// Without it the SDK uses its own transport: http.DefaultTransport's settings with up to
// 64 idle connections per host and connect, TLS-handshake and response-header timeouts
// (see WithMaxIdleConnsPerHost, WithConnectTimeout, WithTLSHandshakeTimeout and
// WithResponseHeaderTimeout, which cannot be combined with WithHTTPClient). Its
// Timeout should be zero: the SDK bounds each attempt with WithTimeout and
// WithUploadTimeout instead. The SDK uses a copy with a stricter redirect policy (API
// requests are never redirected; the upload only to https); hc itself is not modified.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return configErr("WithHTTPClient", "nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithMaxIdleConnsPerHost sets how many idle connections to one host the SDK's own
// transport keeps for reuse (default 64). Set it to at least the number of jobs a program
// runs at once against Smile ID: each connection reused is a TLS handshake saved. Like
// the other connection options it configures the transport the SDK uses when no
// WithHTTPClient is given; NewClient refuses it together with WithHTTPClient.
func WithMaxIdleConnsPerHost(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return configErr("WithMaxIdleConnsPerHost", "needs at least 1 idle connection per host")
		}
		c.transport.maxIdleConnsPerHost, c.transport.set = n, true
		return nil
	}
}

// WithConnectTimeout bounds the TCP connect of each new connection of the SDK's own
// transport (default 9 s), separately from the per-attempt timeout: a black-holed server
// (SYNs dropped) would otherwise hold each attempt for the OS's connect timeout, about 2
// minutes.
func WithConnectTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return configErr("WithConnectTimeout", "the connect timeout must be positive")
		}
		c.transport.connectTimeout, c.transport.set = d, true
		return nil
	}
}

// WithTLSHandshakeTimeout bounds the TLS handshake of each new connection of the SDK's
// own transport (default 9 s).
func WithTLSHandshakeTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return configErr("WithTLSHandshakeTimeout", "the TLS handshake timeout must be positive")
		}
		c.transport.tlsHandshakeTimeout, c.transport.set = d, true
		return nil
	}
}

// WithResponseHeaderTimeout bounds, in the SDK's own transport, the wait for a response's
// headers once the request has been written (default 9 s, so that a server that accepts
// requests and never answers ends a call, retries included, within 30 s). The synchronous
// lookups (POST /id_verification, /business_verification, /aml), which wait on an ID
// authority, are exempt and bounded by WithTimeout alone.
func WithResponseHeaderTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return configErr("WithResponseHeaderTimeout", "the response header timeout must be positive")
		}
		c.transport.responseHeaderTimeout, c.transport.set = d, true
		return nil
	}
}

// WithTimeout bounds each attempt of each API request (default 60 s, as in the Java SDK:
// a synchronous ID lookup waits on the ID authority). The context passed to a method
// bounds the whole call, retries included.
func WithTimeout(perAttempt time.Duration) Option {
	return func(c *config) error {
		if perAttempt <= 0 {
			return configErr("WithTimeout", "the timeout must be positive")
		}
		c.timeout = perAttempt
		return nil
	}
}

// WithUploadTimeout bounds each attempt of the zip upload to the presigned URL (default
// 2 minutes).
func WithUploadTimeout(perAttempt time.Duration) Option {
	return func(c *config) error {
		if perAttempt <= 0 {
			return configErr("WithUploadTimeout", "the upload timeout must be positive")
		}
		c.uploadTimeout = perAttempt
		return nil
	}
}

// WithRetryPolicy sets how requests are retried (default DefaultRetryPolicy). Requests
// that create a job are retried only when that cannot create a second one: see
// RetryPolicy. WithRetry changes it for one call.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		if err := p.validate(); err != nil {
			return configErr("WithRetryPolicy", "%s", strings.TrimPrefix(err.Error(), "smileid: "))
		}
		c.retry = p
		return nil
	}
}

// WithPollPolicy sets how job status is polled after a submission with ReturnJobStatus,
// and by PollJobStatus (default DefaultPollPolicy).
func WithPollPolicy(p PollPolicy) Option {
	return func(c *config) error {
		if err := p.validate(); err != nil {
			return configErr("WithPollPolicy", "%s", strings.TrimPrefix(err.Error(), "smileid: "))
		}
		c.poll = p
		return nil
	}
}

// WithLogger logs each request's operation, method, host and path, status, attempt and
// duration at debug level, and retries at warn level. Bodies, the API key, signatures and
// presigned URLs' queries are never logged. Without it the SDK logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithAppInfo adds the application's name, version and URL to the User-Agent. They must
// be valid UTF-8 without control characters (which no HTTP header may carry), 200 bytes at
// most together.
func WithAppInfo(name, version, url string) Option {
	return func(c *config) error {
		all := name + version + url
		if name == "" || !utf8.ValidString(all) || strings.IndexFunc(all, isControl) >= 0 || len(all) > 200 {
			return configErr("WithAppInfo", "app info needs a name, and no control characters (line breaks, tabs, NUL, escapes)")
		}
		c.app = &appInfo{name, version, url}
		return nil
	}
}

// WithValidationAPI turns the check of ID information against the services document
// (GET /services, cached for WithServicesTTL, an hour by default) before a submission on
// or off. It is on by default, as the other SDKs' use_validation_api; local checks always
// run.
func WithValidationAPI(on bool) Option {
	return func(c *config) error {
		c.useValidationAPI = on
		return nil
	}
}

// WithServicesTTL sets how long the services document used by WithValidationAPI is cached
// (default an hour). When a refresh fails, the cached copy is used past its TTL, with a
// warning log. Utilities.PrefetchServices fills the cache at start-up.
func WithServicesTTL(ttl time.Duration) Option {
	return func(c *config) error {
		if ttl <= 0 {
			return configErr("WithServicesTTL", "the services TTL must be positive")
		}
		c.servicesTTL = ttl
		return nil
	}
}

// checkURL parses an absolute http(s) URL and refuses plain http to anything but a
// loopback host.
func checkURL(what, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("smileid: the %s must be an absolute URL", what)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("smileid: the %s must use https (plain http is allowed for loopback hosts only)", what)
		}
	default:
		return nil, fmt.Errorf("smileid: the %s must use https", what)
	}
	if u.User != nil {
		return nil, fmt.Errorf("smileid: the %s must not carry credentials", what)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
