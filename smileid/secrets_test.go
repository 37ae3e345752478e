package smileid_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// secretsIn returns the secrets a text must not contain: the API key, every signature the
// fake saw or made, and the presigned upload URL's token.
func secretsIn(t *testing.T, srv *smileidtest.Server) []string {
	t.Helper()
	secrets := []string{srv.APIKey, "X-Amz-Signature"}
	for _, r := range srv.Requests() {
		if sig, ok := bodyFieldOK(r, "signature"); ok {
			secrets = append(secrets, sig)
		}
	}
	return secrets
}

func bodyFieldOK(r smileidtest.Request, field string) (string, bool) {
	i := bytes.Index(r.Body, []byte(`"`+field+`":"`))
	if i < 0 {
		return "", false
	}
	rest := r.Body[i+len(field)+4:]
	return string(rest[:bytes.IndexByte(rest, '"')]), true
}

// TestSecretsAndPersonalDataStayOutOfLogsAndErrors runs a full job and failing calls with
// a debug logger, and checks that neither the logs nor the errors hold the API key, a
// signature, a presigned URL's query or the person's data.
func TestSecretsAndPersonalDataStayOutOfLogsAndErrors(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, c := fake(t, nil, smileid.WithLogger(logger))
	person := smileid.IDInfo{FirstName: "Adaeze", LastName: "Okonkwo-Test", Country: "NG", IDType: "BVN", IDNumber: "22233344455",
		DOB: "1991-04-12", PhoneNumber: "08031234567", Entered: smileid.EnteredTrue}

	res, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("log", smileid.BiometricKYC), IDInfo: person,
		Images: []smileid.Image{selfie}, Options: smileid.JobOptions{ReturnJobStatus: true, ReturnImageLinks: true}})
	require.NoError(t, err)
	require.Equal(t, "Adaeze Okonkwo-Test", res.Status.LatestResult().FullName)

	var errs []error
	srv.InjectFault(smileid.OpUploadZip, 1, smileidtest.Fault{Status: 403,
		Body: "<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message><StringToSign>AWS4-HMAC-SHA256 secret</StringToSign></Error>"})
	_, err = c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("log2", smileid.BiometricKYC), IDInfo: person,
		Images: []smileid.Image{selfie}, Options: smileid.JobOptions{ReturnJobStatus: true}})
	errs = append(errs, err)
	srv.InjectFault(smileid.OpUploadZip, 3, smileidtest.Fault{DropConnection: true})
	_, err = c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("log3", smileid.BiometricKYC), IDInfo: person,
		Images: []smileid.Image{selfie}, Options: smileid.JobOptions{ReturnJobStatus: true}})
	errs = append(errs, err)
	srv.InjectFault(smileid.OpJobStatus, 9, smileidtest.Fault{BadSignature: true})
	_, err = c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-log", JobID: "job-log", ImageLinks: true})
	errs = append(errs, err)
	wrongKey, err := smileid.NewClient(srv.PartnerID, "a-wrong-api-key", smileid.WithBaseURL(srv.URL), smileid.WithHTTPClient(srv.Client()),
		smileid.WithLogger(logger), smileid.WithValidationAPI(false))
	require.NoError(t, err)
	_, err = wrongKey.IDAPI.SubmitJob(ctx, jobParams("log4", smileid.EnhancedKYC), smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "22233344455"})
	errs = append(errs, err)

	var apiErr *smileid.APIError
	require.ErrorAs(t, errs[3], &apiErr)
	require.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	require.Equal(t, "2205", apiErr.Code)
	require.ErrorIs(t, errs[2], smileid.ErrSignatureMismatch)

	texts := []string{logs.String()}
	for i, e := range errs {
		require.Error(t, e, "call %d", i)
		texts = append(texts, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", c), c.String())
	}
	require.Contains(t, logs.String(), `"op":"upload_zip"`, "requests are logged")
	require.Contains(t, logs.String(), `"msg":"smileid retry"`)
	require.Contains(t, logs.String(), "/uploads/", "the upload path is logged, without its query")
	secrets := append(secretsIn(t, srv), "a-wrong-api-key", "22233344455", "Adaeze", "Okonkwo", "1991-04-12", "08031234567", "AWS4-HMAC-SHA256 secret")
	for _, text := range texts {
		for _, s := range secrets {
			require.NotContains(t, text, s)
		}
	}
}

func TestClientStringsHideTheKey(t *testing.T) {
	c, err := smileid.NewClient("212", "key-that-must-not-show")
	require.NoError(t, err)
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("client", "client", c)
	for _, s := range []string{c.String(), fmt.Sprintf("%v %+v %s", c, c, c), buf.String(), fmt.Sprint(c.Signature())} {
		require.NotContains(t, s, "key-that-must-not-show")
	}
	require.Contains(t, buf.String(), "partner_id=212")
}

