package smileidtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/openapi"
	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

const fixtures = "../../testdata/conformance/fixtures/"

// post sends a JSON body to the fake, signed with its key unless the body says otherwise.
func post(t *testing.T, srv *smileidtest.Server, path string, body map[string]any) (int, map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	rsp, err := srv.Client().Post(srv.URL+path, "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	defer rsp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(rsp.Body)
	_ = json.Unmarshal(raw, &out)
	return rsp.StatusCode, out
}

func signed(srv *smileidtest.Server, partnerField string, body map[string]any) map[string]any {
	ts, sig := smileid.NewSignature(srv.PartnerID, srv.APIKey).Now()
	body[partnerField], body["timestamp"], body["signature"] = srv.PartnerID, ts, sig
	return body
}

// TestFakeImplementsEveryOperation sends each documented request example of the spec,
// signed afresh, to the fake: each is answered with 200 and a body matching the spec (the
// fake checks its own answers in tests).
func TestFakeImplementsEveryOperation(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openapi.Spec)
	require.NoError(t, err)
	srv := smileidtest.NewServer(t)
	type call struct {
		op     *openapi3.Operation
		method string
		path   string
	}
	var calls []call
	for path, item := range doc.Paths.Map() {
		if len(item.Servers) > 0 {
			continue // the zip PUT goes to the fake's own upload_url (the upload tests)
		}
		for method, op := range item.Operations() {
			calls = append(calls, call{op, method, path})
		}
	}
	// The upload example creates job-0001 first; job status asks about it last; the other
	// examples get job IDs of their own.
	rank := map[string]int{"upload": -1, "jobStatus": 1}
	sort.Slice(calls, func(i, j int) bool { return rank[calls[i].op.OperationID] < rank[calls[j].op.OperationID] })
	require.Len(t, calls, 11)
	for i, c := range calls {
		if c.op.RequestBody == nil {
			req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
			rsp, err := srv.Client().Do(req)
			require.NoError(t, err)
			rsp.Body.Close()
			require.Equal(t, 200, rsp.StatusCode, c.op.OperationID)
			continue
		}
		for name, ex := range c.op.RequestBody.Value.Content.Get("application/json").Examples {
			b, _ := json.Marshal(ex.Value.Value)
			var body map[string]any
			require.NoError(t, json.Unmarshal(b, &body))
			field := "partner_id"
			if c.op.OperationID == "upload" {
				field = "smile_client_id"
			} else if pp, ok := body["partner_params"].(map[string]any); ok {
				pp["job_id"] = fmt.Sprintf("example-%d", i)
			}
			if c.op.OperationID == "asyncVerifyAddress" {
				code, out := postHeaderSigned(t, srv, c.path, body)
				require.Equal(t, 200, code, "%s %s: %v", c.op.OperationID, name, out)
				continue
			}
			code, out := post(t, srv, c.path, signed(srv, field, body))
			require.Equal(t, 200, code, "%s %s: %v", c.op.OperationID, name, out)
		}
	}
	require.Len(t, srv.RequestsFor(smileid.OpUpload), 1)
	require.Len(t, srv.Jobs(), 8, "upload, the four ID API examples, AML and the two address verifications")
}

// postHeaderSigned sends a body to the fake signed in the smileid-* headers, as address
// verification is.
func postHeaderSigned(t *testing.T, srv *smileidtest.Server, path string, body map[string]any) (int, map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(b))
	require.NoError(t, err)
	ts, sig := smileid.NewSignature(srv.PartnerID, srv.APIKey).Now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("smileid-partner-id", srv.PartnerID)
	req.Header.Set("smileid-timestamp", ts)
	req.Header.Set("smileid-request-signature", sig)
	rsp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer rsp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(rsp.Body).Decode(&out)
	return rsp.StatusCode, out
}

