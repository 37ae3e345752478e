package smileid

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// MaxCallbackSize is the largest callback body CallbackHandler reads. Smile ID asks
// receivers to accept 1.5 MB (ID lookups carry photos); this leaves room.
const MaxCallbackSize = 8 << 20

// Callback is a job result Smile ID POSTed to a callback URL, its signature verified.
type Callback struct {
	// Result is the job's result. Smile ID sends it at the top level of the body, or, for
	// some products, inside a job status ({job_complete, job_success, result...}).
	Result *JobResult
	// Status is set when the callback came in the job status shape.
	Status *generated.JobStatusResponse
	// Timestamp is the text the callback was signed over.
	Timestamp string
	// Raw is the body as received.
	Raw json.RawMessage
}

// JobID returns the job's partner_params.job_id, to match the callback with your job.
func (cb *Callback) JobID() string {
	if cb.Result != nil && cb.Result.PartnerParams != nil {
		return cb.Result.PartnerParams.JobID
	}
	return ""
}

// UserID returns the job's partner_params.user_id.
func (cb *Callback) UserID() string {
	if cb.Result != nil && cb.Result.PartnerParams != nil {
		return cb.Result.PartnerParams.UserID
	}
	return ""
}

// ErrCallbackFormat is returned (wrapped) for a callback body that is not a signed JSON
// object.
var ErrCallbackFormat = errors.New("smileid: the callback is not a signed Smile ID result")

// ErrCallbackTooOld is returned (wrapped) for a callback whose signed timestamp is further
// from now than WithMaxCallbackAge allows.
var ErrCallbackTooOld = errors.New("smileid: the callback's timestamp is too old")

// CallbackOption configures the verification of callbacks.
type CallbackOption func(*callbackConfig)

type callbackConfig struct {
	maxAge time.Duration
	now    func() time.Time
}

// WithMaxCallbackAge refuses callbacks signed more than d ago (or more than d in the
// future). The signature covers only the timestamp and the partner ID, not the body, so a
// signed pair seen once could be replayed with another body; a short maximum age limits
// that. Smile ID does not document when it retries callbacks, so the check is off by
// default. Whatever the age, match the job ID with a job of yours that awaits a result, or
// read the result with Utilities.GetJobStatus before acting on it.
func WithMaxCallbackAge(d time.Duration) CallbackOption {
	return func(c *callbackConfig) { c.maxAge = d }
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

// VerifyCallback checks that body was sent by Smile ID for this partner (its signature
// over its timestamp, with the API key) and decodes it. A signature that does not match is
// an error wrapping ErrSignatureMismatch; a body without signature or timestamp, or that
// is not JSON, wraps ErrCallbackFormat. The signature covers the timestamp, not the body:
// also check that the job ID is one of yours, awaiting a result.
//
// A body whose signature verifies but whose result does not decode is returned as a
// Callback with only Raw and Timestamp, along with an error wrapping ErrCallbackFormat.
func (s *Signature) VerifyCallback(body []byte, opts ...CallbackOption) (*Callback, error) {
	cfg := callbackConfig{now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
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
			return nil, fmt.Errorf("smileid: callback: %w (signed at %q)", ErrCallbackTooOld, ts)
		}
	}
	cb := &Callback{Timestamp: ts, Raw: append(json.RawMessage(nil), body...)}
	undecodable := func(err error) (*Callback, error) {
		return &Callback{Timestamp: cb.Timestamp, Raw: cb.Raw}, fmt.Errorf("%w: its result does not decode: %v", ErrCallbackFormat, err)
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

// VerifyCallback is NewSignature(partnerID, apiKey).VerifyCallback(body, opts...).
func VerifyCallback(partnerID, apiKey string, body []byte, opts ...CallbackOption) (*Callback, error) {
	return NewSignature(partnerID, apiKey).VerifyCallback(body, opts...)
}

// CallbackHandler returns an http.Handler for Smile ID's callbacks: it accepts POSTs of at
// most MaxCallbackSize bytes, verifies them with sig and passes them to handle. It answers
// 200 when handle returns nil, 500 when it fails (so that the failure is visible), 401 for
// a bad signature, 400 for a body that is not a signed result, 413 for a body too large
// and 405 for other methods; with WithMaxCallbackAge, 401 for a callback too old. It logs
// nothing and never echoes the body.
func CallbackHandler(sig *Signature, handle func(context.Context, *Callback) error, opts ...CallbackOption) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := readCapped(http.MaxBytesReader(w, r.Body, MaxCallbackSize+1), MaxCallbackSize)
		if err != nil {
			http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		cb, err := sig.VerifyCallback(body, opts...)
		switch {
		case errors.Is(err, ErrSignatureMismatch), errors.Is(err, ErrCallbackTooOld):
			http.Error(w, "signature does not match, or is too old", http.StatusUnauthorized)
			return
		case err != nil:
			http.Error(w, "not a signed Smile ID result", http.StatusBadRequest)
			return
		}
		if err := handle(r.Context(), cb); err != nil {
			http.Error(w, "callback not processed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
