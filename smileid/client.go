package smileid

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// maxResponseBody caps every response body the SDK reads (callbacks and job status with
// history and images can be large).
const maxResponseBody = 16 << 20

// Client talks to Smile ID's v1 API. Create it with NewClient; it is safe for concurrent
// use. Its methods are grouped like the other Smile ID SDKs' classes: WebAPI (image jobs,
// job status, web tokens), IDAPI (Enhanced KYC and Business Verification), Utilities, and
// the Ruby SDK's AML (AmlCheck) and AddressVerification.
type Client struct {
	// WebAPI submits jobs (image jobs through prep upload, zip and upload; job types 5 and
	// 7 through the ID API), gets their status and issues web tokens.
	WebAPI *WebAPI
	// IDAPI verifies ID numbers (job type 5) and businesses (job type 7).
	IDAPI *IDAPI
	// Utilities gets job status, the services document and valid documents, and validates
	// input.
	Utilities *Utilities
	// AML screens people against sanctions, PEP and adverse-media lists (job type 10).
	AML *AMLCheck
	// AddressVerification verifies addresses in Nigeria and South Africa (job type 12).
	AddressVerification *AddressVerificationAPI

	cfg      config
	sig      *Signature
	gen      *generated.ClientWithResponses
	hc       *http.Client
	ua       string
	log      *slog.Logger
	services servicesCache
	sent     recentPairs // the pairs sign made, to refuse an answer that copies one (binding.go)
}

// WebAPI is the job submission API (the other SDKs' WebApi class).
type WebAPI struct{ c *Client }

// IDAPI is the ID verification API (the other SDKs' IDApi class).
type IDAPI struct{ c *Client }

// Utilities groups job status, discovery and validation (the other SDKs' Utilities class).
type Utilities struct{ c *Client }

// NewClient returns a client for the partner ID (a string: leading zeros count) and the
// API key of the environment in use. It checks its arguments and options and performs no
// I/O. By default it talks to the sandbox.
func NewClient(partnerID, apiKey string, opts ...Option) (*Client, error) {
	if partnerID == "" || strings.IndexFunc(partnerID, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
		return nil, configErr("partner_id", "must be non-empty, without spaces or control characters")
	}
	if apiKey == "" {
		return nil, configErr("api_key", "must not be empty")
	}
	cfg := defaultConfig()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				err = configErr("option", "%s", strings.TrimPrefix(err.Error(), "smileid: "))
			}
			return nil, err
		}
	}
	hc, err := cfg.baseHTTPClient()
	if err != nil {
		return nil, configErr("WithHTTPClient", "%s", strings.TrimPrefix(err.Error(), "smileid: "))
	}
	c := &Client{cfg: cfg, sig: NewSignature(partnerID, apiKey), ua: userAgent(cfg.app), hc: withRedirectPolicy(hc), log: cfg.logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	gen, err := generated.NewClientWithResponses(cfg.baseURL,
		generated.WithHTTPClient(c.hc),
		generated.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("User-Agent", c.ua)
			req.Header.Set("Accept", "application/json")
			return nil
		}))
	if err != nil {
		return nil, configErr("WithBaseURL", "%v", err)
	}
	c.gen = gen
	c.WebAPI, c.IDAPI, c.Utilities = &WebAPI{c}, &IDAPI{c}, &Utilities{c}
	c.AML, c.AddressVerification = &AMLCheck{c}, &AddressVerificationAPI{c}
	return c, nil
}

// PartnerID returns the client's partner ID.
func (c *Client) PartnerID() string { return c.sig.partnerID }

// BaseURL returns the v1 base URL the client talks to.
func (c *Client) BaseURL() string { return c.cfg.baseURL }

// Signature returns the client's signer, to sign or verify values by hand.
func (c *Client) Signature() *Signature { return c.sig }

// String describes the client without its API key.
func (c *Client) String() string {
	return "smileid.Client{partner_id: " + c.sig.partnerID + ", base_url: " + c.cfg.baseURL + ", api_key: [REDACTED]}"
}

// LogValue keeps the API key out of structured logs.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("partner_id", c.sig.partnerID), slog.String("base_url", c.cfg.baseURL))
}

// sign returns a fresh timestamp and its signature: every request, and every retry of a
// request, is signed anew.
func (c *Client) sign() (timestamp, signature string) {
	now := c.cfg.now()
	timestamp = Timestamp(now)
	mac := c.sig.mac(timestamp)
	c.sent.add(mac, now)
	return timestamp, base64.StdEncoding.EncodeToString(mac)
}