func TestFakeRefusesWhatTheAPIRefuses(t *testing.T) {
	srv := smileidtest.NewServer(t, smileidtest.AllowSpecViolations())
	valid := func() map[string]any {
		return map[string]any{"user_id": "u", "job_id": "j", "history": false, "image_links": false}
	}

	// A request that breaks the spec: HTTP 400 and the reason.
	bad := signed(srv, "partner_id", valid())
	delete(bad, "job_id")
	code, out := post(t, srv, "/job_status", bad)
	require.Equal(t, 400, code)
	require.Equal(t, "2213", out["code"])
	require.Contains(t, out["error"], "job_id")
	require.Contains(t, srv.Requests()[0].Problem, "job_id")

	bad = signed(srv, "smile_client_id", map[string]any{"file_name": "selfie.zip", "model_parameters": map[string]any{},
		"partner_params": map[string]any{"user_id": "u", "job_id": "j", "job_type": 3}})
	code, out = post(t, srv, "/upload", bad)
	require.Equal(t, 400, code)
	require.Contains(t, out["error"], "job_type")

	// A wrong key, or another partner: 401 with code 2205.
	body := valid()
	ts, sig := smileid.NewSignature(srv.PartnerID, "wrong").Now()
	body["partner_id"], body["timestamp"], body["signature"] = srv.PartnerID, ts, sig
	code, out = post(t, srv, "/job_status", body)
	require.Equal(t, 401, code)
	require.Equal(t, "2205", out["code"])
	code, _ = post(t, srv, "/job_status", signed(srv, "partner_id", valid()))
	require.Equal(t, 404, code, "a signed request for an unknown job")
	other := signed(srv, "partner_id", valid())
	other["partner_id"] = "999"
	code, _ = post(t, srv, "/job_status", other)
	require.Equal(t, 401, code)

	// Unknown endpoint.
	code, _ = post(t, srv, "/no_such_endpoint", signed(srv, "partner_id", map[string]any{}))
	require.Equal(t, 404, code)
}

// TestSpecViolationsFailTheTest checks that, without AllowSpecViolations, a request that
// breaks the spec fails the test using the fake.
func TestSpecViolationsFailTheTest(t *testing.T) {
	ft := &fakeTB{TB: t}
	srv := smileidtest.NewServer(ft)
	code, _ := post(t, srv, "/job_status", signed(srv, "partner_id", map[string]any{"user_id": "u"}))
	require.Equal(t, 400, code)
	require.NotEmpty(t, ft.errors)
	require.Contains(t, ft.errors[0], "breaks the spec")
}

type fakeTB struct {
	testing.TB
	errors []string
}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

// TestUploadURLBehavesLikeS3 checks the presigned upload: token, content type, known
// length; and that a bad zip fails the job (and the test, unless allowed).
func TestUploadURLBehavesLikeS3(t *testing.T) {
	srv := smileidtest.NewServer(t, smileidtest.AllowSpecViolations(), smileidtest.WithCompletion(0, 0))
	upload := func(jobID string) string {
		code, out := post(t, srv, "/upload", signed(srv, "smile_client_id", map[string]any{"file_name": "selfie.zip", "model_parameters": map[string]any{},
			"callback_url":   "https://partner.example.com/cb",
			"partner_params": map[string]any{"user_id": "u", "job_id": jobID, "job_type": 4}}))
		require.Equal(t, 200, code, out)
		require.Equal(t, "2202", out["code"])
		return out["upload_url"].(string)
	}
	put := func(url, ctype string, body io.Reader, length int64) (int, string) {
		req, err := http.NewRequest(http.MethodPut, url, body)
		require.NoError(t, err)
		req.ContentLength = length
		req.Header.Set("Content-Type", ctype)
		rsp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer rsp.Body.Close()
		b, _ := io.ReadAll(rsp.Body)
		return rsp.StatusCode, string(b)
	}
	u := upload("j1")
	code, body := put(u, "application/octet-stream", strings.NewReader("PK"), 2)
	require.Equal(t, 403, code)
	require.Contains(t, body, "<Code>SignatureDoesNotMatch</Code>")
	code, _ = put(strings.Replace(u, "X-Amz-Signature=", "X-Amz-Signature=x", 1), "application/zip", strings.NewReader("PK"), 2)
	require.Equal(t, 403, code)
	code, body = put(u, "application/zip", io.MultiReader(strings.NewReader("PK")), -1)
	require.Equal(t, 501, code, "chunked uploads are refused, as S3 does")
	require.Contains(t, body, "NotImplemented")
	code, _ = put(u, "application/zip", strings.NewReader("not a zip"), 9)
	require.Equal(t, 200, code, "S3 accepts any bytes; the job then fails")
	j, ok := srv.Job("j1")
	require.True(t, ok)
	require.Contains(t, j.ZipProblem, "not a zip")
	require.True(t, j.Complete)
	require.False(t, j.Success)
	require.Equal(t, "0903", j.Result.ResultCode)

	// The duplicate job ID.
	code, out := post(t, srv, "/upload", signed(srv, "smile_client_id", map[string]any{"file_name": "selfie.zip", "model_parameters": map[string]any{},
		"partner_params": map[string]any{"user_id": "u", "job_id": "j1", "job_type": 4}}))
	require.Equal(t, 400, code)
	require.Equal(t, "2215", out["code"])
}

