package smileid

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// AMLCheck screens people against sanctions, politically-exposed-person and adverse-media
// lists (job type 10, POST /aml): the Ruby SDK's AmlCheck class.
type AMLCheck struct{ c *Client }

// Limits of an AML screening's input. Smile ID documents none for v1; these are the
// limits of its v3 API (20 aliases of at most 256 characters each), applied to the full
// name as well.
const (
	MaxAMLAliases    = 20
	MaxAMLNameLength = 256 // characters
)

// AMLRequest is one AML screening.
type AMLRequest struct {
	// UserID and JobID identify the screening (sent at the top level, not in
	// partner_params). JobID must be unique, even when UserID is reused.
	UserID, JobID string
	// FullName is the person's full name, as on their ID. Required, also with
	// SearchExistingUser (see SubmitJob).
	FullName string
	// Countries are the person's known nationalities, ISO 3166-1 alpha-2 codes in
	// capitals (at least one).
	Countries []string
	// BirthYear is the year of birth, yyyy. Optional, but it reduces false matches.
	BirthYear string
	// SearchExistingUser asks Smile ID to use the name and birth year of UserID's earlier
	// Biometric KYC or Document Verification job too.
	SearchExistingUser bool
	// StrictMatch chooses the stricter set of match filters (fewer false matches). nil
	// sends true, as the Ruby SDK does.
	StrictMatch *bool
	// Aliases are other names of the person (maiden names, transliterations): at most
	// MaxAMLAliases, each non-empty and at most MaxAMLNameLength characters.
	Aliases []string
	// PartnerParams is free-form tracking data, echoed back in the result. The keys
	// user_id, job_id and job_type are refused: set UserID and JobID.
	PartnerParams map[string]string
}

type (
	// AMLPerson is one person an AML screening matched.
	AMLPerson = generated.AMLPerson
	// AMLPEP is a politically exposed person's details.
	AMLPEP = generated.AMLPEP
	// AMLSanction is one sanctions-list entry of a matched person.
	AMLSanction = generated.AMLSanction
)

// AMLResult is the result of an AML screening, its signature verified and bound to the
// request. ResultCode 1031 means no match; 1030 (found on a list) and 1017 (only adverse
// media) need a person's decision; 1015 the provider was unavailable (see Decision).
type AMLResult struct {
	// AMLResult is the answer: ResultCode, ResultText, SmileJobID, PartnerParams, Actions
	// (Listed), NoOfPersonsFound, People and StrictMatch. An entry of People in a shape
	// this SDK does not know (Smile ID's API generations differ) keeps only the fields
	// that decode: read Raw for the rest.
	generated.AMLResult
	// Raw is the response body as received.
	Raw json.RawMessage `json:"-"`
}

// Decision decides the screening's outcome with Decide: OutcomeApproved for no match
// (1031), OutcomeProvisional for a match a person must review (1030, 1017), OutcomeError
// for an unavailable provider (1015, retryable with a new job_id), OutcomeUnknown for
// any other code. An AML screening never approves on HTTP 200 alone.
func (r *AMLResult) Decision() Decision {
	if r == nil {
		return Decide(AMLScreening, nil)
	}
	return Decide(AMLScreening, &JobResult{ResultCode: r.ResultCode, ResultText: r.ResultText, PartnerParams: r.PartnerParams})
}

var birthYearPattern = regexp.MustCompile(`^[0-9]{4}$`)

// validate checks the request before anything is sent.
func (req *AMLRequest) validate() error {
	if err := checkJobIDs(req.UserID, req.JobID, "a unique ID for this screening"); err != nil {
		return err
	}
	if err := checkName("full_name", req.FullName); err != nil {
		return err
	}
	if len(req.Countries) == 0 {
		return invalid("countries", "at least one country (ISO 3166-1 alpha-2, such as NG) is required")
	}
	for i, c := range req.Countries {
		if !countryPattern.MatchString(c) {
			return invalid(fmt.Sprintf("countries[%d]", i), "must be an ISO 3166-1 alpha-2 code in capitals, such as NG")
		}
	}
	if req.BirthYear != "" && !birthYearPattern.MatchString(req.BirthYear) {
		return invalid("birth_year", "must be a year of four digits (yyyy)")
	}
	if len(req.Aliases) > MaxAMLAliases {
		return invalid("aliases", "at most %d aliases, not %d", MaxAMLAliases, len(req.Aliases))
	}
	for i, a := range req.Aliases {
		if err := checkName(fmt.Sprintf("aliases[%d]", i), a); err != nil {
			return err
		}
	}
	return checkFreeParams(req.PartnerParams)
}

// checkName checks a person's name: required, valid UTF-8, at most MaxAMLNameLength
// characters, no control characters. Its text never repeats the name.
func checkName(field, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return invalid(field, "is required")
	case !utf8.ValidString(v):
		return invalid(field, "is not valid UTF-8")
	case utf8.RuneCountInString(v) > MaxAMLNameLength:
		return invalid(field, "is longer than %d characters", MaxAMLNameLength)
	case strings.IndexFunc(v, isControl) >= 0:
		return invalid(field, "contains a control character (such as NUL, ESC or a line break)")
	}
	return nil
}

// checkFreeParams checks free-form partner params: no empty key, and not the keys the
// SDK sets itself.
func checkFreeParams(pp map[string]string) error {
	for k := range pp {
		switch k {
		case "":
			return invalid("partner_params", "has an empty key")
		case "user_id", "job_id", "job_type":
			return invalid("partner_params."+k, "set it with the request's field, not in PartnerParams")
		}
	}
	return nil
}

