package exampleutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestConnectServers: which server each SMILEID_SERVER value selects; Connect sends
// nothing.
func TestConnectServers(t *testing.T) {
	creds := func(server string) map[string]string {
		return map[string]string{EnvPartnerID: "0421", EnvAPIKey: "key-not-to-print", EnvServer: server}
	}
	for server, want := range map[string]string{
		"":                               "Smile ID sandbox, https://testapi.smileidentity.com/v1",
		"sandbox":                        "Smile ID sandbox, https://testapi.smileidentity.com/v1",
		"production":                     "Smile ID PRODUCTION, https://api.smileidentity.com/v1 (jobs are real and billed)",
		"https://smile.example.test/v1/": "https://smile.example.test/v1 (from SMILEID_SERVER)",
	} {
		var out bytes.Buffer
		s, err := Connect(&out, env(creds(server)), "test")
		require.NoError(t, err, server)
		s.Close()
		require.Equal(t, want, FieldValue(out.String(), "Server"), server)
		require.Equal(t, "0421 (credentials from SMILEID_PARTNER_ID and SMILEID_API_KEY)", FieldValue(out.String(), "Partner ID"))
		require.NotContains(t, out.String(), "key-not-to-print")
		require.False(t, s.Offline())
	}

	for name, m := range map[string]map[string]string{
		"plain http to a remote host": creds("http://smile.example.test/v1"),
		"not a URL":                   creds("staging"),
		"http callback URL":           {EnvPartnerID: "1", EnvAPIKey: "k", EnvCallbackURL: "http://partner.example/cb"},
	} {
		_, err := Connect(&bytes.Buffer{}, env(m), "test")
		require.Error(t, err, name)
	}
	_, err := Connect(&bytes.Buffer{}, env(map[string]string{EnvPartnerID: "1"}), "test")
	require.ErrorContains(t, err, "set both SMILEID_PARTNER_ID and SMILEID_API_KEY")
}

// TestOfflineSessionCleansUp: offline, Connect starts a fake it closes, and the samples
// written to disk are removed.
func TestOfflineSessionCleansUp(t *testing.T) {
	var out bytes.Buffer
	s, err := Connect(&out, Offline, "test", WithClientOptions(smileid.WithRetryPolicy(smileid.RetryPolicy{})))
	require.NoError(t, err)
	require.True(t, s.Offline())
	require.Contains(t, FieldValue(out.String(), "Server"), s.Fake.URL)
	images, err := s.SampleImages(Selfie, IDCardBack)
	require.NoError(t, err)
	require.Len(t, images, 2)
	require.Equal(t, smileid.ImageSelfieFile, images[0].Type)
	require.Equal(t, smileid.ImageIDCardBackFile, images[1].Type)
	dir := s.tmpDir
	b, err := os.ReadFile(filepath.Join(dir, IDCardBack.SampleName()))
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "conformance", "fixtures", "id_card_back.jpg"))
	require.NoError(t, err)
	require.Equal(t, want, b)

	s.Close()
	_, err = os.Stat(dir)
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = s.Client.Utilities.GetServices(t.Context())
	require.Error(t, err, "the fake should be closed")
}

// TestPrintResult prints every action, unknown ones too, and no personal values unless
// asked for the name and date of birth.
func TestPrintResult(t *testing.T) {
	var r smileid.JobResult
	require.NoError(t, json.Unmarshal([]byte(`{"ResultCode":"1012","ResultText":"ID Number Validated","SmileJobID":"0000000007",
		"Actions":{"Verify_ID_Number":"Verified","Brand_New_Check":"Passed"},
		"FullName":"Ada Obi","DOB":"1985-02-03","IDNumber":"22222222222","Photo":"Not Available","PhoneNumber":"0800"}`), &r))
	var out bytes.Buffer
	s := &Session{Out: &out}
	s.PrintResult("Result:", &r, HidePersonalInfo)
	report := out.String()
	require.Contains(t, report, "    Brand_New_Check   Passed\n")
	require.Contains(t, report, "    Verify_ID_Number  Verified\n")
	require.Equal(t, "returned: FullName, DOB, IDNumber, PhoneNumber (values not shown)", FieldValue(report, "Personal info"))
	for _, v := range []string{"Ada", "1985", "2222", "0800"} {
		require.NotContains(t, report, v)
	}

	out.Reset()
	s.PrintResult("Result:", &r, ShowNameAndDOB)
	report = out.String()
	require.Equal(t, "Ada Obi", FieldValue(report, "FullName"))
	require.Equal(t, "1985-02-03", FieldValue(report, "DOB"))
	require.Equal(t, "IDNumber, PhoneNumber (not shown)", FieldValue(report, "Also returned"))
	require.NotContains(t, report, "2222")
}