func ptr[T any](v T) *T { return &v }

// sendJSON sends body with a generated ...WithBody method, encoded like the official SDKs
// encode it: UTF-8 with "<", ">" and "&" literal (encoding/json would escape them).
func sendJSON[B any](ctx context.Context, send func(context.Context, string, io.Reader, ...generated.RequestEditorFn) (*http.Response, error), body B) (*http.Response, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, err
	}
	return send(ctx, "application/json", bytes.NewReader(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))))
}

// sdkFields returns source_sdk and source_sdk_version.
func sdkFields() (*string, *string) { return ptr(SourceSDK), ptr(Version) }

// call is one API operation: how to send it (signing afresh each time) and what it does.
type call[T any] struct {
	op         Operation
	retryable  bool          // safe to repeat even after it was sent: retried per the RetryPolicy
	createsJob bool          // sent without an answer, it may leave a job behind (ErrJobMayExist)
	noBody     bool          // success has no body to decode (the zip upload)
	timeout    time.Duration // per attempt; 0 for the call's (WithAttemptTimeout) or the client's
	cfg        *callConfig   // the call's options; nil for the client's settings
	send       func(ctx context.Context) (*http.Response, error)
}

// policy returns the call's retry policy: none for a single-attempt call.
func (k call[T]) policy(c *Client) RetryPolicy {
	switch {
	case k.cfg == nil:
		return c.cfg.retry
	case k.cfg.noRetry:
		return RetryPolicy{}
	}
	return k.cfg.retry
}

// do runs a call: one attempt, or more when repeating is safe and may help. Every call is
// repeated (signed afresh) when an attempt was not sent at all (*NotSentError) or was
// refused (HTTP 429, or 503 with Retry-After); calls that are safe to repeat are also
// repeated after other temporary failures. It returns the 2xx body decoded into T, and
// the body itself. A 2xx body that does not decode is an *APIError returned with the
// body: the request did its work (a job may have run and been billed), so the body is not
// thrown away.
//
// For a call with createsJob, every error that leaves the job's existence open matches
// ErrJobMayExist (the cause, an *APIError when there was an answer, stays reachable): a
// failure after the request went out, HTTP 408 or a 5xx other than 501 and a refusal,
// and a 2xx body that does not decode (returned with the body). The caller wraps it in a
// *JobError naming the job. Nothing else does: a *NotSentError, a refusal (429, 503 with
// Retry-After) and any other answer are what they say.
func do[T any](ctx context.Context, c *Client, k call[T]) (*T, []byte, error) {
	policy := k.policy(c)
	for attempt := 0; ; attempt++ {
		v, body, wait, err := attemptOnce(ctx, c, k, attempt)
		if err == nil || body != nil {
			return v, body, err
		}
		if wait < 0 || attempt >= policy.MaxRetries {
			return nil, nil, err
		}
		if wait == 0 {
			wait = policy.backoff(attempt)
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "smileid retry", slog.String("op", string(k.op)), slog.Int("attempt", attempt+1),
			slog.Duration("wait", wait), slog.String("error", safeErrorText(err)))
		if serr := sleep(ctx, wait); serr != nil {
			var ns *NotSentError
			if errors.As(err, &ns) {
				// Nothing was sent, and nothing will be.
				return nil, nil, &NotSentError{Operation: k.op, Err: serr}
			}
			var apiErr *APIError
			if errors.As(err, &apiErr) {
				// Refused and not repeated: the server said what happened.
				return nil, nil, fmt.Errorf("smileid: %s: %w (after: %w)", k.op, serr, err)
			}
			return nil, nil, fmt.Errorf("smileid: %s: %w (after: %v)", k.op, serr, err)
		}
	}
}

// sendTrace records, through net/http/httptrace, how far a request got: whether the
// transport looked for a connection, got one, and wrote the request's headers. The hooks
// run on the transport's goroutines.
type sendTrace struct {
	getConn, gotConn, wrote atomic.Bool
}

func (t *sendTrace) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn:      func(string) { t.getConn.Store(true) },
		GotConn:      func(httptrace.GotConnInfo) { t.gotConn.Store(true) },
		WroteHeaders: func() { t.wrote.Store(true) },
		WroteRequest: func(httptrace.WroteRequestInfo) { t.wrote.Store(true) },
	}
}

