// Package smileidtest is a fake Smile ID v1 server for tests and offline runs, in the
// spirit of net/http/httptest. It implements every operation of openapi/smileid.yaml and
// validates every request against the spec, checks signatures with the partner's API key,
// hands out upload URLs on itself, accepts the zip, checks its info.json and images, keeps
// the jobs, completes them after a number of polls or a delay, signs results like Smile ID,
// POSTs callbacks, injects faults and lets a test inspect what it received. It serves AML
// screening (POST /aml) and address verification (POST /async-verify-address) too, and
// accepts every shape an official SDK sends that Smile ID accepts (see Strict for the
// Go SDK's canonical form). Operations are named with smileid's Operation constants.
//
//	srv := smileidtest.NewServer(t)
//	client, _ := smileid.NewClient(srv.PartnerID, srv.APIKey, srv.ClientOptions()...)
//
// Outcomes follow the sandbox's convention: partner_params.sandbox_result "0" (or unset)
// approves, "1" rejects and "2" gives a provisional result (awaiting human review).
// ResultCodes documented by Smile ID are used where they exist (1210 Biometric KYC
// approved, 0810 SmartSelfie enrolled, 1012 ID and business verified, 1013 ID not
// found); the codes of other outcomes are undocumented and the fake uses stand-ins from
// the same families, marked Source "smileidtest". Decide on job_success and Actions, as
// Smile ID advises.
package smileidtest

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/smileidentity/smile-identity-core-go/generated"
	"github.com/smileidentity/smile-identity-core-go/openapi"
	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// Default credentials of the fake. They are test values, not secrets.
const (
	DefaultPartnerID = "212"
	DefaultAPIKey    = "smileidtest-api-key-0000"
)

// Server is a running fake. Its fields are read-only.
type Server struct {
	// URL is the v1 base URL to give smileid.WithBaseURL, ending in "/v1".
	URL string
	// PartnerID and APIKey are the credentials the fake accepts.
	PartnerID string
	APIKey    string

	cfg    config
	tb     testing.TB
	http   *httptest.Server
	doc    *openapi3.T
	sig    *smileid.Signature
	routes map[string]*routers.Route    // "POST /upload" -> route in the spec
	ops    map[string]smileid.Operation // "POST /upload" -> smileid.OpUpload
	known  map[smileid.Operation]bool   // every operation the fake serves, OpUploadZip included
	logf   func(format string, args ...any)

	mu        sync.Mutex
	jobs      map[string]*job // by job_id
	order     []string        // job ids in creation order
	requests  []Request
	retained  []retainedItem // bodies and images kept, oldest first (with WithRetention)
	keptBytes int64
	faults    map[smileid.Operation][]Fault
	callbacks []CallbackDelivery
	nextJob   int
	cbWG      sync.WaitGroup
	closed    bool

	clockMu     sync.Mutex
	lastStamp   time.Time // the latest timestamp the fake signed an answer over
	lastRequest time.Time // the latest timestamp a signed request carried
}

// stamp returns the timestamp to sign an answer or a callback over: now, but always
// later than every timestamp signed before and every request timestamp seen, so that an
// answer's signature is never the one its request carried (on loopback both can fall in
// the same millisecond, and the SDK refuses an echoed signature).
func (s *Server) stamp() string {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	t := time.Now().UTC().Truncate(time.Millisecond)
	if floor := s.lastStamp.Add(time.Millisecond); t.Before(floor) {
		t = floor
	}
	if floor := s.lastRequest.Add(time.Millisecond); t.Before(floor) {
		t = floor
	}
	s.lastStamp = t
	return smileid.Timestamp(t)
}

// sawRequestTime notes a signed request's timestamp for stamp.
func (s *Server) sawRequestTime(ts string) {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return
	}
	s.clockMu.Lock()
	if t.After(s.lastRequest) && t.Before(time.Now().Add(time.Hour)) {
		s.lastRequest = t.UTC().Truncate(time.Millisecond)
	}
	s.clockMu.Unlock()
}

