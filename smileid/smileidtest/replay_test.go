package smileidtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/internal/conformance"
	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// The recordings' credentials (test values, not secrets: testdata/conformance/README.md).
const (
	recordedPartnerID = "212"
	recordedAPIKey    = "oracle-api-key-3f1c9d2e-7a64-4b8e-9c51-2d0e8f6a1b73"
)

// recording is one request of testdata/conformance/*-sdk-requests.jsonl.
type recording = conformance.Recording

func readRecordings(t *testing.T, name string) (scenarios []string, byScenario map[string][]recording) {
	t.Helper()
	recs, err := conformance.Load("../../testdata/conformance/" + name)
	require.NoError(t, err)
	scenarios, byScenario = conformance.Group(recs)
	return scenarios, byScenario
}

// rebuildZip makes the recorded zip again: the recorded info.json, the fixture images
// and the recorded text entries (Python's base64imgString), in order, with the recorded
// compression methods.
func rebuildZip(t *testing.T, r recording) []byte {
	t.Helper()
	b, err := conformance.RebuildZip(r, fixtures)
	require.NoError(t, err)
	return b
}

// pythonRefusals are the recorded Python requests a real Smile ID server refuses, by
// scenario and request index, with the code the fake answers and why (the same list as
// openapi's refusedRecordings, plus what the server checks beyond the spec). A request
// after a refused prep upload asks about a job that does not exist (2213, HTTP 404).
// Every other recorded request is accepted.
var pythonRefusals = map[string]map[int]string{
	// The recording was signed with another API key.
	"err.web.wrong_api_key": {0: "2205"},
	// Both uploads of one WebApi instance carry job-0001: the second is a duplicate.
	"web.jt1.same_instance_twice": {2: "2215"},
	// Job types 3 and 99 do not exist.
	"err.web.wrong_job_type.3":  {0: "2213", 2: "2213"},
	"err.web.wrong_job_type.99": {0: "2213", 2: "2213"},
	// The partner ID is a string (leading zeros are significant); Python sent the int 212.
	"err.web.numeric_partner_id": {0: "2213"},
	// A web token needs a user_id, a product and a callback (Python sends null).
	"err.web.get_web_token.no_callback": {0: "2213"},
	"err.web.get_web_token.no_user_id":  {0: "2213"},
	"err.web.get_web_token.no_product":  {0: "2213"},
	// The ID API needs id_number, country and id_type, and an ID type of the country.
	"err.idapi.id_info.no_id_number":          {0: "2213"},
	"err.idapi.id_info.no_country_no_id_type": {0: "2213"},
	"err.idapi.unknown_id_type":               {0: "2413"},
	"err.idapi.unknown_country":               {0: "2413"},
}

// pythonFailedJobs are the recorded uploads Smile ID accepts and then fails (the zip
// arrives, the job completes with job_success false), with the reason the fake gives.
var pythonFailedJobs = map[string]string{
	// Python checks nothing: a Biometric KYC with neither an ID card image nor entered ID info.
	"err.web.images.jt1_no_id_card_no_id_info": "Biometric KYC without an ID card image or an entered ID number",
	// entered: "yes" is neither true nor false.
	"err.web.id_info.entered_invalid": "/id_info/entered",
}

// TestPythonSDKRecordings replays every request the official Python SDK (smile-id-core
// 3.0.1) sent in its recorded scenarios, zips rebuilt from their recorded manifests, each
// scenario against a fake of its own with the recording's credentials. The fake must
// accept what Smile ID accepts (the Python SDK's own shapes: "+00:00" microsecond
// timestamps reused across requests, null options and ID fields, entered as a boolean,
// base64imgString zip entries, DEFLATE), and refuse only what Smile ID refuses.
func TestPythonSDKRecordings(t *testing.T) {
	scenarios, recs := readRecordings(t, "python-sdk-requests.jsonl")
	require.Len(t, scenarios, 55)
	for _, name := range scenarios {
		t.Run(name, func(t *testing.T) {
			replay(t, recs[name], pythonRefusals[name], pythonFailedJobs[name])
		})
	}
}