// notSent reports whether the request certainly never reached the network: the transport
// looked for a connection and failed to get one (DNS, refused, TLS), or got one and wrote
// nothing. A transport that reports nothing (a RoundTripper of the partner's that does not
// use net/http's) proves nothing, so its failures count as possibly sent.
func (t *sendTrace) notSent() bool {
	return t.getConn.Load() && !t.wrote.Load()
}

// attemptOnce sends the call once. wait says what to do on error: -1 do not retry, 0 retry
// after the policy's backoff, > 0 retry after that long (Retry-After).
func attemptOnce[T any](ctx context.Context, c *Client, k call[T], attempt int) (*T, []byte, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		// Checked here, not left to the transport: an error it returns for an ended context
		// could not say whether the request went out.
		return nil, nil, -1, &NotSentError{Operation: k.op, Err: err}
	}
	timeout := k.timeout
	if timeout == 0 && k.cfg != nil {
		timeout = k.cfg.timeout
	}
	if timeout == 0 {
		timeout = c.cfg.timeout
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var tr sendTrace
	actx = httptrace.WithClientTrace(actx, tr.trace())
	start := time.Now()
	rsp, err := k.send(actx)
	if err != nil {
		err = sanitizeTransportError(err)
		c.logRequest(ctx, k.op, nil, attempt, start, err)
		if tr.notSent() {
			cause := err
			if ctx.Err() != nil {
				cause = ctx.Err()
			}
			return nil, nil, transportWait(ctx, err), &NotSentError{Operation: k.op, Err: cause}
		}
		wait := time.Duration(-1)
		if k.retryable {
			wait = transportWait(ctx, err)
		}
		return nil, nil, wait, k.failed(ctx, err)
	}
	body, err := readCapped(rsp.Body, maxResponseBody)
	rsp.Body.Close()
	c.logRequest(ctx, k.op, rsp, attempt, start, err)
	if err != nil {
		err = sanitizeTransportError(err)
		wait := time.Duration(-1)
		if k.retryable && !errors.Is(err, errBodyTooLarge) {
			wait = transportWait(ctx, err)
		}
		return nil, nil, wait, k.failed(ctx, fmt.Errorf("reading the response: %w", err))
	}
	if rsp.StatusCode < 200 || rsp.StatusCode > 299 {
		ra := parseRetryAfter(rsp.Header, c.cfg.now())
		apiErr := newAPIError(k.op, rsp.StatusCode, body, ra)
		switch {
		case refusal(rsp.StatusCode, rsp.Header):
			// The server did nothing and says when to come back: any call may repeat it.
			if ra > k.policy(c).maxRetryAfter() {
				return nil, nil, -1, apiErr
			}
			return nil, nil, ra, apiErr
		case k.createsJob && outcomeUnknown(rsp.StatusCode):
			// A gateway may have passed the request on, or the server failed after it
			// created the job: the job may exist.
			return nil, nil, -1, &mayExistError{op: k.op, err: apiErr}
		case k.retryable && retryableStatus(rsp.StatusCode):
			if ra > k.policy(c).maxRetryAfter() {
				return nil, nil, -1, apiErr
			}
			return nil, nil, ra, apiErr
		}
		return nil, nil, -1, apiErr
	}
	v := new(T)
	if k.noBody {
		return v, nil, 0, nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		// Decoded whatever the Content-Type says, as the official SDKs do.
		return nil, body, -1, k.unusable(&APIError{Operation: k.op, StatusCode: rsp.StatusCode,
			Message: "the response is not the documented JSON: " + clip(err.Error(), 200), Body: clipBytes(body, maxErrorBody)})
	}
	return v, body, 0, nil
}

// transportWait classifies a failed round trip: -1 when repeating cannot help.
func transportWait(ctx context.Context, err error) time.Duration {
	if ctx.Err() != nil || !retryableTransportError(err) {
		return -1
	}
	return 0
}

// unusable wraps the error of a 2xx answer the call cannot use: for a call that creates a
// job, the server did something (the job may exist and be billed) and the answer does not
// say what, so it is ErrJobMayExist, the *APIError reachable inside.
func (k call[T]) unusable(err error) error {
	if k.createsJob {
		return &mayExistError{op: k.op, err: err}
	}
	return err
}