type config struct {
	partnerID, apiKey string
	plainHTTP         bool
	addr              string
	pollsBeforeDone   int
	completeAfter     time.Duration
	allowViolations   bool
	strict            bool
	retain            int64 // bytes of bodies and images kept; 0: all
	callbackClient    *http.Client
	services          *generated.ServicesResponse
	logf              func(format string, args ...any)
}

// Option configures a fake.
type Option func(*config)

// WithCredentials sets the partner ID and API key the fake accepts.
func WithCredentials(partnerID, apiKey string) Option {
	return func(c *config) { c.partnerID, c.apiKey = partnerID, apiKey }
}

// WithPlainHTTP serves plain HTTP instead of TLS.
func WithPlainHTTP() Option { return func(c *config) { c.plainHTTP = true } }

// WithAddr listens on addr (for example "127.0.0.1:8080") instead of a random loopback port.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithCompletion sets when an uploaded job completes: after it has been polled pending
// that many times, or that long after its zip arrived, whichever comes first. The default
// is 1 pending poll or 1 second, so that a client's waiting path runs, fast with the
// FastPollPolicy of ClientOptions. WithCompletion(0, 0) completes jobs as soon as their zip
// arrives.
func WithCompletion(pendingPolls int, after time.Duration) Option {
	return func(c *config) { c.pollsBeforeDone, c.completeAfter = pendingPolls, after }
}

// WithLogf sets where a fake started with Start reports a failure of its own (a recovered
// panic in a handler); the default is the standard logger. Request bodies are never
// logged: they carry personal data.
func WithLogf(logf func(format string, args ...any)) Option {
	return func(c *config) { c.logf = logf }
}

// WithCallbackClient sets the HTTP client the fake POSTs callbacks with (for example the
// Client of an httptest TLS server receiving them).
func WithCallbackClient(hc *http.Client) Option { return func(c *config) { c.callbackClient = hc } }

// WithServices replaces the services document the fake serves and validates ID types
// against.
func WithServices(doc *generated.ServicesResponse) Option {
	return func(c *config) { c.services = doc }
}

// DefaultStartRetention is how much a fake started with Start keeps of what it received
// (WithRetention): 256 MiB.
const DefaultStartRetention = 256 << 20

// WithRetention bounds what the fake keeps of what it received, so that a fake serving
// for a long time (a load test, `smileid fake`) does not grow without end: the bodies of
// requests and the images of jobs' zips, the most recent first, up to maxBytes in all.
// Older ones are dropped: Request.Body is then nil (BodyDropped), Image reports false,
// the job's Manifest loses its base64 images (Job.ImagesDropped) and its image links
// answer 403, as expired links do. Jobs, statuses, results and callbacks are kept. 0 keeps everything: the default of NewServer, whose
// tests inspect what they sent; Start keeps DefaultStartRetention.
func WithRetention(maxBytes int64) Option { return func(c *config) { c.retain = max(maxBytes, 0) } }

// Strict makes the fake also refuse what Smile ID accepts but a canonical client never
// sends, for the Go SDK's own tests (be conservative in what you send): zip entries that
// info.json does not name (Python's base64imgString entries) and duplicate entries.
func Strict() Option { return func(c *config) { c.strict = true } }

// AllowSpecViolations stops NewServer from failing the test when a request breaks the
// spec; the fake still answers it with HTTP 400. For tests of bad requests.
func AllowSpecViolations() Option { return func(c *config) { c.allowViolations = true } }