func TestNewClientChecksItsOptions(t *testing.T) {
	ok := []smileid.Option{
		smileid.WithEnvironment(smileid.Production), smileid.WithSIDServer("1"), smileid.WithSIDServer("0"),
		smileid.WithSIDServer("http://127.0.0.1:8080/v1/"), smileid.WithBaseURL("http://localhost:1/v1"),
		smileid.WithCallbackURL("https://partner.example.com/cb"), smileid.WithHTTPClient(&http.Client{}),
		smileid.WithTimeout(1), smileid.WithUploadTimeout(1), smileid.WithRetryPolicy(smileid.RetryPolicy{}),
		smileid.WithPollPolicy(smileid.DefaultPollPolicy()), smileid.WithLogger(nil), smileid.WithAppInfo("app", "1", ""),
		smileid.WithValidationAPI(false), nil,
	}
	for i, o := range ok {
		_, err := smileid.NewClient("212", "k", o)
		require.NoError(t, err, "option %d", i)
	}
	bad := map[string]smileid.Option{
		"environment":        smileid.WithEnvironment("staging"),
		"http base":          smileid.WithBaseURL("http://api.example.com/v1"),
		"relative base":      smileid.WithBaseURL("/v1"),
		"base with query":    smileid.WithBaseURL("https://api.example.com/v1?x=1"),
		"base with user":     smileid.WithBaseURL("https://u:p@api.example.com/v1"),
		"base without /v1":   smileid.WithBaseURL("https://api.example.com"),
		"sid server host":    smileid.WithSIDServer("https://api.example.com/"),
		"ftp":                smileid.WithSIDServer("ftp://x"),
		"http callback":      smileid.WithCallbackURL("http://partner.example.com/cb"),
		"nil client":         smileid.WithHTTPClient(nil),
		"timeout":            smileid.WithTimeout(0),
		"upload timeout":     smileid.WithUploadTimeout(-1),
		"retry policy":       smileid.WithRetryPolicy(smileid.RetryPolicy{MaxRetries: 3}),
		"poll policy":        smileid.WithPollPolicy(smileid.PollPolicy{}),
		"app info":           smileid.WithAppInfo("", "1", ""),
		"app info injection": smileid.WithAppInfo("app\r\nX-Evil: 1", "1", ""),
	}
	for name, o := range bad {
		_, err := smileid.NewClient("212", "k", o)
		require.Error(t, err, name)
	}
	_, err := smileid.NewClient("", "k")
	require.Error(t, err)
	_, err = smileid.NewClient("2 12", "k")
	require.Error(t, err)
	_, err = smileid.NewClient("212", "")
	require.Error(t, err)

	c, err := smileid.NewClient("085", "k")
	require.NoError(t, err)
	require.Equal(t, "https://testapi.smileidentity.com/v1", c.BaseURL(), "the sandbox by default")
	require.Equal(t, "085", c.PartnerID())
	c, err = smileid.NewClient("212", "k", smileid.WithSIDServer("1"))
	require.NoError(t, err)
	require.Equal(t, "https://api.smileidentity.com/v1", c.BaseURL())
	c, err = smileid.NewClient("212", "k", smileid.WithBaseURL("https://127.0.0.1:9/v1/"))
	require.NoError(t, err)
	require.Equal(t, "https://127.0.0.1:9/v1", c.BaseURL())
}

// TestRequestsCarryTheSDKIdentity checks the User-Agent on API calls and on the upload,
// and that the upload carries no credentials.
func TestRequestsCarryTheSDKIdentity(t *testing.T) {
	srv, c := fake(t, nil, smileid.WithAppInfo("acme-onboarding", "3.1.0", ""))
	_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{PartnerParams: jobParams("ua", smileid.SmartSelfieRegistration),
		Images: []smileid.Image{selfie}, Options: smileid.JobOptions{ReturnJobStatus: true}})
	require.NoError(t, err)
	for _, r := range srv.Requests() {
		ua := r.Header.Get("User-Agent")
		require.True(t, strings.HasPrefix(ua, "smileid-go/"+smileid.Version+" (go"), ua)
		require.Contains(t, ua, "acme-onboarding/3.1.0")
		require.Empty(t, r.Header.Get("Authorization"))
		if r.Op == smileid.OpUploadZip {
			require.Equal(t, "application/zip", r.Header.Get("Content-Type"))
			require.NotContains(t, string(r.Body), srv.APIKey, "the zip holds no API key")
			for k, v := range r.Header {
				require.NotContains(t, strings.ToLower(k), "smile", "no SDK credentials on the upload: %s", k)
				require.NotContains(t, strings.Join(v, " "), srv.APIKey)
			}
		}
	}
	require.Len(t, srv.RequestsFor(smileid.OpUploadZip), 1)
}