// failed wraps a failure after the request was sent (at least in part) and before an
// answer arrived: the caller's context error when it ended, and ErrJobMayExist for calls
// that create a job, since the request may have arrived.
func (k call[T]) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	if k.createsJob {
		return &mayExistError{op: k.op, err: err}
	}
	return fmt.Errorf("smileid: %s: %w", k.op, err)
}

func clipBytes(b []byte, n int) []byte {
	if len(b) > n {
		b = b[:n]
	}
	return append([]byte(nil), b...)
}

func (c *Client) logRequest(ctx context.Context, op Operation, rsp *http.Response, attempt int, start time.Time, err error) {
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("op", string(op)), slog.Int("attempt", attempt+1), slog.Duration("duration", time.Since(start))}
	if rsp != nil {
		// A RoundTripper may return a response without its Request (many test doubles do).
		if rsp.Request != nil {
			attrs = append(attrs, slog.String("method", rsp.Request.Method), slog.String("url", redactURL(rsp.Request.URL)))
		}
		attrs = append(attrs, slog.Int("status", rsp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", safeErrorText(err)))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "smileid request", attrs...)
}

var errBodyTooLarge = errors.New("response body too large")

// errRedirect refuses a redirect of the upload that would lose its body or leave https.
var errRedirect = errors.New("refusing to follow a redirect of the upload")

// withRedirectPolicy returns a copy of hc (a new client when nil) that does not follow
// redirects of API requests (their bodies carry personal data and a signature; the v1 API
// does not redirect, so a 3xx is reported as an *APIError), and follows those of the zip
// upload only when they keep the method and body (307 and 308: S3 may send one to a
// regional endpoint) and only to https (plain http only from a loopback http upload URL to
// a loopback host, for tests). A 301, 302 or 303 would turn the PUT into a bodiless GET: it
// is an error. hc's own CheckRedirect, if any, is consulted after these rules.
func withRedirectPolicy(hc *http.Client) *http.Client {
	out := &http.Client{}
	if hc != nil {
		*out = *hc
	}
	userCheck := out.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if via[0].Method != http.MethodPut {
			return http.ErrUseLastResponse
		}
		if req.Response != nil && req.Response.StatusCode != http.StatusTemporaryRedirect && req.Response.StatusCode != http.StatusPermanentRedirect {
			return fmt.Errorf("%w: HTTP %d would turn the PUT into a GET without the zip (only 307 and 308 are followed)", errRedirect, req.Response.StatusCode)
		}
		if req.Method != http.MethodPut {
			return fmt.Errorf("%w: it changes the method to %s", errRedirect, req.Method)
		}
		switch {
		case req.URL.Scheme == "https":
		case req.URL.Scheme == "http" && via[0].URL.Scheme == "http" && isLoopback(via[0].URL.Hostname()) && isLoopback(req.URL.Hostname()):
		default:
			return fmt.Errorf("%w to a URL that is not https", errRedirect)
		}
		if len(via) >= 5 {
			return fmt.Errorf("%w: stopped after 5 redirects", errRedirect)
		}
		if userCheck != nil {
			return userCheck(req, via)
		}
		return nil
	}
	return out
}

// readCapped reads r to the end, failing if it holds more than limit bytes.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w (over %d bytes)", errBodyTooLarge, limit)
	}
	return b, nil
}

// retryableTransportError reports whether a failed round trip may succeed if repeated:
// timeouts, resets and refused connections may; certificate and protocol errors will not.
func retryableTransportError(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr),
		errors.As(err, &invalid), errors.As(err, &recordErr):
		return false
	case errors.Is(err, context.Canceled), errors.Is(err, errImageChanged), errors.Is(err, errRedirect):
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) && strings.Contains(ue.Err.Error(), "unsupported protocol scheme") {
		return false
	}
	return true
}

// servicesCache holds the services document for WithValidationAPI: the last one fetched,
// the fetch in flight that callers wait on, and the last failure, remembered briefly.
type servicesCache struct {
	mu       sync.Mutex
	doc      *Services
	fetched  time.Time
	inflight *servicesFetch
	failed   error     // the last fetch's error, until failedAt + servicesFailureTTL
	failedAt time.Time // when it failed
}

// servicesFetch is one fetch of the services document; done is closed when it ends.
type servicesFetch struct {
	done chan struct{}
	doc  *Services
	err  error
}
