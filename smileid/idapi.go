package smileid

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// Verification is the result of a synchronous ID API job (job type 5 or 7), its signature
// verified.
type Verification struct {
	// JobResult is the result: ResultCode, ResultText, Actions and, for Enhanced KYC, the
	// personal information on record (FullName, DOB, Photo...).
	JobResult
	// Business is the full result of a Business Verification (job type 7): the company's
	// information, directors, owners...; nil for Enhanced KYC.
	Business *BusinessVerificationResult
	// Raw is the response body as received.
	Raw json.RawMessage `json:"-"`
}

// SubmitJob verifies an ID number (job type 5, Enhanced KYC: POST /id_verification) or a
// business (job type 7: POST /business_verification) and returns the result, its
// signature verified (an unsigned result, or one signed with another key, is an error
// wrapping ErrSignatureMismatch) and bound to the request (a result that carries the
// request's own signature, or names another job, is a *ResponseBindingError; the job may
// still have run: read its status). The ID information must have the country, ID type and
// ID number (BVN_MFA: session ID). It is checked against the services document first
// unless WithValidationAPI(false). Each call is a new billable job, so it is repeated
// only when that cannot create a second one (see RetryPolicy).
//
// The result is nil whenever the error is not. Once the request was sent, an error is
// either the server's refusal (an *APIError: a 4xx or 501 answer, a 429 or 503 with
// Retry-After after the retries, or Smile ID's error envelope sent with 200) or a
// *JobError naming the job and matching ErrJobMayExist: no answer, a 408 or other 5xx, or
// an answer that could not be used, which the JobError keeps (Body, and SmileJobID as the
// unverified answer states it). Call options (WithAttemptTimeout, WithRetry) change this
// call only, the fetch of the services document included.
func (a *IDAPI) SubmitJob(ctx context.Context, pp PartnerParams, info IDInfo, opts ...CallOption) (*Verification, error) {
	cc, err := a.c.callConfig(opts)
	if err != nil {
		return nil, err
	}
	return a.submit(ctx, pp, info, true, &cc)
}

// SubmitJobAsync submits the same job for asynchronous processing (POST
// /async_id_verification or /async_business_verification): it returns once Smile ID has
// accepted the job, and the result is POSTed to callbackURL (the client's default callback
// when empty; one of the two is required). Repeated only when that cannot create a second
// job (see RetryPolicy). Once the request was sent, an error is a refusal (an *APIError,
// "success": false included) or a *JobError naming the job and matching ErrJobMayExist, as
// for SubmitJob: a 2xx answer without "success": true may still mean the job was accepted.
func (a *IDAPI) SubmitJobAsync(ctx context.Context, pp PartnerParams, info IDInfo, callbackURL string, opts ...CallOption) error {
	c := a.c
	cc, err := c.callConfig(opts)
	if err != nil {
		return err
	}
	if callbackURL == "" {
		callbackURL = c.cfg.callbackURL
	}
	if callbackURL == "" {
		return invalid("callback_url", "is required for an asynchronous job (set it here or with WithCallbackURL)")
	}
	if _, err := checkURL("callback URL", callbackURL); err != nil {
		return &ValidationError{Field: "callback_url", Reason: err.Error(), Err: err}
	}
	if err := a.check(ctx, pp, info, true, &cc); err != nil {
		return err
	}
	var body generated.AsyncIDVerificationRequest
	if err := idAPIBody(info, &body); err != nil {
		return err
	}
	op, send := OpAsyncIDVerification, c.gen.AsyncIDVerificationWithBody
	if pp.JobType == BusinessVerification {
		op, send = OpAsyncBusinessVerification, c.gen.AsyncBusinessVerificationWithBody
	}
	v, raw, err := do(ctx, c, call[asyncAnswer]{
		op: op, createsJob: true, cfg: &cc,
		send: func(ctx context.Context) (*http.Response, error) {
			body.PartnerID, body.PartnerParams, body.CallbackURL = c.sig.partnerID, pp, callbackURL
			body.Timestamp, body.Signature = c.sign()
			body.SourceSDK, body.SourceSDKVersion = sdkFields()
			return sendJSON(ctx, send, body)
		},
	})
	return asyncOutcome(op, pp, v, raw, err)
}

