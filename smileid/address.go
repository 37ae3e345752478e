package smileid

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// AddressVerificationAPI verifies a person's address (job type 12, POST
// /async-verify-address), in Nigeria against a utility account and in South Africa
// against the ID number: the Ruby SDK's AddressVerification class. (The type is not named
// AddressVerification: that is job type 12's name, like DocumentVerification.)
type AddressVerificationAPI struct{ c *Client }

// Countries of an address verification.
const (
	AddressCountryNigeria     = string(generated.AddressVerificationRequestCountryNigeria)     // NG
	AddressCountrySouthAfrica = string(generated.AddressVerificationRequestCountrySouthAfrica) // ZA
)

// AddressRequest is one address verification.
type AddressRequest struct {
	// UserID and JobID identify the job; they are sent in partner_params, and its
	// callback echoes them. Both are required: they are how the callback, and a job that
	// may exist after a failure (ErrJobMayExist), are found again.
	UserID, JobID string
	// Country is AddressCountryNigeria (NG) or AddressCountrySouthAfrica (ZA).
	Country string
	// Address is the person's full address, as free text.
	Address string
	// FullName is the person's name; optional, but the name on record is compared too.
	FullName string
	// UtilityNumber and UtilityProvider (NG, both required): the meter or utility account
	// number and the electricity distribution company (for example IkejaElectric, IKEDC).
	// UtilityType (NG, optional): PrePaid or PostPaid.
	UtilityNumber, UtilityProvider, UtilityType string
	// IDNumber (ZA, required): the 13-digit ID number.
	IDNumber string
	// CallbackURL is where Smile ID POSTs the result; the client's WithCallbackURL when
	// empty. One of the two is required: the result only ever arrives by callback.
	CallbackURL string
	// PartnerParams is free-form tracking data, echoed back in the callback. The keys
	// user_id, job_id and job_type are refused: set UserID and JobID.
	PartnerParams map[string]string
}

var saIDNumberPattern = regexp.MustCompile(`^[0-9]{13}$`)

// validate checks the request (callbackURL being the one to send) before anything is
// sent. Its errors never repeat the address or the numbers.
func (req *AddressRequest) validate(callbackURL string) error {
	if err := checkJobIDs(req.UserID, req.JobID, "a unique ID for this job; the callback echoes it"); err != nil {
		return err
	}
	if strings.TrimSpace(req.Address) == "" {
		return invalid("address", "is required")
	}
	if req.FullName != "" {
		if err := checkName("full_name", req.FullName); err != nil {
			return err
		}
	}
	switch req.Country {
	case AddressCountryNigeria:
		switch {
		case strings.TrimSpace(req.UtilityNumber) == "":
			return invalid("utility_number", "is required in Nigeria (the meter or utility account number)")
		case strings.TrimSpace(req.UtilityProvider) == "":
			return invalid("utility_provider", "is required in Nigeria (the electricity distribution company)")
		case req.IDNumber != "":
			return invalid("id_number", "applies to South Africa (ZA) only; Nigeria verifies against the utility account")
		}
	case AddressCountrySouthAfrica:
		switch {
		case !saIDNumberPattern.MatchString(req.IDNumber):
			return invalid("id_number", "is required in South Africa: 13 digits")
		case req.UtilityNumber != "" || req.UtilityProvider != "" || req.UtilityType != "":
			return invalid("utility_number", "utility_number, utility_provider and utility_type apply to Nigeria (NG) only")
		}
	default:
		return invalid("country", "must be NG or ZA (address verification runs in Nigeria and South Africa)")
	}
	if callbackURL == "" {
		return invalid("callback_url", "is required: the result only arrives by callback (set it here or with WithCallbackURL)")
	}
	if _, err := checkURL("callback URL", callbackURL); err != nil {
		return &ValidationError{Field: "callback_url", Reason: strings.TrimPrefix(err.Error(), "smileid: "), Err: err}
	}
	return checkFreeParams(req.PartnerParams)
}

// SubmitJob submits an address verification and returns once Smile ID has accepted it
// ({"success": true}); the result is POSTed to the callback URL (there is no way to
// fetch it: verify the callback with CheckCallbackSignature or CallbackHandler, and decide
// it with Decide(AddressVerification, ...)). The request is checked first: an invalid one
// is a *ValidationError and nothing is sent.
//
// Unlike the other v1 operations, this one is signed in headers (smileid-partner-id,
// smileid-timestamp, smileid-request-signature, with smileid-source-sdk and
// smileid-source-sdk-version), as the Ruby SDK and Smile ID's documentation describe it;
// every attempt is signed afresh. The body carries country, address, callback_url, the
// country's identifiers, full_name when given, and partner_params with user_id and job_id.
//
// It is repeated only when that cannot create a second job (see RetryPolicy). Once the
// request was sent, an error is a refusal (an *APIError: a 4xx or 501, Smile ID's error
// envelope, "success": false) or a *JobError naming the job (UserID, JobID) and matching
// ErrJobMayExist: no answer said what happened, or a 2xx answer did not say "success":
// true. Call options (WithAttemptTimeout, WithRetry) change this call only.
func (a *AddressVerificationAPI) SubmitJob(ctx context.Context, req AddressRequest, opts ...CallOption) error {
	c := a.c
	cc, err := c.callConfig(opts)
	if err != nil {
		return err
	}
	callbackURL := req.CallbackURL
	if callbackURL == "" {
		callbackURL = c.cfg.callbackURL
	}
	if err := req.validate(callbackURL); err != nil {
		return err
	}
	params := map[string]any{"user_id": req.UserID, "job_id": req.JobID}
	for k, v := range req.PartnerParams {
		params[k] = v
	}
	body := generated.AddressVerificationRequest{
		Country: generated.AddressVerificationRequestCountry(req.Country), Address: req.Address, CallbackURL: callbackURL,
		FullName: req.FullName, UtilityNumber: req.UtilityNumber, UtilityProvider: req.UtilityProvider,
		UtilityType: req.UtilityType, IDNumber: req.IDNumber, PartnerParams: params,
	}
	pp := PartnerParams{UserID: req.UserID, JobID: req.JobID, JobType: AddressVerification}
	v, raw, err := do(ctx, c, call[asyncAnswer]{
		op: OpAddressVerification, createsJob: true, cfg: &cc,
		send: func(ctx context.Context) (*http.Response, error) {
			h := &generated.AsyncVerifyAddressParams{SmileidPartnerID: c.sig.partnerID}
			h.SmileidTimestamp, h.SmileidRequestSignature = c.sign()
			h.SmileidSourceSDK, h.SmileidSourceSDKVersion = sdkFields()
			return sendJSON(ctx, func(ctx context.Context, contentType string, r io.Reader, eds ...generated.RequestEditorFn) (*http.Response, error) {
				return c.gen.AsyncVerifyAddressWithBody(ctx, h, contentType, r, eds...)
			}, body)
		},
	})
	return asyncOutcome(OpAddressVerification, pp, v, raw, err)
}
