package smileid_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

func TestIDAPI(t *testing.T) {
	ctx := context.Background()
	info := smileid.IDInfo{FirstName: "Joe", LastName: "Bloggs", Country: "NG", IDType: "BVN", IDNumber: "00000000000", DOB: "2000-09-20"}

	t.Run("enhanced kyc", func(t *testing.T) {
		srv, c := fake(t, nil)
		pp := jobParams("ekyc", smileid.EnhancedKYC)
		pp.Set("optional_info", "kept")
		v, err := c.IDAPI.SubmitJob(ctx, pp, info)
		require.NoError(t, err)
		require.Equal(t, "1012", v.ResultCode)
		require.Equal(t, "Joe Bloggs", v.FullName)
		require.Equal(t, smileid.ActionVerified, *v.Actions.VerifyIDNumber)
		require.Nil(t, v.Business)
		require.NotEmpty(t, v.Raw)
		require.Equal(t, []smileid.Operation{smileid.OpServices, smileid.OpIDVerification}, ops(srv))
		var body map[string]any
		require.NoError(t, json.Unmarshal(srv.RequestsFor(smileid.OpIDVerification)[0].Body, &body))
		require.Equal(t, "00000000000", body["id_number"], "id_info is flattened into the body")
		require.Equal(t, "kept", body["partner_params"].(map[string]any)["optional_info"])
		require.NotContains(t, body, "entered")
	})

	t.Run("entered is not sent to the ID API", func(t *testing.T) {
		srv, c := fake(t, nil)
		withEntered := info
		withEntered.Entered = smileid.EnteredTrue // as a seed job's id_info may have it
		_, err := c.IDAPI.SubmitJob(ctx, jobParams("ent", smileid.EnhancedKYC), withEntered)
		require.NoError(t, err)
		var body map[string]any
		require.NoError(t, json.Unmarshal(srv.RequestsFor(smileid.OpIDVerification)[0].Body, &body))
		require.NotContains(t, body, "entered")
	})

	t.Run("through WebAPI.SubmitJob", func(t *testing.T) {
		srv, c := fake(t, nil)
		pp := jobParams("web5", smileid.EnhancedKYC)
		pp.Set("sandbox_result", "1")
		res, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: pp, IDInfo: info, Options: smileid.JobOptions{SkipValidationAPI: true}})
		require.NoError(t, err)
		require.Equal(t, "1013", res.Verification.ResultCode, "not found in the sandbox")
		require.Equal(t, res.Verification.SmileJobID, res.SmileJobID)
		require.Equal(t, []smileid.Operation{smileid.OpIDVerification}, ops(srv))
	})

	t.Run("business verification", func(t *testing.T) {
		srv, c := fake(t, nil)
		v, err := c.IDAPI.SubmitJob(ctx, jobParams("kyb", smileid.BusinessVerification),
			smileid.IDInfo{Country: "NG", IDType: "BUSINESS_REGISTRATION", IDNumber: "0000000", BusinessType: "co"})
		require.NoError(t, err)
		require.Equal(t, "1012", v.ResultCode)
		require.NotNil(t, v.Business)
		require.Equal(t, "Test Business Ltd", v.Business.CompanyInformation["legal_name"])
		require.Equal(t, smileid.ActionVerified, *v.Actions.VerifyBusiness)
		require.Equal(t, []smileid.Operation{smileid.OpBusinessVerification}, ops(srv), "KYB is not checked against the services document")
	})

	t.Run("the result's signature is verified", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpIDVerification, 1, smileidtest.Fault{BadSignature: true})
		_, err := c.IDAPI.SubmitJob(ctx, jobParams("sig", smileid.EnhancedKYC), info)
		require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	})

	t.Run("unknown id type", func(t *testing.T) {
		srv, c := fake(t, nil, smileid.WithValidationAPI(false))
		bad := info
		bad.IDType = "NO_SUCH_ID"
		_, err := c.IDAPI.SubmitJob(ctx, jobParams("u", smileid.EnhancedKYC), bad)
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, "2413", apiErr.Code)
		require.Len(t, srv.RequestsFor(smileid.OpIDVerification), 1)
	})

	t.Run("wrong job type", func(t *testing.T) {
		srv, c := fake(t, nil)
		_, err := c.IDAPI.SubmitJob(ctx, jobParams("w", smileid.BiometricKYC), info)
		var ve *smileid.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, "partner_params.job_type", ve.Field)
		require.ErrorAs(t, c.IDAPI.SubmitJobAsync(ctx, jobParams("w", smileid.DocumentVerification), info, "https://x.example/cb"), &ve)
		require.Empty(t, srv.Requests())
	})

	t.Run("async with callback", func(t *testing.T) {
		got := make(chan *smileid.ConfirmedCallback, 2)
		var h http.Handler
		receiver := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
		defer receiver.Close()
		srv := smileidtest.NewServer(t, smileidtest.WithCallbackClient(receiver.Client()))
		c, err := srv.NewClient()
		require.NoError(t, err)
		h = c.CallbackHandler(func(_ context.Context, cb *smileid.ConfirmedCallback) error { got <- cb; return nil })
		require.NoError(t, c.IDAPI.SubmitJobAsync(ctx, jobParams("async", smileid.EnhancedKYC), info, receiver.URL+"/cb"))
		require.NoError(t, c.IDAPI.SubmitJobAsync(ctx, jobParams("asyncb", smileid.BusinessVerification),
			smileid.IDInfo{Country: "KE", IDType: "BUSINESS_REGISTRATION", IDNumber: "PVT-1"}, receiver.URL+"/cb"))
		seen := map[string]string{}
		for i := 0; i < 2; i++ {
			select {
			case cb := <-got:
				seen[cb.JobID] = cb.Result.ResultCode
			case <-time.After(5 * time.Second):
				t.Fatal("no callback")
			}
		}
		require.Equal(t, map[string]string{"job-async": "1012", "job-asyncb": "1012"}, seen)
		var body map[string]any
		require.NoError(t, json.Unmarshal(srv.RequestsFor(smileid.OpAsyncIDVerification)[0].Body, &body))
		require.Equal(t, receiver.URL+"/cb", body["callback_url"])
		cbs, err := srv.WaitForCallbacks(ctx, 2)
		require.NoError(t, err)
		require.Len(t, cbs, 2)
		require.Equal(t, http.StatusOK, cbs[0].StatusCode)
	})

	t.Run("async needs a callback", func(t *testing.T) {
		srv, c := fake(t, nil)
		var ve *smileid.ValidationError
		require.ErrorAs(t, c.IDAPI.SubmitJobAsync(ctx, jobParams("n", smileid.EnhancedKYC), info, ""), &ve)
		require.Equal(t, "callback_url", ve.Field)
		require.ErrorAs(t, c.IDAPI.SubmitJobAsync(ctx, jobParams("n", smileid.EnhancedKYC), info, "http://public.example/cb"), &ve)
		require.Empty(t, srv.Requests())
	})
}
