package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampletest"
	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestSyncAndAsync: a synchronous job whose signed result shows the name and date of
// birth, then an asynchronous one whose result arrives at the local receiver, verified.
func TestSyncAndAsync(t *testing.T) {
	report, srv := exampletest.Run(t, run, nil)
	jobs := srv.Jobs()
	require.Len(t, jobs, 2)
	for _, j := range jobs {
		require.Equal(t, smileid.EnhancedKYC, j.PartnerParams.JobType)
		require.True(t, j.Success)
	}
	require.Empty(t, jobs[0].CallbackURL)
	receiverURL := strings.Fields(exampleutil.FieldValue(report, "Callback URL"))[0]
	require.Regexp(t, `^http://127\.0\.0\.1:\d+/smileid/callback$`, receiverURL)
	require.Equal(t, receiverURL, jobs[1].CallbackURL)

	// The fake delivered the callback and the receiver accepted it (HTTP 200).
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cbs, err := srv.WaitForCallbacks(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, jobs[1].PartnerParams.JobID, cbs[0].JobID)
	require.Equal(t, 200, cbs[0].StatusCode)

	// Both results are printed, with the name and date of birth but not the ID number.
	require.Equal(t, []string{jobs[0].SmileJobID, jobs[1].SmileJobID}, exampleutil.FieldValues(report, "SmileJobID"))
	require.Equal(t, []string{"1012", "1012"}, exampleutil.FieldValues(report, "ResultCode"))
	require.Equal(t, []string{"Test Person", "Test Person"}, exampleutil.FieldValues(report, "FullName"))
	require.Equal(t, []string{"1990-01-01", "1990-01-01"}, exampleutil.FieldValues(report, "DOB"))
	require.Equal(t, []string{"IDNumber (not shown)", "IDNumber (not shown)"}, exampleutil.FieldValues(report, "Also returned"))
	require.NotContains(t, report, "00000000000")
	require.Contains(t, exampleutil.FieldValue(report, "Signature"), "verified by the SDK on the ID API response")
	require.Contains(t, report, "Callback (confirmed with Smile ID's job status by Client.CallbackHandler):")
	exampletest.NoSecrets(t, report, smileidtest.DefaultAPIKey)
}

// TestSyncOnly skips the asynchronous job.
func TestSyncOnly(t *testing.T) {
	report, srv := exampletest.Run(t, run, nil, "-async=false", "-country", "KE", "-id-type", "NATIONAL_ID", "-id-number", "12345678")
	require.Len(t, srv.Jobs(), 1)
	require.NotContains(t, report, "2. Asynchronous")
	require.Equal(t, "KE NATIONAL_ID", exampleutil.FieldValue(report, "Country / IDType"))
	require.NotContains(t, report, "12345678")
}

// TestBadResultSignature: an ID API result signed with another key is an error.
func TestBadResultSignature(t *testing.T) {
	srv := smileidtest.NewServer(t)
	srv.InjectFault(smileid.OpIDVerification, 1, smileidtest.Fault{BadSignature: true})
	report, _, err := exampletest.RunErr(t, run, srv)
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	require.NotContains(t, report, "FullName")
}

// TestRealServerCallbackURL: against a real server the asynchronous job's result goes to
// SMILEID_CALLBACK_URL, and without it the asynchronous part is skipped.
func TestRealServerCallbackURL(t *testing.T) {
	for _, callback := range []string{"", "http://127.0.0.1:9/partner/callback?token=secret-token"} {
		srv, env := exampletest.RealServer(t)
		env[exampleutil.EnvCallbackURL] = callback
		var out bytes.Buffer
		require.NoError(t, run(exampletest.Context(t), &out, exampletest.Env(env), nil), out.String())
		report := out.String()
		exampletest.NoSecrets(t, report, exampletest.APIKey)
		require.NotContains(t, report, "secret-token")
		if callback == "" {
			require.Len(t, srv.Jobs(), 1)
			require.Contains(t, exampleutil.FieldValue(report, "Skipped"), "set SMILEID_CALLBACK_URL")
			continue
		}
		require.Len(t, srv.Jobs(), 2)
		require.Equal(t, callback, srv.Jobs()[1].CallbackURL)
		require.Equal(t, "http://127.0.0.1:9/partner/callback?[query not shown] (from SMILEID_CALLBACK_URL)", exampleutil.FieldValue(report, "Callback URL"))
		require.Contains(t, exampleutil.FieldValue(report, "Submitted"), "accepted")
	}
}
