package smileidtest_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// fatalTB records Fatal calls and ends the calling goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
	fatals []string
}

func (f *fatalTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fatalTB) Fatal(args ...any) {
	f.mu.Lock()
	f.fatals = append(f.fatals, fmt.Sprint(args...))
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fatalTB) Fatalf(format string, args ...any) { f.Fatal(fmt.Sprintf(format, args...)) }

// inGoroutine runs f as a test would, so that a Fatal ending it does not end the caller.
func inGoroutine(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

// TestUnknownOperationFailsTheTest checks that a fault or a request inspection naming an
// operation the fake does not serve fails the test instead of silently matching nothing.
func TestUnknownOperationFailsTheTest(t *testing.T) {
	ft := &fatalTB{TB: t}
	srv := smileidtest.NewServer(ft)
	for _, op := range []smileid.Operation{"jobStatus", "uploadZip", "getServices", "nope", ""} {
		inGoroutine(func() { srv.InjectFault(op, 1, smileidtest.Fault{Status: 500}) })
		inGoroutine(func() { _ = srv.RequestsFor(op) })
	}
	require.Len(t, ft.fatals, 10)
	require.Contains(t, ft.fatals[0], `InjectFault("jobStatus")`)
	require.Contains(t, ft.fatals[0], "job_status", "the message lists the operations the fake serves")

	// Every smileid operation the spec describes is known; the fake serves all of them.
	ops := srv.Operations()
	require.Equal(t, smileid.Operations()[:10], ops[:10], "the ten operations of the first release, in order")
	for _, op := range ops {
		inGoroutine(func() {
			srv.InjectFault(op, 1, smileidtest.Fault{Status: 503})
			require.Empty(t, srv.RequestsFor(op))
		})
	}
	require.Len(t, ft.fatals, 10, "no fatal for a known operation")

	// Outside a test, an unknown operation panics.
	s2, err := smileidtest.Start(smileidtest.WithPlainHTTP())
	require.NoError(t, err)
	defer s2.Close()
	require.PanicsWithValue(t, `smileidtest: InjectFault("jobStatus"): the fake serves no such operation; use a smileid.Op constant (`+fmt.Sprint(s2.Operations())+`)`,
		func() { s2.InjectFault("jobStatus", 1, smileidtest.Fault{}) })
}

// TestNoManifestNoPanic is the crash of issue 8: a zip refused before its info.json was
// read, then a poll asking for image links. The fake answered with a panic while holding
// its lock, and every later request hung.
func TestNoManifestNoPanic(t *testing.T) {
	srv := smileidtest.NewServer(t, smileidtest.AllowSpecViolations(), smileidtest.WithCompletion(0, 0))
	for i, zipBody := range []string{"not a zip", "PK\x05\x06" + strings.Repeat("\x00", 18)} {
		jobID := fmt.Sprintf("nomanifest-%d", i)
		uploadURL := prepUpload(t, srv, jobID, 4)
		code, _ := putZip(t, srv, uploadURL, []byte(zipBody))
		require.Equal(t, 200, code)

		code, out := post(t, srv, "/job_status", signed(srv, "partner_id", map[string]any{"user_id": "u", "job_id": jobID, "history": true, "image_links": true}))
		require.Equal(t, 200, code, out)
		require.Equal(t, true, out["job_complete"])
		require.Equal(t, false, out["job_success"])
		require.Equal(t, "0903", out["result"].(map[string]any)["ResultCode"])
		require.Empty(t, out["image_links"])
	}
	// The fake still answers.
	code, _ := post(t, srv, "/job_status", signed(srv, "partner_id", map[string]any{"user_id": "u", "job_id": "nomanifest-0", "history": false, "image_links": false}))
	require.Equal(t, 200, code)
}

// TestIDAPIJobStatus checks that job status of an ID API job (5 and 7, sync and async)
// returns the stored result, as Smile ID does, and not "No zip file received".
func TestIDAPIJobStatus(t *testing.T) {
	srv := smileidtest.NewServer(t)
	c, err := srv.NewClient(smileid.WithCallbackURL("https://partner.example.com/cb"))
	require.NoError(t, err)
	ctx := context.Background()
	ekyc := smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000"}
	kyb := smileid.IDInfo{Country: "NG", IDType: "BUSINESS_REGISTRATION", IDNumber: "0000000"}
	_, err = c.IDAPI.SubmitJob(ctx, smileid.PartnerParams{UserID: "u", JobID: "sync-5", JobType: smileid.EnhancedKYC}, ekyc)
	require.NoError(t, err)
	_, err = c.IDAPI.SubmitJob(ctx, smileid.PartnerParams{UserID: "u", JobID: "sync-7", JobType: smileid.BusinessVerification}, kyb)
	require.NoError(t, err)
	require.NoError(t, c.IDAPI.SubmitJobAsync(ctx, smileid.PartnerParams{UserID: "u", JobID: "async-5", JobType: smileid.EnhancedKYC}, ekyc, ""))
	require.NoError(t, c.IDAPI.SubmitJobAsync(ctx, smileid.PartnerParams{UserID: "u", JobID: "async-7", JobType: smileid.BusinessVerification}, kyb, ""))
	for _, id := range []string{"sync-5", "sync-7", "async-5", "async-7"} {
		st, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "u", JobID: id, History: true, ImageLinks: true})
		require.NoError(t, err, id)
		require.True(t, st.JobComplete, id)
		require.True(t, st.JobSuccess, id)
		r := st.LatestResult()
		require.NotNil(t, r, id)
		require.Equal(t, "1012", r.ResultCode, id)
		job, _ := srv.Job(id)
		require.Equal(t, job.SmileJobID, r.SmileJobID, id)
	}
}

