package smileidtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestOfficialSDKShapesAccepted sends each shape an official SDK sends and Smile ID
// accepts (issue 8) to a fake that fails the test on any request it refuses.
func TestOfficialSDKShapesAccepted(t *testing.T) {
	srv := smileidtest.NewServer(t, smileidtest.WithCompletion(0, 0))
	selfie, err := os.ReadFile(fixtures + "selfie.jpg")
	require.NoError(t, err)
	upload := func(jobID string, extra map[string]any) string {
		t.Helper()
		body := map[string]any{"file_name": "selfie.zip", "model_parameters": map[string]any{},
			"partner_params": map[string]any{"user_id": "u", "job_id": jobID, "job_type": 1}}
		for k, v := range extra {
			if v == "<absent>" {
				delete(body, k)
			} else {
				body[k] = v
			}
		}
		code, out := post(t, srv, "/upload", signed(srv, "smile_client_id", body))
		require.Equal(t, 200, code, "%s: %v", jobID, out)
		return out["upload_url"].(string)
	}
	bkycInfo := func(jobID, idInfo, serverInfo string) []byte {
		return []byte(`{"package_information":{"apiVersion":{"buildNumber":0,"majorVersion":2,"minorVersion":0},"language":"python"},` +
			`"misc_information":{"timestamp":"2026-11-25T19:00:22.051744+00:00","signature":"x","retry":"false",` +
			`"partner_params":{"user_id":"u","job_id":"` + jobID + `","job_type":1},"file_name":"selfie.zip","smile_client_id":"212","callback_url":null,` +
			`"userData":{"isVerifiedProcess":false,"name":"","fbUserID":"","firstName":"","lastName":"","gender":"","email":"","phone":"","countryCode":"+","countryName":""}},` +
			`"id_info":` + idInfo + `,"images":[{"image_type_id":0,"image":"","file_name":"selfie.jpg"}],"server_information":` + serverInfo + `}`)
	}
	entered := `{"first_name":"Joe","middle_name":null,"last_name":"Bloggs","country":"NG","id_type":"BVN","id_number":"00000000000","dob":null,"phone_number":null,"entered":true}`

	t.Run("prep upload", func(t *testing.T) {
		upload("callback-null", map[string]any{"callback_url": nil, "use_enrolled_image": false, "source_sdk": "Python", "source_sdk_version": "3.0.1"})
		upload("model-parameters-empty-string", map[string]any{"model_parameters": ""})
		u := upload("file-name-absent", map[string]any{"file_name": "<absent>"})
		code, _ := putZip(t, srv, u, zipOf(bkycInfo("file-name-absent", entered, `"x"`), "selfie.jpg", string(selfie)))
		require.Equal(t, 200, code, "the upload URL of a prep upload without file_name works")
		j, _ := srv.Job("file-name-absent")
		require.True(t, j.Success, j.ZipProblem)
		upload("node-spread", map[string]any{"first_name": "Joe", "country": "NG", "id_type": "BVN", "id_number": "00000000000", "entered": "true"})
	})
	t.Run("info.json", func(t *testing.T) {
		for i, c := range []struct{ idInfo, serverInfo string }{
			{entered, `"https://127.0.0.1/upload"`},
			{`{"country":"NG","id_type":"BVN","id_number":"00000000000","entered":"true"}`, `{"upload_url":"x","smile_job_id":"1","ref_id":"r","camera_config":"null","code":"2202"}`},
		} {
			jobID := fmt.Sprintf("info-%d", i)
			u := upload(jobID, nil)
			code, _ := putZip(t, srv, u, zipOf(bkycInfo(jobID, c.idInfo, c.serverInfo), "selfie.jpg", string(selfie), "base64imgString", "Z", "base64imgString", "Z"))
			require.Equal(t, 200, code)
			j, _ := srv.Job(jobID)
			require.Empty(t, j.ZipProblem, jobID)
			require.True(t, j.Success, jobID)
			require.Equal(t, "1210", j.Result.ResultCode)
		}
	})
	t.Run("job status", func(t *testing.T) {
		for _, body := range []map[string]any{
			{"user_id": "u", "job_id": "info-0"},
			{"user_id": "u", "job_id": "info-0", "history": nil, "image_links": nil},
			{"user_id": "u", "job_id": "info-0", "history": true},
		} {
			code, out := post(t, srv, "/job_status", signed(srv, "partner_id", body))
			require.Equal(t, 200, code, out)
			require.Equal(t, true, out["job_complete"])
		}
	})
	t.Run("ID API", func(t *testing.T) {
		for i, pp := range []map[string]any{{"job_type": "5"}, {"job_type": 5}} {
			pp["user_id"], pp["job_id"] = "u", fmt.Sprintf("id-%d", i)
			code, out := post(t, srv, "/id_verification", signed(srv, "partner_id", map[string]any{
				"partner_params": pp, "country": "NG", "id_type": "BVN", "id_number": "00000000000", "entered": true,
				"source_sdk": "javascript", "source_sdk_version": "3.2.1"}))
			require.Equal(t, 200, code, out)
			require.Equal(t, "1012", out["ResultCode"])
		}
	})
}

