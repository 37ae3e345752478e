package smileid_test

// What a job-creating call (prep upload, the ID API sync and async, web tokens) reports
// once its request went out: any answer that leaves the job's existence open is
// ErrJobMayExist inside a *JobError naming the job, and it is never repeated; a refusal is
// a plain *APIError.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// jobCreatingCall is one job-creating call of the SDK, run for job id.
type jobCreatingCall struct {
	name string
	op   smileid.Operation
	run  func(ctx context.Context, c *smileid.Client, id string) error
}

var jobCreatingCalls = []jobCreatingCall{
	{"prep upload", smileid.OpUpload, func(ctx context.Context, c *smileid.Client, id string) error {
		_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams(id, smileid.SmartSelfieRegistration),
			Images: []smileid.Image{selfie}, Options: smileid.JobOptions{CallbackURL: "https://partner.example/cb"}})
		return err
	}},
	{"ID API", smileid.OpIDVerification, func(ctx context.Context, c *smileid.Client, id string) error {
		_, err := c.IDAPI.SubmitJob(ctx, jobParams(id, smileid.EnhancedKYC), bvn)
		return err
	}},
	{"business verification", smileid.OpBusinessVerification, func(ctx context.Context, c *smileid.Client, id string) error {
		_, err := c.IDAPI.SubmitJob(ctx, jobParams(id, smileid.BusinessVerification),
			smileid.IDInfo{Country: "NG", IDType: "BUSINESS_REGISTRATION", IDNumber: "0000000"})
		return err
	}},
	{"async ID API", smileid.OpAsyncIDVerification, func(ctx context.Context, c *smileid.Client, id string) error {
		return c.IDAPI.SubmitJobAsync(ctx, jobParams(id, smileid.EnhancedKYC), bvn, "https://partner.example/cb")
	}},
	{"web token", smileid.OpToken, func(ctx context.Context, c *smileid.Client, id string) error {
		_, err := c.WebAPI.GetWebToken(ctx, smileid.WebTokenRequest{UserID: "user-" + id, JobID: "job-" + id,
			Product: smileid.ProductSmartSelfie, CallbackURL: "https://partner.example/cb"})
		return err
	}},
}

// productCalls are the job-creating calls of the products (AML, address verification):
// their HTTP answers follow the same rule, decided in do().
var productCalls = []jobCreatingCall{
	{"AML", smileid.OpAML, func(ctx context.Context, c *smileid.Client, id string) error {
		_, err := c.AML.SubmitJob(ctx, amlRequest(id))
		return err
	}},
	{"address verification", smileid.OpAddressVerification, func(ctx context.Context, c *smileid.Client, id string) error {
		req := ngAddress(id, "0000000000")
		req.CallbackURL = "https://partner.example/cb"
		return c.AddressVerification.SubmitJob(ctx, req)
	}},
}

// requireMayExist checks that err is ErrJobMayExist inside a *JobError naming job id at
// stage op, with the answer's *APIError (status) reachable.
func requireMayExist(t *testing.T, err error, id string, op smileid.Operation, status int) *smileid.JobError {
	t.Helper()
	require.ErrorIs(t, err, smileid.ErrJobMayExist)
	var je *smileid.JobError
	require.ErrorAs(t, err, &je)
	require.Equal(t, "job-"+id, je.JobID)
	require.Equal(t, "user-"+id, je.UserID)
	require.Equal(t, op, je.Stage)
	var apiErr *smileid.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, status, apiErr.StatusCode)
	return je
}

// TestPrepUpload500AfterCreationMayExist (review finding 5): prep upload answered HTTP 500
// after Smile ID created the job. It was a plain, Temporary *APIError, which invites a
// resubmission under a new job_id (a second billed job); it is ErrJobMayExist in a
// *JobError, and reconciling by job_id finds the job.
func TestPrepUpload500AfterCreationMayExist(t *testing.T) {
	srv, c := fake(t, nil, smileid.WithRetryPolicy(smileid.RetryPolicy{}))
	srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{Status: http.StatusInternalServerError, AfterProcessing: true})
	job := smileid.Job{PartnerParams: jobParams("rv-500", smileid.SmartSelfieRegistration),
		Images: []smileid.Image{selfie}, Options: smileid.JobOptions{CallbackURL: "https://partner.example/cb"}}
	_, err := c.WebAPI.SubmitJob(context.Background(), job)
	require.Error(t, err)
	_, again := c.WebAPI.SubmitJob(context.Background(), job)
	require.True(t, smileid.IsDuplicateJob(again), "the first attempt created the job: %v", again)
	requireMayExist(t, err, "rv-500", smileid.OpUpload, http.StatusInternalServerError)

	// ResumeJob, the documented reconciliation, finishes the job that exists.
	res, err := c.WebAPI.ResumeJob(context.Background(), job)
	require.NoError(t, err)
	require.Len(t, srv.Jobs(), 1)
	require.Equal(t, srv.Jobs()[0].SmileJobID, res.SmileJobID)
}