// asyncAnswer is the answer of an asynchronous submission, {"success": true}; Success is
// nil when the answer does not say.
type asyncAnswer struct {
	Success *bool `json:"success"`
}

// asyncOutcome is the error of an asynchronous submission (the async ID API, address
// verification), from do()'s outcome: nil when the answer says "success": true; a refusal
// (*APIError) for Smile ID's error envelope or "success": false; otherwise a *JobError
// naming the job, matching ErrJobMayExist when the request went out and the answer, if
// any, does not say it was accepted.
func asyncOutcome(op Operation, pp PartnerParams, v *asyncAnswer, raw []byte, err error) error {
	switch {
	case err != nil && raw != nil:
		// Answered 2xx with a body that does not decode: the job may have been accepted.
		return jobError(pp, answeredSmileJobID(raw), op, raw, err)
	case errors.Is(err, ErrJobMayExist):
		return jobError(pp, "", op, nil, err)
	case err != nil:
		return err
	case v.Success != nil && *v.Success:
		return nil
	}
	if refused := answeredRefusal(op, raw); refused != nil {
		return refused
	}
	if v.Success != nil {
		e := newAPIError(op, http.StatusOK, raw, 0)
		e.Message = "the job was not accepted (success: false)"
		return e
	}
	return jobError(pp, answeredSmileJobID(raw), op, raw, &mayExistError{op: op, err: &APIError{Operation: op,
		StatusCode: http.StatusOK, Message: "the response has no success", Body: clipBytes(raw, maxErrorBody)}})
}

// check validates an ID API job: local rules, then the services document.
func (a *IDAPI) check(ctx context.Context, pp PartnerParams, info IDInfo, useValidationAPI bool, cc *callConfig) error {
	if err := validatePartnerParams(pp); err != nil {
		return err
	}
	if !isIDAPIJob(pp.JobType) {
		return invalid("partner_params.job_type", "the ID API runs job types 5 (Enhanced KYC) and 7 (Business Verification), not %d", int(pp.JobType))
	}
	if err := validateIDInfo(pp.JobType, info); err != nil {
		return err
	}
	if !useValidationAPI || !a.c.cfg.useValidationAPI {
		return nil
	}
	return a.c.checkServices(ctx, info, pp, cc)
}

// idAPIBody copies id_info into an ID API request body, whose fields sit at its top level.
// entered is left out: the other SDKs' id_info may carry it, the ID API does not use it.
func idAPIBody(info IDInfo, body any) error {
	info.Entered = ""
	return remarshal(info, body)
}

func (a *IDAPI) submit(ctx context.Context, pp PartnerParams, info IDInfo, useValidationAPI bool, cc *callConfig) (*Verification, error) {
	c := a.c
	if err := a.check(ctx, pp, info, useValidationAPI, cc); err != nil {
		return nil, err
	}
	var body generated.IDVerificationRequest
	if err := idAPIBody(info, &body); err != nil {
		return nil, err
	}
	op, send := OpIDVerification, c.gen.IDVerificationWithBody
	if pp.JobType == BusinessVerification {
		op, send = OpBusinessVerification, c.gen.BusinessVerificationWithBody
	}
	var sent sentSignatures
	_, raw, err := do(ctx, c, call[json.RawMessage]{
		op: op, createsJob: true, cfg: cc,
		send: func(ctx context.Context) (*http.Response, error) {
			body.PartnerID, body.PartnerParams = c.sig.partnerID, pp
			body.Timestamp, body.Signature = c.sign()
			sent.add(body.Timestamp, body.Signature)
			body.SourceSDK, body.SourceSDKVersion = sdkFields()
			return sendJSON(ctx, send, body)
		},
	})
	switch {
	case err != nil && raw != nil:
		return nil, jobError(pp, answeredSmileJobID(raw), op, raw, err)
	case errors.Is(err, ErrJobMayExist):
		return nil, jobError(pp, "", op, nil, err)
	case err != nil:
		return nil, err
	}
	v, err := c.verification(op, raw, pp, sent)
	if err == nil {
		return v, nil
	}
	if refused := answeredRefusal(op, raw); refused != nil {
		// An error envelope answered with HTTP 200: Smile ID refused the job.
		return nil, refused
	}
	smileJobID := answeredSmileJobID(raw)
	if errors.Is(err, ErrResponseNotBound) {
		smileJobID = "" // the answer is about another job, or not an answer at all
	}
	// The job ran, or may have, and its answer cannot be used (not decodable, no result,
	// not signed with this key, not bound to the request): its outcome is unknown.
	return nil, jobError(pp, smileJobID, op, raw, &mayExistError{op: op, err: err})
}

