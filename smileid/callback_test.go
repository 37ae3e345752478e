package smileid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// signedBody returns a callback body signed over ts with the conformance key.
func signedBody(t *testing.T, shape string, ts any) []byte {
	t.Helper()
	s := smileid.NewSignature(confPartnerID, confAPIKey)
	var text string
	switch v := ts.(type) {
	case string:
		text = v
	case int64:
		text = smileid.Timestamp(time.UnixMilli(v))
	}
	result := map[string]any{"ResultCode": "1210", "ResultText": "Enroll User", "SmileJobID": "0000001111",
		"PartnerParams": map[string]any{"job_id": "job-0001", "user_id": "user-0001", "job_type": "1"}}
	var body map[string]any
	if shape == "status" {
		body = map[string]any{"job_complete": true, "job_success": true, "code": "2302", "result": result}
	} else {
		body = result
	}
	body["timestamp"], body["signature"] = ts, s.Generate(text)
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return b
}

func TestVerifyCallback(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shape string
		ts    any
	}{
		{"result at the top level", "result", "2026-11-25T18:33:08.120Z"},
		{"job status shape", "status", "2026-11-25T18:33:08.120Z"},
		{"epoch milliseconds", "result", int64(1678216434434)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb, err := smileid.VerifyCallback(confPartnerID, confAPIKey, signedBody(t, tc.shape, tc.ts))
			require.NoError(t, err)
			require.Equal(t, "1210", cb.Result.ResultCode)
			require.Equal(t, "job-0001", cb.JobID())
			require.Equal(t, "user-0001", cb.UserID())
			require.Equal(t, "1", smileid.ResultJobTypeText(cb.Result))
			require.Equal(t, tc.shape == "status", cb.Status != nil)
			require.NotEmpty(t, cb.Raw)
		})
	}
	// The Python seed README's callback: a legacy "sec_key"-style signature never matches.
	_, err := smileid.VerifyCallback(confPartnerID, confAPIKey, []byte(`{"result":{"ResultCode":"0810","ResultText":"Enroll User"},"signature":"HKBhxcv+1qaLy\\C7PjVtk257dE=|1577","timestamp":"2019-10-10T12:32:04.622Z"}`))
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)

	good := signedBody(t, "result", "2026-11-25T18:33:08.120Z")
	_, err = smileid.VerifyCallback(confPartnerID, "another key", good)
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	_, err = smileid.VerifyCallback("213", confAPIKey, good)
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	tampered := bytes.Replace(good, []byte("2026-11-25T18:33:08.120Z"), []byte("2026-11-25T18:33:09.120Z"), 1)
	_, err = smileid.VerifyCallback(confPartnerID, confAPIKey, tampered)
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	for _, body := range []string{`not json`, `[]`, `{"ResultCode":"1210"}`, `{"signature":"x"}`, `{"signature":"x","timestamp":{}}`} {
		_, err = smileid.VerifyCallback(confPartnerID, confAPIKey, []byte(body))
		require.ErrorIs(t, err, smileid.ErrCallbackFormat, body)
	}
}

func TestCallbackHandler(t *testing.T) {
	var got []*smileid.Callback
	fail := false
	h := smileid.CallbackHandler(smileid.NewSignature(confPartnerID, confAPIKey), func(_ context.Context, cb *smileid.Callback) error {
		if fail {
			return errors.New("database down")
		}
		got = append(got, cb)
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(body []byte) (int, string) {
		rsp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		defer rsp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(rsp.Body)
		return rsp.StatusCode, b.String()
	}
	good := signedBody(t, "result", "2026-11-25T18:33:08.120Z")
	code, _ := post(good)
	require.Equal(t, http.StatusOK, code)
	require.Len(t, got, 1)
	code, body := post(good[:len(good)-1])
	require.Equal(t, http.StatusBadRequest, code)
	require.NotContains(t, body, "1210", "the body is never echoed")
	unsigned, _ := json.Marshal(map[string]any{"ResultCode": "1210", "signature": "AAAA", "timestamp": "t"})
	code, _ = post(unsigned)
	require.Equal(t, http.StatusUnauthorized, code)
	code, _ = post(append([]byte(`{"x":"`), append(bytes.Repeat([]byte("a"), smileid.MaxCallbackSize), '"', '}')...))
	require.Equal(t, http.StatusRequestEntityTooLarge, code)
	rsp, err := http.Get(srv.URL)
	require.NoError(t, err)
	rsp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, rsp.StatusCode)
	fail = true
	code, _ = post(good)
	require.Equal(t, http.StatusInternalServerError, code)
	require.Len(t, got, 1)
}

// FuzzVerifyCallback feeds arbitrary bodies: VerifyCallback never panics, and accepts only
// bodies signed with the key.
func FuzzVerifyCallback(f *testing.F) {
	s := smileid.NewSignature(confPartnerID, confAPIKey)
	ts := "2026-11-25T18:33:08.120Z"
	f.Add([]byte(`{"ResultCode":"1210","ResultText":"x","timestamp":"` + ts + `","signature":"` + s.Generate(ts) + `"}`))
	f.Add([]byte(`{"result":{"ResultCode":"1210"},"timestamp":1678216434434,"signature":"x"}`))
	f.Add([]byte(`{"result":"No zip","timestamp":"` + ts + `","signature":"` + s.Generate(ts) + `"}`))
	if seed, err := os.ReadFile("../testdata/conformance/signatures.json"); err == nil {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := s.VerifyCallback(body)
		if err != nil {
			require.Nil(t, cb)
			return
		}
		require.NotNil(t, cb.Result)
		var env struct {
			Signature string `json:"signature"`
		}
		require.NoError(t, json.Unmarshal(body, &env))
		require.True(t, s.Confirm(cb.Timestamp, env.Signature) ||
			s.Confirm(smileid.Timestamp(time.UnixMilli(mustAtoi(t, cb.Timestamp))), env.Signature))
	})
}

func mustAtoi(t *testing.T, s string) int64 {
	var n int64
	if err := json.Unmarshal([]byte(strings.TrimLeft(s, "+")), &n); err != nil {
		return 0
	}
	return n
}
