package smileid

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// MaxCallbackSize is the largest callback body the callback handlers read. Smile ID asks
// receivers to accept 1.5 MB (ID lookups carry photos); this leaves room.
const MaxCallbackSize = 8 << 20

// DefaultMaxCallbackAge is how far from now a callback's signed timestamp may be (in the
// past or the future) for the offline checks (CheckCallbackSignature,
// OfflineCallbackHandler) unless WithMaxCallbackAge or WithoutCallbackAgeLimit says
// otherwise.
const DefaultMaxCallbackAge = time.Hour

// DefaultConfirmedCallbackAge is the age limit of Client.CallbackHandler and
// Client.ConfirmCallback unless WithMaxCallbackAge or WithoutCallbackAgeLimit says
// otherwise. They take the result from Smile ID's API, so an old pair gains a forger no
// result, and the limit is long, so that a genuine callback delivered late is not lost;
// but each callback they check costs a job status request, and without a limit one
// leaked pair would let anyone make your server send status requests forever.
const DefaultConfirmedCallbackAge = 24 * time.Hour

// maxJobsPerSignedInstant is how many jobs one signed instant may name in the callbacks
// Client.CallbackHandler confirms; beyond, a callback is refused without a status
// request. Smile ID signs each callback over its own "now": a genuine instant names one
// job (a few, if jobs completed in the same millisecond), where one leaked pair attached
// to bodies naming job after job would otherwise cost a status request each.
const maxJobsPerSignedInstant = 4

// SignedCallback is a callback body whose (timestamp, signature) pair was made with this
// partner's API key. That is all it proves: Smile ID signs the same text,
// timestamp + partner_id + "sid_request", that every request of the partner carries, and
// the body is not covered. Anyone who saw one signed request or answer (a log, a mobile
// app, a proxy) can attach that pair to a body of their choosing for a few minutes. Treat
// Result and Status as claims; Client.CallbackHandler confirms them with Smile ID.
type SignedCallback struct {
	// Result is the result the body claims. Smile ID sends it at the top level of the
	// body, or, for some products, inside a job status ({job_complete, job_success,
	// result...}).
	Result *JobResult
	// Status is set when the body came in the job status shape.
	Status *generated.JobStatusResponse
	// Timestamp is the text the pair was signed over.
	Timestamp string
	// Raw is the body as received.
	Raw json.RawMessage
}

// JobID returns the body's partner_params.job_id ("" when absent).
func (cb *SignedCallback) JobID() string {
	if cb.Result != nil && cb.Result.PartnerParams != nil {
		return cb.Result.PartnerParams.JobID
	}
	return ""
}

// UserID returns the body's partner_params.user_id ("" when absent).
func (cb *SignedCallback) UserID() string {
	if cb.Result != nil && cb.Result.PartnerParams != nil {
		return cb.Result.PartnerParams.UserID
	}
	return ""
}

// ErrCallbackFormat is returned (wrapped) for a callback body that is not a signed JSON
// object, has a key twice (also in another letter case), or has no job to confirm.
var ErrCallbackFormat = errors.New("smileid: the callback is not a signed Smile ID result")

// ErrCallbackTooOld is returned (wrapped) for a callback whose signed timestamp is further
// from now than the age limit (DefaultMaxCallbackAge, or WithMaxCallbackAge).
var ErrCallbackTooOld = errors.New("smileid: the callback's timestamp is outside the age limit")

// ErrCallbackNotConfirmed is returned (wrapped in a *CallbackNotConfirmedError) when Smile
// ID's job status does not confirm a callback: the job is unknown, not complete, or
// complete with another outcome.
var ErrCallbackNotConfirmed = errors.New("smileid: Smile ID does not confirm the callback")

// CallbackNotConfirmedError is a callback whose claim Smile ID's signed job status does
// not confirm. It matches ErrCallbackNotConfirmed with errors.Is. Pending is true when the
// job is known but not complete yet: a later delivery may be confirmed.
type CallbackNotConfirmedError struct {
	JobID, UserID string
	Pending       bool
	Reason        string
}

func (e *CallbackNotConfirmedError) Error() string {
	return fmt.Sprintf("%v: job_id %q: %s", ErrCallbackNotConfirmed, clip(oneLineText(e.JobID), 80), e.Reason)
}