// NewServer starts a fake for a test, over TLS on a loopback port unless WithPlainHTTP or
// WithAddr say otherwise, and closes it when the test ends. A request that breaks the spec,
// or a zip the fake cannot accept, fails the test (see AllowSpecViolations).
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := start(tb, opts)
	if err != nil {
		tb.Fatalf("smileidtest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Start starts a fake outside a test (for example for `smileid fake`). Close it when done.
func Start(opts ...Option) (*Server, error) { return start(nil, opts) }

func start(tb testing.TB, opts []Option) (*Server, error) {
	cfg := config{partnerID: DefaultPartnerID, apiKey: DefaultAPIKey, pollsBeforeDone: 1, completeAfter: time.Second, logf: log.Printf}
	if tb == nil {
		cfg.retain = DefaultStartRetention
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.services == nil {
		cfg.services = DefaultServices()
	}
	doc, err := openapi3.NewLoader().LoadFromData(openapi.Spec)
	if err != nil {
		return nil, fmt.Errorf("loading the spec: %w", err)
	}
	s := &Server{
		PartnerID: cfg.partnerID, APIKey: cfg.apiKey,
		cfg: cfg, tb: tb, doc: doc, sig: smileid.NewSignature(cfg.partnerID, cfg.apiKey),
		routes: map[string]*routers.Route{}, ops: map[string]smileid.Operation{},
		known: map[smileid.Operation]bool{smileid.OpUploadZip: true},
		jobs:  map[string]*job{}, faults: map[smileid.Operation][]Fault{}, logf: cfg.logf,
	}
	for path, item := range doc.Paths.Map() {
		if len(item.Servers) > 0 {
			continue // served elsewhere (the presigned upload URL)
		}
		for method, op := range item.Operations() {
			if op.Servers != nil && len(*op.Servers) > 0 {
				continue
			}
			key := method + " " + path
			s.routes[key] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
			name, ok := specOps[key]
			if !ok {
				// An operation the spec gained and smileid has no name for yet: it is
				// served (answered 501 until the fake implements it) under its operationId.
				name = smileid.Operation(op.OperationID)
			}
			s.ops[key] = name
			s.known[name] = true
		}
	}
	mux := http.NewServeMux()
	for key := range s.routes {
		method, path, _ := strings.Cut(key, " ")
		mux.HandleFunc(method+" /v1"+path, s.serveAPI)
	}
	mux.HandleFunc("PUT /uploads/{job}/{file}", s.serveUpload)
	mux.HandleFunc("GET /images/{job}/{file}", s.serveImage)
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openapi.Spec)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.record(Request{Op: "unknown", Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Time: time.Now()})
		writeJSON(w, http.StatusNotFound, errorBody("2213", "no such endpoint: "+r.Method+" "+r.URL.Path))
	})

	hs := httptest.NewUnstartedServer(s.recoverer(mux))
	if cfg.addr != "" {
		l, err := net.Listen("tcp", cfg.addr)
		if err != nil {
			hs.Listener.Close()
			return nil, err
		}
		hs.Listener.Close()
		hs.Listener = l
	}
	if cfg.plainHTTP {
		hs.Start()
	} else {
		hs.StartTLS()
	}
	s.http = hs
	s.URL = hs.URL + "/v1"
	return s, nil
}

// Close stops the fake: it stops accepting requests and waits for the requests and the
// callbacks in flight (a callback gives up after 10 s), so that a callback sent just
// before Close still arrives.
func (s *Server) Close() {
	if !s.markClosed() {
		return
	}
	s.http.Close()
	s.cbWG.Wait()
}

// markClosed marks the fake closed and stops its timers; false if it was already.
func (s *Server) markClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.closed = true
	for _, j := range s.jobs {
		if j.timer != nil {
			j.timer.Stop()
		}
	}
	return true
}

// Client returns an HTTP client that trusts the fake's TLS certificate.
func (s *Server) Client() *http.Client { return s.http.Client() }

// TLS reports whether the fake serves TLS.
func (s *Server) TLS() bool { return s.http.TLS != nil }

// Certificate returns the fake's TLS certificate (nil over plain HTTP), for clients that
// must trust it by other means, such as a file named by SSL_CERT_FILE.
func (s *Server) Certificate() *x509.Certificate {
	if !s.TLS() {
		return nil
	}
	return s.http.Certificate()
}

// ClientOptions returns the smileid options that point a client at the fake:
// WithBaseURL(s.URL) and WithHTTPClient(s.Client()). The client keeps smileid's
// production waits (polls 2 s apart); NewClient is the fast choice for tests.
func (s *Server) ClientOptions() []smileid.Option {
	return []smileid.Option{smileid.WithBaseURL(s.URL), smileid.WithHTTPClient(s.Client())}
}

