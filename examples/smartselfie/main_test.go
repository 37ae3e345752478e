package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampletest"
	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestRegisterThenAuthenticate: two jobs for one user_id, registration (4) then
// authentication (2), with distinct job IDs, both completed and approved.
func TestRegisterThenAuthenticate(t *testing.T) {
	report, srv := exampletest.Run(t, run, nil)
	jobs := srv.Jobs()
	require.Len(t, jobs, 2)
	reg, auth := jobs[0], jobs[1]
	require.Equal(t, smileid.SmartSelfieRegistration, reg.PartnerParams.JobType)
	require.Equal(t, smileid.SmartSelfieAuthentication, auth.PartnerParams.JobType)
	require.Equal(t, reg.PartnerParams.UserID, auth.PartnerParams.UserID)
	require.NotEqual(t, reg.PartnerParams.JobID, auth.PartnerParams.JobID)
	require.NotEqual(t, reg.SmileJobID, auth.SmileJobID)
	for _, j := range jobs {
		require.True(t, j.Complete && j.Success, j.PartnerParams.JobID)
		require.Equal(t, []string{"info.json", "selfie.jpg", "liveness.jpg"}, j.ZipEntries)
	}

	require.Equal(t, []string{reg.SmileJobID, auth.SmileJobID}, exampleutil.FieldValues(report, "SmileJobID"))
	require.Equal(t, []string{"0810", "1220"}, exampleutil.FieldValues(report, "ResultCode"))
	require.Equal(t, []string{"Enroll User", "Authenticated"}, exampleutil.FieldValues(report, "ResultText"))
	require.Equal(t, []string{reg.PartnerParams.UserID, reg.PartnerParams.UserID}, exampleutil.FieldValues(report, "User ID"))
	require.Regexp(t, `(?m)^\s+Register_Selfie\s+Approved$`, report)
	require.Regexp(t, `(?m)^\s+Selfie_To_Registered_Selfie_Compare\s+Completed$`, report)
	require.Equal(t, "approved (job_success is true)", exampleutil.FieldValue(report, "Outcome"))
	require.Contains(t, exampleutil.FieldValue(report, "Signature"), "verified by the SDK")
	exampletest.NoSecrets(t, report, smileidtest.DefaultAPIKey)
}

// TestAuthenticateExistingUser only authenticates the user -user-id names.
func TestAuthenticateExistingUser(t *testing.T) {
	report, srv := exampletest.Run(t, run, nil, "-user-id", "user-enrolled-earlier")
	jobs := srv.Jobs()
	require.Len(t, jobs, 1)
	require.Equal(t, smileid.SmartSelfieAuthentication, jobs[0].PartnerParams.JobType)
	require.Equal(t, "user-enrolled-earlier", jobs[0].PartnerParams.UserID)
	require.Equal(t, []string{"1220"}, exampleutil.FieldValues(report, "ResultCode"))
	require.NotContains(t, report, "1. Registering")
}
