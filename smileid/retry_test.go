package smileid_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

func bodyField(t *testing.T, r smileidtest.Request, field string) any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m))
	return m[field]
}

// TestRetriesOnlyWhatIsSafe checks which operations are retried, that every retry is
// signed afresh, and that Retry-After is honoured up to the policy's cap.
func TestRetriesOnlyWhatIsSafe(t *testing.T) {
	ctx := context.Background()

	t.Run("job status is retried and re-signed", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpJobStatus, 1, smileidtest.Fault{Status: 503})
		srv.InjectFault(smileid.OpJobStatus, 1, smileidtest.Fault{Status: 429, RetryAfter: "0"})
		_, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "u", JobID: "j"})
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr, "the third attempt reaches the fake, which does not know the job")
		require.Equal(t, 404, apiErr.StatusCode)
		reqs := srv.RequestsFor(smileid.OpJobStatus)
		require.Len(t, reqs, 3)
		sigs := map[any]bool{}
		for _, r := range reqs {
			sigs[bodyField(t, r, "timestamp")] = true
		}
		require.Len(t, sigs, 3, "each attempt has its own timestamp and signature")
	})

	t.Run("gives up after MaxRetries", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpServices, 10, smileidtest.Fault{Status: 502})
		_, err := c.Utilities.GetServices(ctx)
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, 502, apiErr.StatusCode)
		require.True(t, apiErr.Temporary())
		require.Len(t, srv.RequestsFor(smileid.OpServices), 3)
	})

	t.Run("network errors are retried", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpValidDocuments, 2, smileidtest.Fault{DropConnection: true})
		docs, err := c.Utilities.GetValidDocuments(ctx)
		require.NoError(t, err)
		require.NotEmpty(t, docs.ValidDocuments)
		require.Len(t, srv.RequestsFor(smileid.OpValidDocuments), 3)
	})

	t.Run("a Retry-After beyond the cap is not waited for", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpJobStatus, 1, smileidtest.Fault{Status: 503, RetryAfter: "3600"})
		_, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "u", JobID: "j"})
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, 503, apiErr.StatusCode)
		require.Equal(t, time.Hour, apiErr.RetryAfter)
		require.Len(t, srv.RequestsFor(smileid.OpJobStatus), 1)
	})

	t.Run("a 4xx is not retried", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpJobStatus, 1, smileidtest.Fault{Status: 400})
		_, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "u", JobID: "j"})
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.False(t, apiErr.Temporary())
		require.Len(t, srv.RequestsFor(smileid.OpJobStatus), 1)
	})

	t.Run("prep upload is never retried", func(t *testing.T) {
		for _, f := range []smileidtest.Fault{{Status: 503}, {DropConnection: true}} {
			srv, c := fake(t, nil)
			srv.InjectFault(smileid.OpUpload, 1, f)
			_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("u", smileid.SmartSelfieRegistration),
				Images: []smileid.Image{selfie}, Options: smileid.JobOptions{ReturnJobStatus: true}})
			require.Error(t, err)
			require.Len(t, srv.RequestsFor(smileid.OpUpload), 1, "a retry could create a second job")
			require.Empty(t, srv.RequestsFor(smileid.OpUploadZip))
		}
	})

	t.Run("the ID API and tokens are never retried", func(t *testing.T) {
		srv, c := fake(t, nil, smileid.WithCallbackURL("https://partner.example.com/cb"))
		for _, op := range []smileid.Operation{smileid.OpIDVerification, smileid.OpBusinessVerification, smileid.OpAsyncIDVerification, smileid.OpToken} {
			srv.InjectFault(op, 1, smileidtest.Fault{Status: 500})
		}
		info := smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000"}
		_, err := c.IDAPI.SubmitJob(ctx, jobParams("a", smileid.EnhancedKYC), info)
		require.Error(t, err)
		_, err = c.IDAPI.SubmitJob(ctx, jobParams("b", smileid.BusinessVerification), smileid.IDInfo{Country: "NG", IDType: "BUSINESS_REGISTRATION", IDNumber: "0000000"})
		require.Error(t, err)
		require.Error(t, c.IDAPI.SubmitJobAsync(ctx, jobParams("c", smileid.EnhancedKYC), info, ""))
		_, err = c.WebAPI.GetWebToken(ctx, smileid.WebTokenRequest{UserID: "u", JobID: "j", Product: smileid.ProductSmartSelfie})
		require.Error(t, err)
		for _, op := range []smileid.Operation{smileid.OpIDVerification, smileid.OpBusinessVerification, smileid.OpAsyncIDVerification, smileid.OpToken} {
			require.Len(t, srv.RequestsFor(op), 1, op)
		}
	})

	t.Run("the zip upload is retried with the whole zip", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpUploadZip, 1, smileidtest.Fault{Status: 500, Body: "<Error><Code>InternalError</Code></Error>"})
		srv.InjectFault(smileid.OpUploadZip, 1, smileidtest.Fault{DropConnection: true})
		res, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("z", smileid.SmartSelfieRegistration),
			Images: []smileid.Image{selfie, liveness}, Options: smileid.JobOptions{ReturnJobStatus: true}})
		require.NoError(t, err)
		require.True(t, res.Status.JobComplete)
		puts := srv.RequestsFor(smileid.OpUploadZip)
		require.Len(t, puts, 3)
		require.Equal(t, puts[0].Body, puts[2].Body, "the retry sends the same zip")
		require.Len(t, srv.RequestsFor(smileid.OpUpload), 1, "one job")
	})

	t.Run("cancellation stops the waits", func(t *testing.T) {
		srv, c := fake(t, nil, smileid.WithRetryPolicy(smileid.RetryPolicy{MaxRetries: 5, InitialBackoff: time.Hour, MaxBackoff: time.Hour, MaxRetryAfter: time.Hour}))
		srv.InjectFault(smileid.OpJobStatus, 10, smileidtest.Fault{Status: 503})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for len(srv.RequestsFor(smileid.OpJobStatus)) == 0 {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}()
		_, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "u", JobID: "j"})
		require.ErrorIs(t, err, context.Canceled)
		require.Len(t, srv.RequestsFor(smileid.OpJobStatus), 1)
	})

	t.Run("the per-attempt timeout ends a slow attempt, which is retried", func(t *testing.T) {
		srv, c := fake(t, nil, smileid.WithTimeout(50*time.Millisecond))
		srv.InjectFault(smileid.OpServices, 1, smileidtest.Fault{Delay: 10 * time.Second})
		_, err := c.Utilities.GetServices(ctx)
		require.NoError(t, err)
		require.Len(t, srv.RequestsFor(smileid.OpServices), 2)
	})
}