// FastPollPolicy polls every 5 to 50 ms, for up to 30 s: a job of the fake completes within
// a few polls (see WithCompletion), so a test never sleeps for Smile ID's seconds.
func FastPollPolicy() smileid.PollPolicy {
	return smileid.PollPolicy{InitialInterval: 5 * time.Millisecond, MaxInterval: 50 * time.Millisecond, MaxWait: 30 * time.Second, MaxErrors: 3}
}

// FastRetryPolicy retries as DefaultRetryPolicy does, twice, but after 1 and 2 ms, and
// gives up at once on a Retry-After longer than a second.
func FastRetryPolicy() smileid.RetryPolicy {
	return smileid.RetryPolicy{MaxRetries: 2, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxRetryAfter: time.Second}
}

// NewClient returns a smileid client for the fake's partner that keeps tests fast:
// ClientOptions, FastPollPolicy and FastRetryPolicy, then opts (which override them).
func (s *Server) NewClient(opts ...smileid.Option) (*smileid.Client, error) {
	base := append(s.ClientOptions(), smileid.WithPollPolicy(FastPollPolicy()), smileid.WithRetryPolicy(FastRetryPolicy()))
	return smileid.NewClient(s.PartnerID, s.APIKey, append(base, opts...)...)
}

// Request is a request the fake received.
type Request struct {
	Op     smileid.Operation // smileid.OpUpload, OpUploadZip (the PUT of the zip)...; "unknown" for no operation
	Method string
	Path   string
	Header http.Header
	Body   []byte // as received (the zip for uploadZip); nil once dropped (WithRetention)
	Time   time.Time
	// BodyDropped says Body was dropped to keep within WithRetention.
	BodyDropped bool
	// Problem says why the fake refused the request ("" when it accepted it): a spec
	// violation, a bad signature, an injected fault...
	Problem string
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestsFor returns the requests of one operation. An operation the fake does not serve
// fails the test (it would match nothing, and a test asserting that nothing was sent
// would pass for the wrong reason).
func (s *Server) RequestsFor(op smileid.Operation) []Request {
	if s.tb != nil {
		s.tb.Helper()
	}
	s.mustKnow("RequestsFor", op)
	var out []Request
	for _, r := range s.Requests() {
		if r.Op == op {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) record(r Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	idx := len(s.requests) - 1
	if len(r.Body) > 0 {
		s.retainLocked(retainedItem{request: idx, n: int64(len(r.Body))})
	}
	return idx
}

// retainedItem is a request's body (job nil) or the images of a job's zip number zip.
type retainedItem struct {
	request int
	job     *job
	zip     int
	n       int64
}

// retainLocked counts it as kept and, with WithRetention, drops the oldest items kept
// until the rest fit (the newest always stays).
func (s *Server) retainLocked(it retainedItem) {
	if s.cfg.retain <= 0 {
		return
	}
	s.retained = append(s.retained, it)
	s.keptBytes += it.n
	for s.keptBytes > s.cfg.retain && len(s.retained) > 1 {
		old := s.retained[0]
		s.retained[0] = retainedItem{}
		s.retained = s.retained[1:]
		s.keptBytes -= old.n
		if old.job != nil {
			old.job.dropImages(old.zip)
		} else {
			s.requests[old.request].Body = nil
			s.requests[old.request].BodyDropped = true
		}
	}
}

func (s *Server) setProblem(i int, problem string) {
	s.mu.Lock()
	s.requests[i].Problem = problem
	s.mu.Unlock()
}

// Fault is a failure to inject into the next calls of an operation.
type Fault struct {
	Status         int           // answer with this HTTP status (and Body) instead of serving
	Body           string        // the body of Status; a Smile ID error envelope when empty
	RetryAfter     string        // a Retry-After header for Status
	Delay          time.Duration // wait this long first (the request's context permitting)
	DropConnection bool          // close the connection without answering
	BadSignature   bool          // serve normally but sign the response with the wrong key

	// AfterProcessing applies Status or DropConnection after the fake has processed the
	// request: the job is created (or the zip accepted, the poll counted...) but the
	// answer is lost, as when a connection breaks after Smile ID committed. This is the
	// case a client must reconcile (smileid.ErrJobMayExist); without it a fault replaces
	// the processing and nothing happens on the server.
	AfterProcessing bool
}

// InjectFault makes the next n calls of op fail with f. An operation the fake does not
// serve fails the test (a fault that could never apply would let the test pass for the
// wrong reason); outside a test (Start) it panics.
func (s *Server) InjectFault(op smileid.Operation, n int, f Fault) {
	if s.tb != nil {
		s.tb.Helper()
	}
	s.mustKnow("InjectFault", op)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.faults[op] = append(s.faults[op], f)
	}
}

// Operations returns the operations the fake serves: those of smileid.Operations that the
// spec describes, OpUploadZip included.
func (s *Server) Operations() []smileid.Operation {
	var out []smileid.Operation
	for _, op := range smileid.Operations() {
		if s.known[op] {
			out = append(out, op)
		}
	}
	return out
}

// mustKnow fails the test (or panics outside one) when op is no operation of the fake.
func (s *Server) mustKnow(method string, op smileid.Operation) {
	if s.known[op] {
		return
	}
	msg := fmt.Sprintf("smileidtest: %s(%q): the fake serves no such operation; use a smileid.Op constant (%v)", method, string(op), s.Operations())
	if s.tb != nil {
		s.tb.Helper()
		s.tb.Fatal(msg)
		return
	}
	panic(msg)
}

// specOps names the spec's operations with smileid's vocabulary, by method and path (the
// spec's operationIds are its own business).
var specOps = map[string]smileid.Operation{
	"POST /upload":                      smileid.OpUpload,
	"POST /job_status":                  smileid.OpJobStatus,
	"POST /id_verification":             smileid.OpIDVerification,
	"POST /async_id_verification":       smileid.OpAsyncIDVerification,
	"POST /business_verification":       smileid.OpBusinessVerification,
	"POST /async_business_verification": smileid.OpAsyncBusinessVerification,
	"POST /token":                       smileid.OpToken,
	"GET /services":                     smileid.OpServices,
	"POST /valid_documents":             smileid.OpValidDocuments,
	"POST /aml":                         smileid.OpAML,
	"POST /async-verify-address":        smileid.OpAddressVerification,
}

func (s *Server) takeFault(op smileid.Operation) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[op]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.faults[op] = q[1:]
	return q[0], true
}

// applyFault serves a fault; it reports whether the request was answered.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault, reqIndex int) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			s.setProblem(reqIndex, "injected delay; the client gave up")
			return true
		case <-t.C:
		}
	}
	what := "injected"
	if f.AfterProcessing {
		what = "injected after processing"
	}
	switch {
	case f.DropConnection:
		s.setProblem(reqIndex, what+": connection dropped")
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	case f.Status != 0:
		s.setProblem(reqIndex, fmt.Sprintf("%s: HTTP %d", what, f.Status))
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		body := f.Body
		if body == "" {
			b, _ := json.Marshal(errorBody("2201", "injected fault"))
			body = string(b)
		}
		if json.Valid([]byte(body)) {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, body)
		return true
	}
	return false
}