// TestAMLScreening checks POST /aml (job type 10): a signed synchronous answer per
// sandbox outcome, the job kept (job status answers its result), a duplicate job_id
// refused.
func TestAMLScreening(t *testing.T) {
	srv := smileidtest.NewServer(t)
	sig := smileid.NewSignature(srv.PartnerID, srv.APIKey)
	for _, c := range []struct{ sandbox, code, listed string }{{"", "1031", "Not Listed"}, {"1", "1030", "Listed"}, {"2", "1017", "Listed"}} {
		jobID := "aml-" + c.sandbox
		body := map[string]any{"user_id": "u", "job_id": jobID, "full_name": "Joe Leo Bloggs", "countries": []string{"NG"},
			"birth_year": "1960", "strict_match": true, "job_type": 10, "source_sdk": "Ruby", "source_sdk_version": "2.3.1"}
		if c.sandbox != "" {
			body["partner_params"] = map[string]any{"sandbox_result": c.sandbox}
		}
		code, out := post(t, srv, "/aml", signed(srv, "partner_id", body))
		require.Equal(t, 200, code, out)
		require.Equal(t, c.code, out["ResultCode"])
		require.Equal(t, c.listed, out["Actions"].(map[string]any)["Listed"])
		require.Equal(t, float64(len(out["people"].([]any))), out["no_of_persons_found"])
		require.True(t, sig.Confirm(out["timestamp"].(string), out["signature"].(string)), "the answer is signed")
		require.Equal(t, jobID, out["PartnerParams"].(map[string]any)["job_id"])

		code, st := post(t, srv, "/job_status", signed(srv, "partner_id", map[string]any{"user_id": "u", "job_id": jobID, "history": false, "image_links": false}))
		require.Equal(t, 200, code, st)
		require.Equal(t, c.code, st["result"].(map[string]any)["ResultCode"])
	}
	code, out := post(t, srv, "/aml", signed(srv, "partner_id", map[string]any{"user_id": "u", "job_id": "aml-", "full_name": "X", "countries": []string{"NG"}}))
	require.Equal(t, 400, code)
	require.Equal(t, "2215", out["code"])
	bad := map[string]any{"user_id": "u", "job_id": "aml-bad", "full_name": "X", "countries": []string{"NG"}, "partner_id": srv.PartnerID}
	bad["timestamp"], bad["signature"] = smileid.NewSignature(srv.PartnerID, "wrong").Now()
	code, out = post(t, srv, "/aml", bad)
	require.Equal(t, 401, code)
	require.Equal(t, "2205", out["code"])
}

// TestAddressVerification checks POST /async-verify-address (job type 12): signed in
// headers, {"success": true} at once, the result by a signed callback, per the sandbox's
// last digit.
func TestAddressVerification(t *testing.T) {
	got := make(chan []byte, 8)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- b
	}))
	defer receiver.Close()
	srv := smileidtest.NewServer(t)
	send := func(key string, body map[string]any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/async-verify-address", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		ts, s := smileid.NewSignature(srv.PartnerID, key).Now()
		req.Header.Set("smileid-partner-id", srv.PartnerID)
		req.Header.Set("smileid-timestamp", ts)
		req.Header.Set("smileid-request-signature", s)
		req.Header.Set("smileid-source-sdk", "rest_api")
		req.Header.Set("smileid-source-sdk-version", "1.0.0")
		rsp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer rsp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(rsp.Body).Decode(&out)
		return rsp.StatusCode, out
	}
	sig := smileid.NewSignature(srv.PartnerID, srv.APIKey)
	for _, c := range []struct {
		body map[string]any
		code string
	}{
		{map[string]any{"country": "NG", "address": "1 Example Street", "utility_number": "0000000000", "utility_provider": "IkejaElectric", "utility_type": "PrePaid"}, "1012"},
		{map[string]any{"country": "ZA", "address": "1 Example Road", "id_number": "0000000000001"}, "1013"},
		{map[string]any{"country": "ZA", "address": "1 Example Road", "id_number": "0000000000004", "full_name": "Joe Bloggs"}, "1022"},
	} {
		c.body["callback_url"] = receiver.URL + "/cb"
		code, out := send(srv.APIKey, c.body)
		require.Equal(t, 200, code, out)
		require.Equal(t, true, out["success"])
		var cb map[string]any
		select {
		case b := <-got:
			require.NoError(t, json.Unmarshal(b, &cb))
		case <-time.After(10 * time.Second):
			t.Fatal("no callback")
		}
		require.Equal(t, c.code, cb["ResultCode"])
		require.Equal(t, c.body["address"], cb["submitted_address"])
		require.True(t, sig.Confirm(cb["timestamp"].(string), cb["signature"].(string)), "the callback is signed")
	}
	code, out := send("wrong-key", map[string]any{"country": "NG", "address": "x", "callback_url": receiver.URL})
	require.Equal(t, 401, code)
	require.Equal(t, "2205", out["code"])
	_, err := srv.WaitForCallbacks(context.Background(), 3)
	require.NoError(t, err)
}