// TestFaultAfterProcessing checks the fault that loses the answer of a request the fake
// processed: the job exists (a partner must reconcile, smileid.ErrJobMayExist), the zip
// is accepted, the poll is counted.
func TestFaultAfterProcessing(t *testing.T) {
	ctx := context.Background()
	job := func(id string) smileid.Job {
		return smileid.Job{
			PartnerParams: smileid.PartnerParams{UserID: "u", JobID: id, JobType: smileid.SmartSelfieRegistration},
			Images:        []smileid.Image{smileid.SelfieFile(fixtures + "selfie.jpg")},
			Options:       smileid.JobOptions{ReturnJobStatus: true},
		}
	}
	for _, f := range []smileidtest.Fault{{AfterProcessing: true, DropConnection: true}, {AfterProcessing: true, Status: http.StatusBadGateway}} {
		t.Run(fmt.Sprintf("prep upload, drop %v, status %d", f.DropConnection, f.Status), func(t *testing.T) {
			srv := smileidtest.NewServer(t)
			c, err := srv.NewClient(smileid.WithRetryPolicy(smileid.RetryPolicy{}))
			require.NoError(t, err)
			srv.InjectFault(smileid.OpUpload, 1, f)
			_, err = c.WebAPI.SubmitJob(ctx, job("after-1"))
			require.Error(t, err)
			if f.DropConnection {
				require.ErrorIs(t, err, smileid.ErrJobMayExist)
			}
			j, ok := srv.Job("after-1")
			require.True(t, ok, "the job exists although its answer was lost")
			require.NotEmpty(t, j.SmileJobID)
			require.Contains(t, srv.RequestsFor(smileid.OpUpload)[0].Problem, "injected after processing")

			// A fault without AfterProcessing leaves nothing behind.
			srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{Status: f.Status, DropConnection: f.DropConnection})
			_, err = c.WebAPI.SubmitJob(ctx, job("before-1"))
			require.Error(t, err)
			_, ok = srv.Job("before-1")
			require.False(t, ok)
		})
	}
	t.Run("the zip is accepted, the answer lost", func(t *testing.T) {
		srv := smileidtest.NewServer(t, smileidtest.WithCompletion(0, 0))
		c, err := srv.NewClient(smileid.WithRetryPolicy(smileid.RetryPolicy{}))
		require.NoError(t, err)
		srv.InjectFault(smileid.OpUploadZip, 1, smileidtest.Fault{AfterProcessing: true, Status: http.StatusInternalServerError})
		_, err = c.WebAPI.SubmitJob(ctx, job("zip-1"))
		require.Error(t, err)
		j, _ := srv.Job("zip-1")
		require.True(t, j.Complete && j.Success, "the job went on: %+v", j)
		require.NotNil(t, j.Manifest)
	})
	t.Run("a poll is counted, its answer lost", func(t *testing.T) {
		srv := smileidtest.NewServer(t, smileidtest.WithCompletion(1, time.Hour))
		c, err := srv.NewClient()
		require.NoError(t, err)
		srv.InjectFault(smileid.OpJobStatus, 1, smileidtest.Fault{AfterProcessing: true, DropConnection: true})
		res, err := c.WebAPI.SubmitJob(ctx, job("poll-1"))
		require.NoError(t, err, "the next poll recovers")
		require.True(t, res.Status.JobComplete)
		j, _ := srv.Job("poll-1")
		require.Equal(t, 2, j.Polls, "the lost poll counted as the pending one")
	})
}

