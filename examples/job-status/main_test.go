package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampletest"
	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestOffline submits a job without waiting, finds it pending, then polls it complete.
func TestOffline(t *testing.T) {
	report, srv := exampletest.Run(t, run, nil, "-user-id", "user-42", "-job-id", "job-42")
	j, ok := srv.Job("job-42")
	require.True(t, ok)
	require.Equal(t, "user-42", j.PartnerParams.UserID)
	require.True(t, j.Complete && j.Success)
	require.GreaterOrEqual(t, j.Polls, 2)
	require.Regexp(t, `^http://127\.0\.0\.1:\d+/smileid/callback$`, j.CallbackURL)

	require.Equal(t, []string{"false", "true"}, exampleutil.FieldValues(report, "job_complete"))
	require.Equal(t, "none yet", exampleutil.FieldValue(report, "result"))
	require.Equal(t, j.SmileJobID, exampleutil.FieldValue(report, "SmileJobID"))
	require.Equal(t, "0810", exampleutil.FieldValue(report, "ResultCode"))
	require.Contains(t, report, "Utilities.GetJobStatus (POST /job_status) of job job-42, user user-42:")
	require.Contains(t, report, "WebAPI.PollJobStatus: polling until the job is complete...")
	require.Equal(t, "approved (job_success is true)", exampleutil.FieldValue(report, "Outcome"))
	exampletest.NoSecrets(t, report, smileidtest.DefaultAPIKey)
}

// TestExistingJob queries a job that exists on the server named by the environment.
func TestExistingJob(t *testing.T) {
	srv, envMap := exampletest.RealServer(t)
	client, err := srv.NewClient(smileid.WithPollPolicy(smileid.PollPolicy{InitialInterval: 5 * time.Millisecond, MaxInterval: 5 * time.Millisecond, MaxWait: 10 * time.Second, MaxErrors: 1}))
	require.NoError(t, err)
	res, err := client.WebAPI.SubmitJob(exampletest.Context(t), smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "user-7", JobID: "job-7", JobType: smileid.SmartSelfieRegistration},
		Images:        []smileid.Image{smileid.SelfieFile(exampletest.SampleFile(t, exampleutil.Selfie))},
		Options:       smileid.JobOptions{ReturnJobStatus: true},
	})
	require.NoError(t, err)

	env := exampletest.Env(envMap)
	var out bytes.Buffer
	require.NoError(t, run(exampletest.Context(t), &out, env, []string{"-user-id", "user-7", "-job-id", "job-7", "-history", "-image-links"}), out.String())
	report := out.String()
	require.Equal(t, []string{"true"}, exampleutil.FieldValues(report, "job_complete"))
	require.Equal(t, res.SmileJobID, exampleutil.FieldValue(report, "SmileJobID"))
	require.Equal(t, "1 result(s)", exampleutil.FieldValue(report, "History"))
	require.Equal(t, "selfie_image (URLs not shown: they are credentials)", exampleutil.FieldValue(report, "Image links"))
	require.NotContains(t, report, "The fake starts empty")
	exampletest.NoSecrets(t, report, exampletest.APIKey)

	// Naming no job, or an unknown one, is an error.
	out.Reset()
	err = run(exampletest.Context(t), &out, env, nil)
	require.ErrorContains(t, err, "-user-id and -job-id")
	err = run(exampletest.Context(t), &out, env, []string{"-user-id", "user-7", "-job-id", "job-unknown"})
	var apiErr *smileid.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 404, apiErr.StatusCode)
}