// replay sends a scenario's requests to a new fake, in order, and checks each answer:
// refused with the listed code, or accepted.
func replay(t *testing.T, recs []recording, refusals map[int]string, jobFailure string) {
	srv := smileidtest.NewServer(t, smileidtest.WithCredentials(recordedPartnerID, recordedAPIKey),
		smileidtest.WithCompletion(0, 0), smileidtest.AllowSpecViolations())
	// A scenario that starts with a job status asks about an existing job.
	if recs[0].Path == "/v1/job_status" {
		c, err := srv.NewClient()
		require.NoError(t, err)
		_, err = c.WebAPI.SubmitJob(context.Background(), smileid.Job{
			PartnerParams: smileid.PartnerParams{UserID: "user-0001", JobID: "job-0001", JobType: smileid.SmartSelfieRegistration},
			Images:        []smileid.Image{smileid.SelfieFile(fixtures + "selfie.jpg")},
			Options:       smileid.JobOptions{CallbackURL: "https://partner.example.invalid/smile/callback"},
		})
		require.NoError(t, err)
	}
	var uploadURL string
	refused := false
	for _, r := range recs {
		var req *http.Request
		var err error
		switch r.Method {
		case http.MethodPut:
			if uploadURL == "" {
				require.True(t, refused, "seq %d: a PUT without an upload URL", r.Seq)
				continue // its prep upload was refused: the SDK had no URL to PUT to
			}
			req, err = http.NewRequest(http.MethodPut, uploadURL, bytes.NewReader(rebuildZip(t, r)))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/zip")
			uploadURL = ""
		default:
			url := srv.URL + strings.TrimPrefix(r.Path, "/v1")
			req, err = http.NewRequest(r.Method, url, bytes.NewReader(r.Body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
		}
		rsp, err := srv.Client().Do(req)
		require.NoError(t, err)
		answer, _ := io.ReadAll(rsp.Body)
		rsp.Body.Close()
		var out struct {
			Code      any    `json:"code"`
			UploadURL string `json:"upload_url"`
		}
		_ = json.Unmarshal(answer, &out)
		if code, ok := refusals[r.Seq]; ok {
			require.GreaterOrEqual(t, rsp.StatusCode, 400, "seq %d %s %s: %s", r.Seq, r.Method, r.Path, answer)
			require.Equal(t, code, out.Code, "seq %d %s %s: %s", r.Seq, r.Method, r.Path, answer)
			refused = true
			continue
		}
		require.Equal(t, http.StatusOK, rsp.StatusCode, "seq %d %s %s: %s", r.Seq, r.Method, r.Path, answer)
		if r.Path == "/v1/upload" {
			require.NotEmpty(t, out.UploadURL)
			uploadURL = out.UploadURL
		}
	}
	for _, j := range srv.Jobs() {
		if j.Manifest == nil && j.ZipProblem == "" {
			continue // no zip was recorded
		}
		if jobFailure != "" {
			require.Contains(t, j.ZipProblem, jobFailure)
			require.False(t, j.Success)
			continue
		}
		require.Empty(t, j.ZipProblem, "job %s", j.PartnerParams.JobID)
		require.True(t, j.Complete && j.Success, "job %s: %+v", j.PartnerParams.JobID, j.Result)
	}
}

// TestNodeSDKRecordings replays every request the official Node SDK (smile-identity-core
// 3.2.1) sent in its recorded scenarios, as TestPythonSDKRecordings does: all are accepted.
func TestNodeSDKRecordings(t *testing.T) {
	scenarios, recs := readRecordings(t, "node-sdk-requests.jsonl")
	require.Len(t, scenarios, 11)
	for _, name := range scenarios {
		t.Run(name, func(t *testing.T) {
			replay(t, recs[name], nil, "")
		})
	}
}