// Is makes errors.Is(err, ErrCallbackNotConfirmed) true.
func (e *CallbackNotConfirmedError) Is(target error) bool { return target == ErrCallbackNotConfirmed }

// CallbackOption configures the checks of callbacks. Build it with WithMaxCallbackAge,
// WithoutCallbackAgeLimit, WithCallbackClock or OnCallbackRefused.
type CallbackOption struct{ apply func(*callbackConfig) }

type callbackConfig struct {
	maxAge    time.Duration // 0: no limit
	now       func() time.Time
	onRefused func(context.Context, error)
	dedupe    int
}

// newCallbackConfig applies opts over the defaults, maxAge being the default age limit.
func newCallbackConfig(opts []CallbackOption, maxAge time.Duration) callbackConfig {
	cfg := callbackConfig{maxAge: maxAge, now: time.Now, dedupe: defaultDedupeSize}
	for _, o := range opts {
		if o.apply != nil {
			o.apply(&cfg)
		}
	}
	return cfg
}

// WithMaxCallbackAge refuses callbacks signed more than d ago or more than d in the future
// (see DefaultMaxCallbackAge for the defaults). d <= 0 keeps the default;
// WithoutCallbackAgeLimit turns the check off.
func WithMaxCallbackAge(d time.Duration) CallbackOption {
	return CallbackOption{func(c *callbackConfig) {
		if d > 0 {
			c.maxAge = d
		}
	}}
}

// WithoutCallbackAgeLimit turns the age limit off: any signed pair ever seen can then be
// replayed, to the offline checks (CheckCallbackSignature, OfflineCallbackHandler) as a
// claim, to Client.CallbackHandler and Client.ConfirmCallback as a job status request
// each (see DefaultConfirmedCallbackAge).
func WithoutCallbackAgeLimit() CallbackOption {
	return CallbackOption{func(c *callbackConfig) { c.maxAge = 0 }}
}

// WithCallbackClock sets the clock the age limit is measured with (default time.Now).
func WithCallbackClock(now func() time.Time) CallbackOption {
	return CallbackOption{func(c *callbackConfig) {
		if now != nil {
			c.now = now
		}
	}}
}

// OnCallbackRefused calls f with the reason of every callback a handler refuses (a bad
// signature, an unconfirmed result, a failure of your function...), to log or count them.
// The error never contains the body, the signature or the API key. f runs before the
// handler answers.
func OnCallbackRefused(f func(ctx context.Context, err error)) CallbackOption {
	return CallbackOption{func(c *callbackConfig) { c.onRefused = f }}
}