// answeredRefusal returns the *APIError of a 2xx answer to a job-creating request that is
// Smile ID's error envelope, a code and an error message naming no job and carrying no
// result ({"code": "2213", "error": "..."}): the server says it refused the request. It
// returns nil for any other body, which leaves the job's outcome unknown.
func answeredRefusal(op Operation, raw []byte) *APIError {
	var v struct {
		ResultCode json.RawMessage `json:"ResultCode"`
	}
	if json.Unmarshal(raw, &v) != nil || v.ResultCode != nil || answeredSmileJobID(raw) != "" {
		return nil
	}
	e := newAPIError(op, http.StatusOK, raw, 0)
	if e.Code == "" || e.Message == "" {
		return nil
	}
	return e
}

// answeredSmileJobID returns the SmileJobID an answer states (a string or a number; the
// ID API's SmileJobID or prep upload's smile_job_id), unverified, or "".
func answeredSmileJobID(raw []byte) string {
	var v struct {
		SmileJobID json.RawMessage `json:"SmileJobID"`
		Upload     json.RawMessage `json:"smile_job_id"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	for _, f := range []json.RawMessage{v.SmileJobID, v.Upload} {
		var id string
		if json.Unmarshal(f, &id) == nil && id != "" {
			return clip(id, 64)
		}
		var n json.Number
		if json.Unmarshal(f, &n) == nil {
			return clip(n.String(), 64)
		}
	}
	return ""
}

// verification decodes and checks a synchronous ID API answer. A body that does not
// decode is returned as Raw with the error (the job ran); an error envelope sent with
// HTTP 200 is an *APIError; the result must be signed with this partner's key, over a
// timestamp of the server's own (not a pair the client sent, nor one signed long before
// the request: checkReplay), and name the job asked for.
func (c *Client) verification(op Operation, raw []byte, pp PartnerParams, sent sentSignatures) (*Verification, error) {
	business := pp.JobType == BusinessVerification
	out := &Verification{Raw: raw}
	undecodable := func(err error) (*Verification, error) {
		return &Verification{Raw: raw}, &APIError{Operation: op, StatusCode: http.StatusOK,
			Message: "the result is not the documented JSON: " + clip(err.Error(), 200), Body: clipBytes(raw, maxErrorBody)}
	}
	if err := json.Unmarshal(raw, &out.JobResult); err != nil {
		return undecodable(err)
	}
	if business {
		out.Business = new(BusinessVerificationResult)
		if err := json.Unmarshal(raw, out.Business); err != nil {
			return undecodable(err)
		}
	}
	if out.ResultCode == "" {
		apiErr := newAPIError(op, http.StatusOK, raw, 0)
		if apiErr.Message == "" || apiErr.Message == strings.TrimSpace(string(raw)) {
			apiErr.Message = "the answer has no ResultCode"
		}
		return nil, apiErr
	}
	switch {
	case out.Signature == nil || out.Timestamp == nil:
		return nil, fmt.Errorf("smileid: %s: %w: the result is not signed (get the job's status to read it)", op, ErrSignatureMismatch)
	case !c.sig.confirmResponse(signedText(out.Timestamp), *out.Signature):
		return nil, fmt.Errorf("smileid: %s: %w: the result was not signed with this partner's API key", op, ErrSignatureMismatch)
	}
	if err := c.checkReplay(op, signedText(out.Timestamp), *out.Signature, sent, pp.JobID, pp.UserID); err != nil {
		return nil, err
	}
	if err := checkResultBinding(op, &out.JobResult, pp.JobID, pp.UserID); err != nil {
		return nil, err
	}
	return out, nil
}