// fail reports a problem the test should see: the request broke the spec, or the zip
// could not be accepted.
func (s *Server) fail(format string, args ...any) {
	if s.tb != nil && !s.cfg.allowViolations {
		s.tb.Errorf("smileidtest: "+format, args...)
	}
}

// serveAPI serves every operation of the spec.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	key := r.Method + " " + strings.TrimPrefix(r.URL.Path, "/v1")
	route, op := s.routes[key], s.ops[key]
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		return
	}
	idx := s.record(Request{Op: op, Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Time: time.Now()})
	// Every request is checked against the spec, those that meet an injected fault too.
	if problem := s.validate(r, route, body); problem != "" {
		s.setProblem(idx, problem)
		s.fail("%s %s breaks the spec: %s", r.Method, r.URL.Path, problem)
		writeJSON(w, http.StatusBadRequest, errorBody("2213", "the request does not match the API: "+problem))
		return
	}
	f, faulty := s.takeFault(op)
	if faulty && !f.AfterProcessing && s.applyFault(w, r, f, idx) {
		return
	}
	if r.Method == http.MethodPost && !s.authorized(op, r, body) {
		s.setProblem(idx, "unauthorized: the partner ID or the signature does not match")
		writeJSON(w, http.StatusUnauthorized, errorBody("2205", "You are not authorized to do that."))
		return
	}
	rw := &responseRecorder{header: http.Header{}}
	s.dispatch(rw, op, r, canonical(body))
	s.checkResponse(r, route, rw, body)
	if faulty && f.BadSignature {
		rw.body = resign(rw.body, smileid.NewSignature(s.PartnerID, "not-"+s.APIKey))
		s.setProblem(idx, "injected: response signed with the wrong key")
	}
	if rw.status >= 300 {
		var e generated.Error
		if json.Unmarshal(rw.body, &e) == nil {
			s.setProblem(idx, e.Error)
		}
	}
	if faulty && f.AfterProcessing && s.applyFault(w, r, f, idx) {
		return
	}
	for k, v := range rw.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rw.status)
	_, _ = w.Write(rw.body)
}