func TestParseFlags(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	n := fs.Int("n", 1, "a number")
	var out bytes.Buffer
	require.NoError(t, ParseFlags(fs, []string{"-n", "2"}, &out))
	require.Equal(t, 2, *n)
	require.ErrorContains(t, ParseFlags(flag.NewFlagSet("x", flag.ContinueOnError), []string{"extra"}, &out), `unexpected argument "extra"`)
	require.ErrorContains(t, ParseFlags(flag.NewFlagSet("x", flag.ContinueOnError), []string{"-nope"}, &out), "run with -h")
	require.Empty(t, out.String())

	err := ParseFlags(flag.NewFlagSet("x", flag.ContinueOnError), []string{"-h"}, &out)
	require.True(t, errors.Is(err, flag.ErrHelp))
	require.True(t, strings.HasPrefix(out.String(), "Usage of x:"))
}

func TestRedactURL(t *testing.T) {
	require.Equal(t, "https://partner.example/cb?[query not shown]", RedactURL("https://user:pw@partner.example/cb?token=s3cret#f"))
	require.Equal(t, "http://127.0.0.1:8080/smileid/callback", RedactURL("http://127.0.0.1:8080/smileid/callback"))
	require.Equal(t, "[unparsable URL]", RedactURL("not a url"))
}

// TestReceiver queues confirmed callbacks only: a bad signature gets 401, a genuine
// signature on a result Smile ID does not confirm gets 409; WaitForJob refuses another
// job's.
func TestReceiver(t *testing.T) {
	s, err := Connect(&bytes.Buffer{}, Offline, "test")
	require.NoError(t, err)
	defer s.Close()
	r, err := s.StartReceiver("127.0.0.1:0")
	require.NoError(t, err)
	post := func(sig *smileid.Signature, jobID string) int {
		ts, signature := sig.Now()
		body, err := json.Marshal(map[string]any{"ResultCode": "0810", "ResultText": "Enroll User", "timestamp": ts, "signature": signature,
			"PartnerParams": map[string]any{"job_id": jobID, "user_id": "u", "job_type": 4}})
		require.NoError(t, err)
		rsp, err := http.Post(r.URL, "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		rsp.Body.Close()
		return rsp.StatusCode
	}
	require.Equal(t, http.StatusUnauthorized, post(smileid.NewSignature(s.Client.PartnerID(), "wrong"), "mine"))
	require.Equal(t, http.StatusConflict, post(s.Client.Signature(), "mine"), "no such job at Smile ID")
	_, err = r.WaitForJob(t.Context(), "mine", 50*time.Millisecond)
	require.ErrorIs(t, err, context.DeadlineExceeded, "nothing was queued")

	submit := func(id string) {
		imgs, err := s.SampleImages(Selfie)
		require.NoError(t, err)
		_, err = s.Client.WebAPI.SubmitJob(t.Context(), smileid.Job{PartnerParams: smileid.PartnerParams{UserID: "u", JobID: id, JobType: smileid.SmartSelfieRegistration},
			Images: imgs, Options: smileid.JobOptions{CallbackURL: r.URL, ReturnJobStatus: true}})
		require.NoError(t, err)
	}
	submit("theirs")
	_, err = r.WaitForJob(t.Context(), "mine", 5*time.Second)
	require.ErrorContains(t, err, `callback for another job: "theirs"`)
	submit("mine")
	cb, err := r.WaitForJob(t.Context(), "mine", 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, "0810", cb.Result.ResultCode)
	_, err = r.WaitForJob(t.Context(), "mine", 50*time.Millisecond)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}