// SubmitJob screens one person and returns the result (AML is synchronous: there is no
// callback), its signature verified (an unsigned result, or one signed with another key,
// is an error wrapping ErrSignatureMismatch) and bound to the request (a result that
// carries the request's own signature, or names another job, is a *ResponseBindingError).
// The request is checked first: an invalid one is a *ValidationError and nothing is sent.
//
// The body is the one the Ruby SDK (the only official SDK with AML) sends: user_id,
// job_id, full_name, countries, birth_year when given, search_existing_user,
// strict_match (true unless chosen), aliases when given, partner_params, job_type 10 and
// the usual signature fields. full_name is required even with SearchExistingUser: Smile
// ID's v1 page lists it as required and its v3 API says that flag never replaces it.
//
// Each call is a new billable screening, so it is repeated only when that cannot create a
// second one (see RetryPolicy). The result is nil whenever the error is not. Once the
// request was sent, an error is a refusal (an *APIError: a 4xx or 501, or Smile ID's error
// envelope sent with 200) or a *JobError naming the screening (UserID, JobID, and the
// SmileJobID as the unverified answer states it) and matching ErrJobMayExist: no answer
// said what happened, or the answer (Body) could not be used. Call options
// (WithAttemptTimeout, WithRetry) change this call only.
func (a *AMLCheck) SubmitJob(ctx context.Context, req AMLRequest, opts ...CallOption) (*AMLResult, error) {
	c := a.c
	cc, err := c.callConfig(opts)
	if err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	body := generated.AMLRequest{
		UserID: req.UserID, JobID: req.JobID, FullName: req.FullName, Countries: req.Countries,
		BirthYear: req.BirthYear, SearchExistingUser: ptr(req.SearchExistingUser), StrictMatch: req.StrictMatch,
		Aliases: req.Aliases, JobType: ptr(generated.AMLJobTypeAML),
	}
	if body.StrictMatch == nil {
		body.StrictMatch = ptr(true)
	}
	if len(req.PartnerParams) > 0 {
		body.PartnerParams = make(map[string]any, len(req.PartnerParams))
		for k, v := range req.PartnerParams {
			body.PartnerParams[k] = v
		}
	}
	pp := PartnerParams{UserID: req.UserID, JobID: req.JobID, JobType: AMLScreening}
	var sent sentSignatures
	_, raw, err := do(ctx, c, call[json.RawMessage]{
		op: OpAML, createsJob: true, cfg: &cc,
		send: func(ctx context.Context) (*http.Response, error) {
			body.PartnerID = c.sig.partnerID
			body.Timestamp, body.Signature = c.sign()
			sent.add(body.Timestamp, body.Signature)
			body.SourceSDK, body.SourceSDKVersion = sdkFields()
			return sendJSON(ctx, c.gen.AMLCheckWithBody, body)
		},
	})
	switch {
	case err != nil && raw != nil:
		return nil, jobError(pp, answeredSmileJobID(raw), OpAML, raw, err)
	case errors.Is(err, ErrJobMayExist):
		return nil, jobError(pp, "", OpAML, nil, err)
	case err != nil:
		return nil, err
	}
	res, err := c.amlResult(raw, pp, sent)
	if err == nil {
		return res, nil
	}
	if refused := answeredRefusal(OpAML, raw); refused != nil {
		// An error envelope answered with HTTP 200: Smile ID refused the screening.
		return nil, refused
	}
	smileJobID := answeredSmileJobID(raw)
	if errors.Is(err, ErrResponseNotBound) {
		smileJobID = "" // the answer is about another job, or not an answer at all
	}
	// The screening ran, or may have, and its answer cannot be used: its outcome is unknown.
	return nil, jobError(pp, smileJobID, OpAML, raw, &mayExistError{op: OpAML, err: err})
}

// amlResult decodes and checks an AML answer like verification does an ID API answer:
// an error envelope sent with HTTP 200 is an *APIError; the result must be signed with
// this partner's key, over a timestamp of the server's own, and name the job asked for.
// The entries of people are decoded leniently (a field of another shape is skipped).
func (c *Client) amlResult(raw []byte, pp PartnerParams, sent sentSignatures) (*AMLResult, error) {
	var top struct {
		generated.AMLResult
		People json.RawMessage `json:"people"` // shadows AMLResult.People: decoded below
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, &APIError{Operation: OpAML, StatusCode: http.StatusOK,
			Message: "the result is not the documented JSON: " + clip(err.Error(), 200), Body: clipBytes(raw, maxErrorBody)}
	}
	out := &AMLResult{AMLResult: top.AMLResult, Raw: raw}
	if len(top.People) > 0 {
		// encoding/json skips a value of another type and fills the rest: what decodes
		// is kept, Raw has everything.
		_ = json.Unmarshal(top.People, &out.People)
	}
	if out.ResultCode == "" {
		apiErr := newAPIError(OpAML, http.StatusOK, raw, 0)
		if apiErr.Message == "" || apiErr.Message == strings.TrimSpace(string(raw)) {
			apiErr.Message = "the answer has no ResultCode"
		}
		return nil, apiErr
	}
	switch {
	case out.Signature == nil || out.Timestamp == nil:
		return nil, fmt.Errorf("smileid: %s: %w: the result is not signed (get the job's status to read it)", OpAML, ErrSignatureMismatch)
	case !c.sig.confirmResponse(signedText(out.Timestamp), *out.Signature):
		return nil, fmt.Errorf("smileid: %s: %w: the result was not signed with this partner's API key", OpAML, ErrSignatureMismatch)
	}
	if err := c.checkReplay(OpAML, signedText(out.Timestamp), *out.Signature, sent, pp.JobID, pp.UserID); err != nil {
		return nil, err
	}
	if err := checkResultBinding(OpAML, &JobResult{PartnerParams: out.PartnerParams}, pp.JobID, pp.UserID); err != nil {
		return nil, err
	}
	return out, nil
}