// TestJobCreating5xxMayExist: for every job-creating call, every 5xx that is not a refusal
// (503 with Retry-After) and not 501 leaves the outcome open: ErrJobMayExist in a
// *JobError, sent once even with retries allowed. 501 is an answer (an *APIError, not a
// JobError); 503 with Retry-After is a refusal, retried after the wait.
func TestJobCreating5xxMayExist(t *testing.T) {
	ctx := context.Background()
	for _, k := range append(append([]jobCreatingCall(nil), jobCreatingCalls...), productCalls...) {
		for _, status := range []int{500, 503, 505, 507, 599} {
			srv, c := fake(t, nil)
			srv.InjectFault(k.op, 1, smileidtest.Fault{Status: status})
			err := k.run(ctx, c, "s")
			requireMayExist(t, err, "s", k.op, status)
			require.Len(t, srv.RequestsFor(k.op), 1, "%s, HTTP %d: not repeated", k.name, status)
		}

		srv, c := fake(t, nil)
		srv.InjectFault(k.op, 1, smileidtest.Fault{Status: http.StatusNotImplemented})
		err := k.run(ctx, c, "ni")
		require.NotErrorIs(t, err, smileid.ErrJobMayExist, k.name)
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr, k.name)
		require.Equal(t, http.StatusNotImplemented, apiErr.StatusCode)
		var je *smileid.JobError
		require.False(t, errors.As(err, &je), "%s: HTTP 501 created nothing", k.name)
		require.Len(t, srv.RequestsFor(k.op), 1, k.name)

		srv, c = fake(t, nil)
		srv.InjectFault(k.op, 1, smileidtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0"})
		require.NoError(t, k.run(ctx, c, "ra"), "%s: a refusal is repeated", k.name)
		require.Len(t, srv.RequestsFor(k.op), 2, k.name)
	}
}

// answering returns a client whose server answers every request with status and body.
func answering(t *testing.T, status int, body string) *smileid.Client {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	c, err := smileid.NewClient(confPartnerID, confAPIKey, smileid.WithBaseURL(s.URL+"/v1"), smileid.WithValidationAPI(false),
		smileid.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	return c
}

// TestAsyncIDAPIUnusableAnswerIsAJobError (review finding 4): the async ID API answered
// HTTP 200 (the job may have been accepted, and billed) with a body that is not the
// documented JSON. It was a bare *APIError; it is ErrJobMayExist in a *JobError that
// keeps the body.
func TestAsyncIDAPIUnusableAnswerIsAJobError(t *testing.T) {
	c := answering(t, http.StatusOK, "Accepted")
	err := c.IDAPI.SubmitJobAsync(context.Background(), jobParams("rv-async", smileid.EnhancedKYC),
		smileid.IDInfo{Country: "NG", IDType: "NIN", IDNumber: "00000000000"}, "https://partner.example/cb")
	je := requireMayExist(t, err, "rv-async", smileid.OpAsyncIDVerification, http.StatusOK)
	require.Equal(t, "Accepted", string(je.Body))
}

// TestJobCreatingUnusable2xxMayExist: a 2xx answer a job-creating call cannot use (not
// JSON, or without what the call needs) is ErrJobMayExist in a *JobError with the body and
// the SmileJobID it states, never repeated; Smile ID's error envelope sent with 200 is a
// refusal, a plain *APIError with its code.
func TestJobCreatingUnusable2xxMayExist(t *testing.T) {
	ctx := context.Background()
	for _, k := range append(append([]jobCreatingCall(nil), jobCreatingCalls...), productCalls...) {
		for _, body := range []string{"", "Accepted", `{}`, `[1]`, `{"SmileJobID":"0000000042","smile_job_id":"0000000042"}`} {
			err := k.run(ctx, answering(t, http.StatusOK, body), "u")
			je := requireMayExist(t, err, "u", k.op, http.StatusOK)
			require.Equal(t, body, string(je.Body), "%s: %q", k.name, body)
			if k.op != smileid.OpToken && strings.Contains(body, "0000000042") {
				require.Equal(t, "0000000042", je.SmileJobID, k.name)
			}
		}

		err := k.run(ctx, answering(t, http.StatusOK, `{"code":"2213","error":"missing parameter"}`), "e")
		require.NotErrorIs(t, err, smileid.ErrJobMayExist, k.name)
		var je *smileid.JobError
		require.False(t, errors.As(err, &je), "%s: a refusal names no created job", k.name)
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr, k.name)
		require.Equal(t, "2213", apiErr.Code, k.name)
		require.Equal(t, "missing parameter", apiErr.Message, k.name)
	}

	// The asynchronous calls' explicit "success": false is a refusal; a 2xx that answers
	// the call as documented is not an error.
	for _, k := range []jobCreatingCall{jobCreatingCalls[3], productCalls[1]} {
		err := k.run(ctx, answering(t, http.StatusOK, `{"success":false}`), "f")
		require.NotErrorIs(t, err, smileid.ErrJobMayExist, k.name)
		var je *smileid.JobError
		require.False(t, errors.As(err, &je), k.name)
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr, k.name)
		require.Contains(t, err.Error(), "success: false", k.name)
		require.NoError(t, k.run(ctx, answering(t, http.StatusOK, `{"success":true}`), "t"), k.name)
	}
	tok, err := answering(t, http.StatusOK, `{"success":true,"token":"tok"}`).WebAPI.GetWebToken(ctx, smileid.WebTokenRequest{UserID: "u", JobID: "j",
		Product: smileid.ProductSmartSelfie, CallbackURL: "https://partner.example/cb"})
	require.NoError(t, err)
	require.Equal(t, "tok", tok)
}