// TestHandlerPanicIsReported checks that a handler failing does not take the fake down or
// leave it locked: the request gets HTTP 500, the test using the fake fails, and the fake
// keeps serving. (The fake panics on purpose for a job ID no real request uses.)
func TestHandlerPanicIsReported(t *testing.T) {
	ft := &fatalTB{TB: t}
	srv := smileidtest.NewServer(ft)
	code, _ := post(t, srv, "/job_status", signed(srv, "partner_id", map[string]any{"user_id": "u", "job_id": smileidtest.PanicJobID, "history": false, "image_links": false}))
	require.Equal(t, http.StatusInternalServerError, code)
	require.Len(t, ft.errors, 1)
	require.Contains(t, ft.errors[0], "smileidtest: internal error serving POST /v1/job_status")
	require.NotContains(t, ft.errors[0], `"user_id"`, "no request body in the report")

	// Not locked: the next requests are served.
	done := make(chan struct{})
	go func() {
		defer close(done)
		code, _ = post(t, srv, "/job_status", signed(srv, "partner_id", map[string]any{"user_id": "u", "job_id": "none", "history": false, "image_links": false}))
		_ = srv.Jobs()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the fake is locked after a handler panicked")
	}
	require.Equal(t, http.StatusNotFound, code)

	// Standalone: logged, and served on.
	var logged []string
	var mu sync.Mutex
	s2, err := smileidtest.Start(smileidtest.WithLogf(func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, fmt.Sprintf(format, args...))
	}))
	require.NoError(t, err)
	defer s2.Close()
	code, _ = post(t, s2, "/job_status", signed(s2, "partner_id", map[string]any{"user_id": "u", "job_id": smileidtest.PanicJobID, "history": false, "image_links": false}))
	require.Equal(t, http.StatusInternalServerError, code)
	mu.Lock()
	require.Len(t, logged, 1)
	require.Contains(t, logged[0], "internal error")
	mu.Unlock()
	code, _ = post(t, s2, "/job_status", signed(s2, "partner_id", map[string]any{"user_id": "u", "job_id": "none", "history": false, "image_links": false}))
	require.Equal(t, http.StatusNotFound, code)
}

// prepUpload creates an upload job and returns its upload URL.
func prepUpload(t *testing.T, srv *smileidtest.Server, jobID string, jobType int) string {
	t.Helper()
	code, out := post(t, srv, "/upload", signed(srv, "smile_client_id", map[string]any{"file_name": "selfie.zip", "model_parameters": map[string]any{},
		"partner_params": map[string]any{"user_id": "u", "job_id": jobID, "job_type": jobType}}))
	require.Equal(t, 200, code, out)
	return out["upload_url"].(string)
}

// putZip PUTs a zip to an upload URL.
func putZip(t *testing.T, srv *smileidtest.Server, uploadURL string, zipBody []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, uploadURL, bytes.NewReader(zipBody))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/zip")
	rsp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer rsp.Body.Close()
	b, _ := io.ReadAll(rsp.Body)
	return rsp.StatusCode, string(b)
}

// TestResultsDecide checks the fake's results against smileid.Decide: an approval the
// fake gives with a documented code is approved, and nothing the fake rejects or leaves
// provisional is ever approved (its stand-in codes decide as unknown).
func TestResultsDecide(t *testing.T) {
	srv := smileidtest.NewServer(t, smileidtest.WithCompletion(0, 0))
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	selfie, idCard := smileid.SelfieFile(fixtures+"selfie.jpg"), smileid.IDCardFile(fixtures+"id_card.jpg")
	documented := map[smileid.JobType]bool{smileid.BiometricKYC: true, smileid.SmartSelfieAuthentication: true, smileid.DocumentVerification: true}
	for _, jt := range []smileid.JobType{smileid.BiometricKYC, smileid.SmartSelfieAuthentication, smileid.SmartSelfieRegistration, smileid.DocumentVerification, smileid.EnhancedDocumentVerification} {
		for _, sandbox := range []string{"0", "1", "2"} {
			pp := smileid.PartnerParams{UserID: "u", JobID: fmt.Sprintf("decide-%d-%s", jt, sandbox), JobType: jt}
			pp.Set("sandbox_result", sandbox)
			res, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: pp, Images: []smileid.Image{selfie, idCard},
				IDInfo: smileid.IDInfo{Country: "KE", IDType: "NATIONAL_ID"}, Options: smileid.JobOptions{ReturnJobStatus: true}})
			require.NoError(t, err, pp.JobID)
			d := smileid.DecideStatus(jt, res.Status)
			switch {
			case sandbox == "0" && documented[jt]:
				require.Equal(t, smileid.OutcomeApproved, d.Outcome, "%s: %+v", pp.JobID, d)
			default:
				require.NotEqual(t, smileid.OutcomeApproved, d.Outcome, "%s: %+v", pp.JobID, d)
			}
		}
	}
}
