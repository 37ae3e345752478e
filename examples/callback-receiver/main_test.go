package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampletest"
	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestDemo: a forged callback is refused, also with a genuine signature, and the job's real
// callback arrives, confirmed with the job's status.
func TestDemo(t *testing.T) {
	report, srv := exampletest.Run(t, run, nil)
	require.Equal(t, "HTTP 401 Unauthorized", exampleutil.FieldValue(report, "Receiver answered"))
	require.Contains(t, report, "HTTP 409 Conflict (Smile ID does not confirm it)")
	jobs := srv.Jobs()
	require.Len(t, jobs, 1)
	j := jobs[0]
	require.Equal(t, smileid.SmartSelfieRegistration, j.PartnerParams.JobType)
	require.Equal(t, exampleutil.FieldValue(report, "Receiver"), j.CallbackURL)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cbs, err := srv.WaitForCallbacks(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, j.PartnerParams.JobID, cbs[0].JobID)
	require.Equal(t, http.StatusOK, cbs[0].StatusCode)

	require.Contains(t, report, "Callback received, confirmed with Smile ID's job status (Client.CallbackHandler):")
	require.Equal(t, "true", exampleutil.FieldValue(report, "job_complete"))
	require.NotEmpty(t, srv.RequestsFor(smileid.OpJobStatus), "the receiver asked Smile ID")
	require.Equal(t, j.SmileJobID, exampleutil.FieldValue(report, "SmileJobID"))
	require.Equal(t, "0810", exampleutil.FieldValue(report, "ResultCode"))
	require.Contains(t, exampleutil.FieldValue(report, "PartnerParams"), "job_id "+j.PartnerParams.JobID+",")
	exampletest.NoSecrets(t, report, smileidtest.DefaultAPIKey)
}

// TestServe listens until cancelled, printing each verified callback and refusing
// forged ones.
func TestServe(t *testing.T) {
	// The receiver confirms each callback with the server's job status: the fake, over
	// loopback http, stands in for Smile ID's servers (SMILEID_SERVER).
	srv := smileidtest.NewServer(t, smileidtest.WithCompletion(0, 0), smileidtest.WithPlainHTTP())
	env := exampletest.Env(map[string]string{exampleutil.EnvPartnerID: srv.PartnerID, exampleutil.EnvAPIKey: srv.APIKey,
		exampleutil.EnvServer: srv.URL})
	ctx, cancel := context.WithCancel(exampletest.Context(t))
	defer cancel()
	var out exampletest.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, &out, env, []string{"-serve", "-addr", "127.0.0.1:0"}) }()

	report := out.WaitFor(t, "Press Ctrl-C to stop.")
	require.Contains(t, exampleutil.FieldValue(report, "Server"), srv.URL)
	callbackURL := "http://" + exampleutil.FieldValue(report, "Listening on") + exampleutil.CallbackPath

	// A forged callback is refused, also with a genuine signature.
	status, err := postForgedCallback(ctx, callbackURL, smileid.NewSignature(srv.PartnerID, "not-the-api-key"))
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, status)
	status, err = postForgedCallback(ctx, callbackURL, smileid.NewSignature(srv.PartnerID, srv.APIKey))
	require.NoError(t, err)
	require.Equal(t, http.StatusConflict, status)

	// A job's callback is verified and printed.
	client, err := srv.NewClient()
	require.NoError(t, err)
	_, err = client.WebAPI.SubmitJob(ctx, smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "user-9", JobID: "job-9", JobType: smileid.SmartSelfieRegistration},
		Images:        []smileid.Image{smileid.SelfieFile(exampletest.SampleFile(t, exampleutil.Selfie))},
		Options:       smileid.JobOptions{CallbackURL: callbackURL},
	})
	require.NoError(t, err)
	report = out.WaitFor(t, "confirmed with Smile ID, job_id job-9:")
	require.NotContains(t, report, "forged-job")
	cbs, err := srv.WaitForCallbacks(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cbs[0].StatusCode)
	require.Contains(t, report, "ResultCode:")

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	require.True(t, strings.HasSuffix(out.String(), "Stopped.\n"))
	exampletest.NoSecrets(t, out.String(), srv.APIKey)
}

// TestServeNeedsCredentials: -serve verifies with the partner's API key, so it needs it;
// with credentials and no -serve there is nothing to demonstrate.
func TestServeNeedsCredentials(t *testing.T) {
	_, srv, err := exampletest.RunErr(t, run, nil, "-serve")
	require.ErrorContains(t, err, "-serve verifies callbacks with your API key")
	require.Empty(t, srv.Requests())

	env := exampletest.Env(map[string]string{exampleutil.EnvPartnerID: "1", exampleutil.EnvAPIKey: "k"})
	var out bytes.Buffer
	err = run(exampletest.Context(t), &out, env, nil)
	require.ErrorContains(t, err, "run with -serve")
}
