package smileid_test

// A call's options (WithRetry) reach every request the call makes: the zip upload and the
// fetch of the services document included.

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestWithRetryReachesTheZipUpload (review finding 9): WithRetry(MaxRetries: 0) makes
// every request of the call a single attempt, the zip upload included.
func TestWithRetryReachesTheZipUpload(t *testing.T) {
	srv, c := fake(t, nil)
	srv.InjectFault(smileid.OpUploadZip, 3, smileidtest.Fault{Status: http.StatusInternalServerError})
	job := smileid.Job{PartnerParams: jobParams("rv-retry", smileid.SmartSelfieRegistration),
		Images: []smileid.Image{selfie}, Options: smileid.JobOptions{CallbackURL: "https://partner.example/cb"}}
	_, err := c.WebAPI.SubmitJob(context.Background(), job, smileid.WithRetry(smileid.RetryPolicy{MaxRetries: 0}))
	require.Error(t, err)
	require.Equal(t, 1, len(srv.RequestsFor(smileid.OpUploadZip)), "WithRetry(MaxRetries: 0) must make the upload a single attempt")

	// And the other way: a call's retries beyond the client's reach the upload.
	srv, c = fake(t, nil, smileid.WithRetryPolicy(smileid.RetryPolicy{}))
	srv.InjectFault(smileid.OpUploadZip, 2, smileidtest.Fault{Status: http.StatusInternalServerError})
	_, err = c.WebAPI.SubmitJob(context.Background(), job, smileid.WithRetry(fastRetry))
	require.NoError(t, err)
	require.Len(t, srv.RequestsFor(smileid.OpUploadZip), 3)
}

// TestWithRetryReachesTheServicesFetch: the services document a call fetches to check its
// job (WithValidationAPI) follows the call's WithRetry.
func TestWithRetryReachesTheServicesFetch(t *testing.T) {
	ctx := context.Background()
	srv, c := fake(t, nil)
	srv.InjectFault(smileid.OpServices, 3, smileidtest.Fault{Status: http.StatusServiceUnavailable})
	_, err := c.IDAPI.SubmitJob(ctx, jobParams("sv", smileid.EnhancedKYC), bvn, smileid.WithRetry(smileid.RetryPolicy{}))
	require.Error(t, err)
	require.Len(t, srv.RequestsFor(smileid.OpServices), 1, "WithRetry(MaxRetries: 0) makes the services fetch a single attempt")
	require.Empty(t, srv.RequestsFor(smileid.OpIDVerification), "nothing is submitted unchecked")

	srv, c = fake(t, nil, smileid.WithRetryPolicy(smileid.RetryPolicy{}))
	srv.InjectFault(smileid.OpServices, 2, smileidtest.Fault{Status: http.StatusServiceUnavailable})
	_, err = c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("sv2", smileid.EnhancedKYC), IDInfo: bvn}, smileid.WithRetry(fastRetry))
	require.NoError(t, err)
	require.Len(t, srv.RequestsFor(smileid.OpServices), 3)
}