// authorized checks a POST's partner ID and signature: in the body (smile_client_id for
// prep upload, partner_id elsewhere), or in the smileid-* headers for address verification.
func (s *Server) authorized(op smileid.Operation, r *http.Request, body []byte) bool {
	var partner, ts, sig string
	if op == smileid.OpAddressVerification {
		partner, ts, sig = r.Header.Get("smileid-partner-id"), r.Header.Get("smileid-timestamp"), r.Header.Get("smileid-request-signature")
	} else {
		var env map[string]json.RawMessage
		_ = json.Unmarshal(body, &env)
		field := "partner_id"
		if op == smileid.OpUpload {
			field = "smile_client_id"
		}
		partner, ts, sig = scalarText(env[field]), scalarText(env["timestamp"]), scalarText(env["signature"])
	}
	s.sawRequestTime(ts)
	return partner == s.PartnerID && s.sig.Confirm(ts, sig)
}

// scalarText is a JSON string's value or a number's text (Python sends a partner ID given
// as a number as one, and signs its decimal text); "" otherwise.
func scalarText(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strings.TrimSpace(string(raw))
	}
	return ""
}

// recoverer turns a panic of a handler into an HTTP 500 and a report (a test failure
// under NewServer, a log line under Start); the fake keeps serving. Every lock of the fake
// is released by defer, so a panic leaves none held.
func (s *Server) recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.internalError(fmt.Sprintf("serving %s %s", r.Method, r.URL.Path), v)
			writeJSON(w, http.StatusInternalServerError, errorBody("2201", "internal error of the fake"))
		}()
		h.ServeHTTP(w, r)
	})
}

// internalError reports a recovered panic of the fake: a failure of the test using it
// (NewServer), or a log line (Start). It never includes request bodies.
func (s *Server) internalError(what string, v any) {
	msg := fmt.Sprintf("smileidtest: internal error %s: %v\n%s", what, v, debug.Stack())
	if s.tb != nil {
		s.tb.Errorf("%s", msg)
		return
	}
	s.logf("%s", msg)
}

// safely runs f, reporting a panic instead of crashing the process (for the fake's own
// goroutines: timers and callbacks).
func (s *Server) safely(what string, f func()) {
	defer func() {
		if v := recover(); v != nil {
			s.internalError(what, v)
		}
	}()
	f()
}

func (s *Server) dispatch(w *responseRecorder, op smileid.Operation, _ *http.Request, body []byte) {
	switch op {
	case smileid.OpUpload:
		s.upload(w, body)
	case smileid.OpJobStatus:
		s.jobStatus(w, body)
	case smileid.OpIDVerification, smileid.OpBusinessVerification:
		s.idVerification(w, body, false)
	case smileid.OpAsyncIDVerification, smileid.OpAsyncBusinessVerification:
		s.idVerification(w, body, true)
	case smileid.OpToken:
		s.token(w, body)
	case smileid.OpServices:
		writeJSON(w, http.StatusOK, s.cfg.services)
	case smileid.OpAML:
		s.aml(w, body)
	case smileid.OpAddressVerification:
		s.addressVerification(w, body)
	case smileid.OpValidDocuments:
		writeJSON(w, http.StatusOK, defaultValidDocuments())
	default:
		writeJSON(w, http.StatusNotImplemented, errorBody("2201", "operation "+string(op)+" is not implemented by the fake"))
	}
}