// callbackTime parses a callback timestamp: ISO 8601, or epoch milliseconds.
func callbackTime(ts string) (time.Time, bool) {
	if ms, err := strconv.ParseInt(ts, 10, 64); err == nil {
		return time.UnixMilli(ms), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02 15:04:05 -0700"} {
		if t, err := time.Parse(layout, ts); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// CheckCallbackSignature checks, offline, that the sender of a callback body knew a
// (timestamp, signature) pair made with this partner's API key, within the age limit
// (DefaultMaxCallbackAge unless an option says otherwise), and decodes the body. It does
// not prove that Smile ID sent this body: see SignedCallback. Prefer Client.ConfirmCallback
// or Client.CallbackHandler, which confirm the result with Smile ID.
//
// The body is decoded by exact key: a key that appears twice in one object, also in
// another letter case ("PartnerParams" and "partnerparams"), or a known key in another
// letter case is refused, so that every reader of Raw sees what Result says. A pair that
// does not match is an error wrapping ErrSignatureMismatch; one outside the age limit
// wraps ErrCallbackTooOld; a body without signature or timestamp, that is not JSON, or has
// such keys, wraps ErrCallbackFormat. A body whose pair verifies but whose result does not
// decode is returned as a SignedCallback with only Raw and Timestamp, along with an error
// wrapping ErrCallbackFormat.
func (s *Signature) CheckCallbackSignature(body []byte, opts ...CallbackOption) (*SignedCallback, error) {
	cfg := newCallbackConfig(opts, DefaultMaxCallbackAge)
	return s.checkCallback(body, &cfg)
}

// CheckCallbackSignature is NewSignature(partnerID, apiKey).CheckCallbackSignature(body,
// opts...).
func CheckCallbackSignature(partnerID, apiKey string, body []byte, opts ...CallbackOption) (*SignedCallback, error) {
	return NewSignature(partnerID, apiKey).CheckCallbackSignature(body, opts...)
}

func (s *Signature) checkCallback(body []byte, cfg *callbackConfig) (*SignedCallback, error) {
	var env struct {
		Signature *string                      `json:"signature"`
		Timestamp *generated.ResponseTimestamp `json:"timestamp"`
		Result    json.RawMessage              `json:"result"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCallbackFormat, err)
	}
	if env.Signature == nil || env.Timestamp == nil {
		return nil, fmt.Errorf("%w: it has no signature or timestamp", ErrCallbackFormat)
	}
	ts := signedText(env.Timestamp)
	if ts == "" {
		return nil, fmt.Errorf("%w: its timestamp is neither a string nor a number", ErrCallbackFormat)
	}
	if !s.confirmResponse(ts, *env.Signature) {
		return nil, fmt.Errorf("smileid: callback: %w", ErrSignatureMismatch)
	}
	if cfg.maxAge > 0 {
		t, ok := callbackTime(ts)
		if age := cfg.now().Sub(t); !ok || age > cfg.maxAge || -age > cfg.maxAge {
			return nil, fmt.Errorf("smileid: callback: %w (signed at %q, limit %s)", ErrCallbackTooOld, clip(oneLineText(ts), 40), cfg.maxAge)
		}
	}
	// After the signature: a sender who knows none does not get the SDK to walk the body.
	if err := checkExactKeys(body); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCallbackFormat, err)
	}
	cb := &SignedCallback{Timestamp: ts, Raw: append(json.RawMessage(nil), body...)}
	undecodable := func(err error) (*SignedCallback, error) {
		return &SignedCallback{Timestamp: cb.Timestamp, Raw: cb.Raw}, fmt.Errorf("%w: its result does not decode: %v", ErrCallbackFormat, err)
	}
	if r := bytes.TrimSpace(env.Result); len(r) > 0 && r[0] == '{' {
		var st generated.JobStatusResponse
		if err := json.Unmarshal(body, &st); err != nil {
			return undecodable(err)
		}
		res, err := st.Result.AsJobResult()
		if err != nil {
			return undecodable(err)
		}
		cb.Status, cb.Result = &st, &res
		return cb, nil
	}
	var res JobResult
	if err := json.Unmarshal(body, &res); err != nil {
		return undecodable(err)
	}
	cb.Result = &res
	return cb, nil
}

// ConfirmedCallback is a callback confirmed with Smile ID: Status is the job's status as
// Smile ID's API returned it over TLS for the job the callback names, signed with this
// partner's key and bound to the request (see Utilities.GetJobStatus), complete and with
// the outcome the callback claimed. Act on Status and Result; Callback is the body as
// received, unauthenticated.
type ConfirmedCallback struct {
	JobID  string
	UserID string
	// Status is the job's complete status from Smile ID's API.
	Status *JobStatus
	// Result is Status's latest result.
	Result *JobResult
	// Callback is the callback as received: its signature checked, its body not
	// authenticated. Use it only for what the status does not carry.
	Callback *SignedCallback
}

// ConfirmCallback checks a callback body's signature (as CheckCallbackSignature does, with
// the same options, but with DefaultConfirmedCallbackAge as the default age limit), then
// confirms its claim with Smile ID: it gets the status of the job
// the callback names (its user_id and job_id) with Utilities.GetJobStatus, and requires
// that job to be complete, with the result code, SmileJobID and job_success the callback
// claims (those it carries). It returns the status from the API. A callback Smile ID does
// not confirm is a *CallbackNotConfirmedError (ErrCallbackNotConfirmed); a failure to get
// the status is that error, unwrapped.
func (c *Client) ConfirmCallback(ctx context.Context, body []byte, opts ...CallbackOption) (*ConfirmedCallback, error) {
	cfg := newCallbackConfig(opts, DefaultConfirmedCallbackAge)
	cb, err := c.sig.checkCallback(body, &cfg)
	if err != nil {
		return nil, err
	}
	return c.confirm(ctx, cb)
}

func (c *Client) confirm(ctx context.Context, cb *SignedCallback) (*ConfirmedCallback, error) {
	jobID, userID := cb.JobID(), cb.UserID()
	if jobID == "" || userID == "" {
		return nil, fmt.Errorf("%w: it names no job (PartnerParams.job_id and user_id) to confirm", ErrCallbackFormat)
	}
	if err := checkID("partner_params.job_id", jobID); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCallbackFormat, err)
	}
	if err := checkID("partner_params.user_id", userID); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCallbackFormat, err)
	}
	st, err := c.Utilities.GetJobStatus(ctx, JobStatusQuery{UserID: userID, JobID: jobID})
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 && !apiErr.Temporary() {
			return nil, &CallbackNotConfirmedError{JobID: jobID, UserID: userID, Reason: "job status answered: " + apiErr.Error()}
		}
		return nil, fmt.Errorf("smileid: confirming a callback with the job's status: %w", err)
	}
	notConfirmed := func(pending bool, format string, args ...any) error {
		return &CallbackNotConfirmedError{JobID: jobID, UserID: userID, Pending: pending, Reason: fmt.Sprintf(format, args...)}
	}
	res := st.LatestResult()
	switch {
	case !st.JobComplete:
		return nil, notConfirmed(true, "the job is not complete")
	case res == nil:
		return nil, notConfirmed(false, "the job is complete without a result")
	case cb.Status != nil && cb.Status.JobSuccess != st.JobSuccess:
		return nil, notConfirmed(false, "the callback claims job_success %t, the job status says %t", cb.Status.JobSuccess, st.JobSuccess)
	case cb.Result.ResultCode != "" && cb.Result.ResultCode != res.ResultCode:
		return nil, notConfirmed(false, "the callback claims ResultCode %q, the job status says %q", clip(oneLineText(cb.Result.ResultCode), 16), res.ResultCode)
	case cb.Result.SmileJobID != "" && res.SmileJobID != "" && cb.Result.SmileJobID != res.SmileJobID:
		return nil, notConfirmed(false, "the callback claims SmileJobID %q, the job status says %q", clip(oneLineText(cb.Result.SmileJobID), 24), res.SmileJobID)
	}
	return &ConfirmedCallback{JobID: jobID, UserID: userID, Status: st, Result: res, Callback: cb}, nil
}

// CallbackHandler returns the http.Handler to receive Smile ID's callbacks with. For each
// POST of at most MaxCallbackSize bytes it checks the signature (as CheckCallbackSignature,
// with DefaultConfirmedCallbackAge, 24 hours, as the default age limit), confirms the
// callback with Smile ID (as ConfirmCallback: the job's signed status from the API,
// complete, with the claimed outcome) and only then calls handle with the confirmed
// status.
//
// handle is called once per confirmed result: a delivery repeated after handle succeeded
// (the same job and signed instant, whatever the form of its timestamp) is answered 200
// without a status request, and any other callback confirmed with the same result (the
// same user_id, job_id, SmileJobID and latest ResultCode) is answered 200 without calling
// handle again. A job whose result changes (a human review) is passed on again. The
// memory is per handler, in this process, of the last 10 000. One signed instant may name
// at most a few jobs: beyond, a callback is refused (409) without a status request, so
// that a leaked pair cannot make your server send them without end.
//
// It answers:
//   - 200: handle returned nil (or this result was already handled);
//   - 400: not a signed JSON result (also: a key twice or in another letter case, no job);
//   - 401: the signature does not match (or the timestamp is outside the age limit);
//   - 409: Smile ID does not confirm it (unknown job, another outcome, complete without a
//     result), or its signed instant already named other jobs: handle is not called; a
//     forged callback ends here;
//   - 503 with Retry-After: it could not be confirmed now (the job is not complete yet,
//     job status failed, or the same delivery is being handled); a later delivery may be;
//   - 500: handle failed (so that the failure is visible; Smile ID may deliver again);
//   - 405 for other methods, 413 for a body too large.
//
// It logs nothing and never echoes the body; OnCallbackRefused reports refusals.
func (c *Client) CallbackHandler(handle func(context.Context, *ConfirmedCallback) error, opts ...CallbackOption) http.Handler {
	cfg := newCallbackConfig(opts, DefaultConfirmedCallbackAge)
	seen := newDeliveries(cfg.dedupe)
	uses := newInstantUses(cfg.dedupe)
	return callbackHandler(&cfg, c.sig, func(ctx context.Context, cb *SignedCallback) (int, error) {
		delivery := deliveryKey(cb)
		if seen.done(delivery) {
			return http.StatusOK, nil // this delivery again: no status request
		}
		if !uses.allow(signedInstant(cb.Timestamp), cb.JobID()+"\x00"+cb.UserID()) {
			return http.StatusConflict, &CallbackNotConfirmedError{JobID: cb.JobID(), UserID: cb.UserID(),
				Reason: fmt.Sprintf("its signed timestamp already named %d other jobs (one signature reused for many jobs: not Smile ID); not looked up", maxJobsPerSignedInstant)}
		}
		confirmed, err := c.confirm(ctx, cb)
		var nc *CallbackNotConfirmedError
		switch {
		case errors.As(err, &nc) && nc.Pending:
			return http.StatusServiceUnavailable, err
		case errors.As(err, &nc):
			return http.StatusConflict, err
		case errors.Is(err, ErrCallbackFormat):
			return http.StatusBadRequest, err
		case err != nil:
			return http.StatusServiceUnavailable, err
		}
		// Once per confirmed result: the same result re-posted with another timestamp
		// text, or another signed pair, is the same for the partner.
		res := confirmed.Result
		code, err := seen.once("result\x00"+confirmed.UserID+"\x00"+confirmed.JobID+"\x00"+res.SmileJobID+"\x00"+res.ResultCode, func() (int, error) {
			if err := handle(ctx, confirmed); err != nil {
				return http.StatusInternalServerError, fmt.Errorf("smileid: callback: your handler failed: %w", err)
			}
			return http.StatusOK, nil
		})
		if err == nil {
			seen.markDone(delivery)
		}
		return code, err
	})
}

// OfflineCallbackHandler returns an http.Handler that checks callbacks offline only (as
// CheckCallbackSignature: signature, age limit, exact keys) and passes them to handle,
// once per delivery (the same job and signed instant, whatever the form of its timestamp:
// ISO 8601 or epoch milliseconds, with or without leading zeros), without asking Smile
// ID. What it passes on is a claim, not a result: anyone who saw one signed request of
// yours can forge it (see SignedCallback). Use Client.CallbackHandler unless your code confirms each
// callback itself, for example by reading the job's status before acting.
//
// It answers 200 when handle returns nil (or the delivery was already handled), 500 when
// it fails, 401 for a bad signature or a timestamp outside the age limit, 400 for a body
// that is not a signed result, 503 while the same delivery is being handled, 413 for a
// body too large and 405 for other methods. It logs nothing and never echoes the body.
func OfflineCallbackHandler(sig *Signature, handle func(context.Context, *SignedCallback) error, opts ...CallbackOption) http.Handler {
	cfg := newCallbackConfig(opts, DefaultMaxCallbackAge)
	seen := newDeliveries(cfg.dedupe)
	return callbackHandler(&cfg, sig, func(ctx context.Context, cb *SignedCallback) (int, error) {
		return seen.once(deliveryKey(cb), func() (int, error) {
			if err := handle(ctx, cb); err != nil {
				return http.StatusInternalServerError, fmt.Errorf("smileid: callback: your handler failed: %w", err)
			}
			return http.StatusOK, nil
		})
	})
}

// signedInstant is the instant a callback's timestamp names, in one form: the signature
// check accepts several texts for one signed instant (the ISO text, and its epoch
// milliseconds with any number of leading zeros), which must count as one delivery. A
// text that is not a time is kept as it is.
func signedInstant(ts string) string {
	if t, ok := callbackTime(ts); ok {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return "text:" + ts
}

// deliveryKey names one delivery: the job and the signed instant. (Client.CallbackHandler
// keeps these and "result" keys in one memory: the prefixes keep them apart.)
func deliveryKey(cb *SignedCallback) string {
	return "delivery\x00" + cb.JobID() + "\x00" + cb.UserID() + "\x00" + signedInstant(cb.Timestamp)
}

// errSameDelivery is the refusal of a delivery while the same one is being handled.
var errSameDelivery = errors.New("smileid: callback: the same delivery is being handled")

// callbackHandler is the HTTP part shared by the two handlers: method, size, signature;
// process does the rest, and its deduplication.
func callbackHandler(cfg *callbackConfig, sig *Signature, process func(context.Context, *SignedCallback) (int, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refuse := func(code int, err error) {
			if cfg.onRefused != nil && err != nil {
				cfg.onRefused(r.Context(), err)
			}
			if code == http.StatusServiceUnavailable {
				w.Header().Set("Retry-After", "60")
			}
			http.Error(w, http.StatusText(code), code)
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			refuse(http.StatusMethodNotAllowed, nil)
			return
		}
		body, err := readCapped(http.MaxBytesReader(w, r.Body, MaxCallbackSize+1), MaxCallbackSize)
		if err != nil {
			refuse(http.StatusRequestEntityTooLarge, fmt.Errorf("smileid: callback: %w", err))
			return
		}
		cb, err := sig.checkCallback(body, cfg)
		switch {
		case errors.Is(err, ErrSignatureMismatch), errors.Is(err, ErrCallbackTooOld):
			refuse(http.StatusUnauthorized, err)
			return
		case err != nil:
			refuse(http.StatusBadRequest, err)
			return
		}
		code, err := process(r.Context(), cb)
		if err != nil {
			refuse(code, err)
			return
		}
		w.WriteHeader(code)
	})
}

// defaultDedupeSize is how many deliveries a handler remembers.
const defaultDedupeSize = 10000

type deliveryState int

const (
	deliveryNew deliveryState = iota
	deliveryInFlight
	deliveryDone
)

// deliveries remembers the last deliveries a handler took, in the order they came, to
// pass each one on once.
type deliveries struct {
	mu    sync.Mutex
	state map[string]deliveryState
	order []string // FIFO of the keys in state
	max   int
}

func newDeliveries(max int) *deliveries {
	return &deliveries{state: map[string]deliveryState{}, max: max}
}

// begin returns the delivery's state and, for a new one, marks it in flight.
func (d *deliveries) begin(key string) deliveryState {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.state[key]; ok {
		return s
	}
	for len(d.order) >= d.max {
		delete(d.state, d.order[0])
		d.order = d.order[1:]
	}
	d.state[key] = deliveryInFlight
	d.order = append(d.order, key)
	return deliveryNew
}

// once runs run for a new key and marks it done when run succeeds: a key already done is
// answered 200 without running, one in flight 503.
func (d *deliveries) once(key string, run func() (int, error)) (int, error) {
	switch d.begin(key) {
	case deliveryDone:
		return http.StatusOK, nil
	case deliveryInFlight:
		return http.StatusServiceUnavailable, errSameDelivery
	}
	code, err := run()
	d.end(key, err == nil)
	return code, err
}

// done reports whether key is done.
func (d *deliveries) done(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state[key] == deliveryDone
}

// markDone records key as done.
func (d *deliveries) markDone(key string) {
	if d.begin(key) == deliveryNew {
		d.end(key, true)
	}
}

// end marks the delivery done, or forgets it when it failed (a later one may succeed).
func (d *deliveries) end(key string, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, tracked := d.state[key]; !tracked {
		return
	}
	if ok {
		d.state[key] = deliveryDone
		return
	}
	delete(d.state, key)
	for i, k := range d.order {
		if k == key {
			d.order = append(d.order[:i], d.order[i+1:]...)
			break
		}
	}
}

// instantUses remembers, for the last signed instants a handler saw, the jobs each named
// (up to maxJobsPerSignedInstant), to refuse an instant reused for more jobs.
type instantUses struct {
	mu    sync.Mutex
	jobs  map[string][]string
	order []string // FIFO of the instants in jobs
	max   int
}

func newInstantUses(max int) *instantUses {
	return &instantUses{jobs: map[string][]string{}, max: max}
}

// allow reports whether instant may name job: it already did, or it named fewer than
// maxJobsPerSignedInstant jobs (job is then recorded).
func (u *instantUses) allow(instant, job string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	jobs, ok := u.jobs[instant]
	for _, j := range jobs {
		if j == job {
			return true
		}
	}
	if len(jobs) >= maxJobsPerSignedInstant {
		return false
	}
	if !ok {
		for len(u.order) >= u.max {
			delete(u.jobs, u.order[0])
			u.order = u.order[1:]
		}
		u.order = append(u.order, instant)
	}
	u.jobs[instant] = append(jobs, job)
	return true
}

// The objects of a callback body whose keys the SDK reads: the body itself, a result
// (under "result", or in "history") and PartnerParams.
type keyScope int

const (
	scopeOther keyScope = iota
	scopeTop
	scopeResult
	scopePartnerParams
)

// jsonKeys returns the JSON names of the fields of the struct values given.
func jsonKeys(values ...any) map[string]bool {
	keys := map[string]bool{}
	for _, v := range values {
		t := reflect.TypeOf(v)
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			keys[name] = true
		}
	}
	return keys
}

// scopeKeys maps the keys of each scope, folded (foldKey), to their spelling.
var scopeKeys = sync.OnceValue(func() map[keyScope]map[string]string {
	top := jsonKeys(generated.JobStatusResponse{}, generated.JobResult{}, BusinessVerificationResult{})
	top["signature"], top["timestamp"] = true, true
	out := map[keyScope]map[string]string{}
	for scope, keys := range map[keyScope]map[string]bool{
		scopeTop:           top,
		scopeResult:        jsonKeys(generated.JobResult{}),
		scopePartnerParams: jsonKeys(generated.ResultPartnerParams{}),
	} {
		out[scope] = map[string]string{}
		for k := range keys {
			out[scope][foldKey(k)] = k
		}
	}
	return out
})

// childScope is the scope of the value under key in an object of scope s.
func childScope(s keyScope, key string) keyScope {
	switch {
	case s == scopeTop && (key == "result" || key == "history"):
		return scopeResult
	case (s == scopeTop || s == scopeResult) && key == "PartnerParams":
		return scopePartnerParams
	}
	return scopeOther
}

// checkExactKeys refuses a JSON document in which an object has a key twice, also in
// another letter case, or in which an object the SDK reads (the body, a result,
// PartnerParams) has a key that differs from one the SDK decodes only by letter case:
// encoding/json matches keys case-insensitively and keeps the last, where other readers
// keep the first or match exactly. Letter case is compared as encoding/json compares it
// (foldKey), Unicode included: "Re\u017fultCode" (U+017F LONG S) is ResultCode to it.
func checkExactKeys(body []byte) error {
	scopes := scopeKeys()
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		object bool
		scope  keyScope // of this object, or of the elements of this array
		keys   map[string]bool
		expect bool   // the next token of an object is a key
		key    string // the last key of an object
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		scope := scopeTop // of a value starting here
		if len(stack) > 0 {
			top = stack[len(stack)-1]
			if top.object {
				scope = childScope(top.scope, top.key)
			} else {
				scope = top.scope
			}
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if top != nil && top.object {
					top.expect = true // after this value, a key
				}
				f := &frame{object: d == '{', scope: scope, expect: true}
				if f.object {
					f.keys = map[string]bool{}
				}
				stack = append(stack, f)
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if top == nil || !top.object {
			continue
		}
		if !top.expect {
			top.expect = true // a value
			continue
		}
		key, _ := tok.(string)
		folded := foldKey(key)
		if top.keys[folded] {
			return fmt.Errorf("the key %q appears twice in an object (letter case ignored)", clip(oneLineText(key), 40))
		}
		top.keys[folded] = true
		if canonical, ok := scopes[top.scope][folded]; ok && canonical != key {
			return fmt.Errorf("the key %q is spelled %q", clip(oneLineText(key), 40), canonical)
		}
		top.key, top.expect = key, false
	}
}

// foldKey folds a JSON key the way encoding/json does when it matches a key to a struct
// field (bytes.EqualFold): ASCII letters to upper case, any other rune to the smallest
// rune of its Unicode case-folding orbit. Two keys are the same field for encoding/json
// exactly when their foldKey is equal: U+017F LONG S folds with s and S, which
// strings.ToLower does not see (U+212A KELVIN SIGN, with k and K, it does).
func foldKey(key string) string {
	plain := true // ASCII without lower-case letters: folded already
	for i := 0; i < len(key) && plain; i++ {
		plain = key[i] < utf8.RuneSelf && (key[i] < 'a' || key[i] > 'z')
	}
	if plain {
		return key
	}
	var b strings.Builder
	b.Grow(len(key))
	for _, r := range key {
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteByte(byte(r))
			continue
		}
		for {
			next := unicode.SimpleFold(r)
			if next <= r {
				r = next
				break
			}
			r = next
		}
		b.WriteRune(r)
	}
	return b.String()
}