// TestFakeSendsSignedCallbacks checks that a job with a callback URL completes after the
// configured delay without being polled, and that its callback verifies.
func TestFakeSendsSignedCallbacks(t *testing.T) {
	got := make(chan *smileid.SignedCallback, 1)
	var srv *smileidtest.Server
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		smileid.OfflineCallbackHandler(smileid.NewSignature(srv.PartnerID, srv.APIKey), func(_ context.Context, cb *smileid.SignedCallback) error {
			got <- cb
			return nil
		}).ServeHTTP(w, r)
	}))
	defer receiver.Close()
	srv = smileidtest.NewServer(t, smileidtest.WithCompletion(100, 20*time.Millisecond))
	c, err := srv.NewClient(smileid.WithCallbackURL(receiver.URL + "/cb"))
	require.NoError(t, err)
	_, err = c.WebAPI.SubmitJob(context.Background(), smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "u", JobID: "cb", JobType: smileid.SmartSelfieAuthentication},
		Images:        []smileid.Image{smileid.SelfieFile(fixtures + "selfie.jpg")},
	})
	require.NoError(t, err)
	select {
	case cb := <-got:
		require.Equal(t, "cb", cb.JobID())
	case <-time.After(5 * time.Second):
		t.Fatal("no callback")
	}
	cbs, err := srv.WaitForCallbacks(context.Background(), 1)
	require.NoError(t, err)
	require.Equal(t, 200, cbs[0].StatusCode)
	require.Equal(t, receiver.URL+"/cb", cbs[0].URL)
	j, _ := srv.Job("cb")
	require.True(t, j.Complete)
	require.Zero(t, j.Polls)
}

func TestFakeOverPlainHTTPAndStart(t *testing.T) {
	srv, err := smileidtest.Start(smileidtest.WithPlainHTTP(), smileidtest.WithCredentials("085", "k"), smileidtest.WithAddr("127.0.0.1:0"))
	require.NoError(t, err)
	defer srv.Close()
	require.False(t, srv.TLS())
	require.Nil(t, srv.Certificate())
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"))
	require.True(t, strings.HasSuffix(srv.URL, "/v1"))
	c, err := smileid.NewClient("085", "k", smileid.WithBaseURL(srv.URL))
	require.NoError(t, err)
	s, err := c.Utilities.GetServices(context.Background())
	require.NoError(t, err)
	require.Contains(t, s.IDTypes, "NG")
	rsp, err := http.Get(strings.TrimSuffix(srv.URL, "/v1") + "/openapi.yaml")
	require.NoError(t, err)
	b, _ := io.ReadAll(rsp.Body)
	rsp.Body.Close()
	require.Equal(t, openapi.Spec, b)

	tls := smileidtest.NewServer(t)
	require.True(t, tls.TLS())
	require.NotNil(t, tls.Certificate())
}