// validate checks a request against the spec; it returns "" when the request is valid.
func (s *Server) validate(r *http.Request, route *routers.Route, body []byte) string {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	opts := &openapi3filter.Options{MultiError: true, RejectWhenRequestBodyNotSpecified: true}
	opts.WithCustomSchemaErrorFunc(schemaError)
	err := openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{Request: req, Route: route, Options: opts})
	if err == nil {
		return ""
	}
	return oneLine(err)
}

// checkResponse validates the fake's own answer against the spec, so that the fake cannot
// drift from it either.
func (s *Server) checkResponse(r *http.Request, route *routers.Route, rw *responseRecorder, body []byte) {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	opts := &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}
	opts.WithCustomSchemaErrorFunc(schemaError)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route, Options: &openapi3filter.Options{ExcludeRequestBody: true}},
		Status:                 rw.status, Header: rw.header, Options: opts,
	}
	in.SetBodyBytes(rw.body)
	if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
		msg := fmt.Sprintf("smileidtest: the fake's own %s answer breaks the spec: %s", route.Operation.OperationID, oneLine(err))
		if s.tb != nil {
			s.tb.Errorf("%s", msg)
		} else {
			s.logf("%s", msg)
		}
	}
}

func schemaError(e *openapi3.SchemaError) string {
	return "/" + strings.Join(e.JSONPointer(), "/") + ": " + e.Reason
}

func oneLine(err error) string {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		parts := make([]string, 0, len(me))
		for _, e := range me {
			parts = append(parts, oneLine(e))
		}
		return strings.Join(parts, "; ")
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return schemaError(se)
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Err != nil {
		if inner := oneLine(re.Err); inner != "" {
			return inner
		}
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// responseRecorder buffers an answer so that it can be checked (and tampered with for
// faults) before it is sent.
type responseRecorder struct {
	header http.Header
	status int
	body   []byte
}

func (rw *responseRecorder) Header() http.Header { return rw.header }

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"2201","error":"the fake could not encode its answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	if rw, ok := w.(*responseRecorder); ok {
		rw.status, rw.body = status, b
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (rw *responseRecorder) Write(b []byte) (int, error) {
	rw.body = append(rw.body, b...)
	return len(b), nil
}
func (rw *responseRecorder) WriteHeader(status int) { rw.status = status }

func errorBody(code, msg string) generated.Error {
	var c generated.SmileCode
	_ = c.FromSmileCodeText(code)
	return generated.Error{Code: c, Error: msg}
}

// resign replaces the signature of a signed JSON answer with sig's.
func resign(body []byte, sig *smileid.Signature) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	var ts string
	if json.Unmarshal(m["timestamp"], &ts) != nil {
		return body
	}
	m["signature"], _ = json.Marshal(sig.Generate(ts))
	out, _ := json.Marshal(m)
	return out
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// baseHost returns the fake's scheme and host ("https://127.0.0.1:1234").
func (s *Server) baseHost() string {
	u, _ := url.Parse(s.http.URL)
	return u.Scheme + "://" + u.Host
}

// canonical rewrites a JSON request (or info.json) that the spec accepted into the one
// form the generated Go types decode, so that the fake reads every official SDK's shapes:
// entered as a boolean ("true"/"false"), job_type and image_type_id as numeric strings
// (numbers), model_parameters "" ({}), and nulls (absent). Anything it cannot parse is
// returned unchanged.
func canonical(raw []byte) []byte {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return raw
	}
	out, err := json.Marshal(canon(v, ""))
	if err != nil {
		return raw
	}
	return out
}

func canon(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				continue
			}
			x[k] = canon(e, k)
		}
	case []any:
		for i := range x {
			x[i] = canon(x[i], "")
		}
	case bool:
		if key == "entered" {
			return strconv.FormatBool(x)
		}
	case string:
		switch key {
		case "job_type", "image_type_id":
			if n, err := strconv.Atoi(x); err == nil {
				return n
			}
		case "model_parameters":
			if x == "" {
				return map[string]any{}
			}
		}
	}
	return v
}
