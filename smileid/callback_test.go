package smileid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// callbackAt is a fixed clock for the recorded-style callbacks signed at 2026-11-25.
var callbackAt = smileid.WithCallbackClock(func() time.Time { return time.Date(2026, 11, 25, 18, 40, 0, 0, time.UTC) })

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

func TestCheckCallbackSignature(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shape string
		ts    any
		clock smileid.CallbackOption
	}{
		{"result at the top level", "result", "2026-11-25T18:33:08.120Z", callbackAt},
		{"job status shape", "status", "2026-11-25T18:33:08.120Z", callbackAt},
		{"epoch milliseconds", "result", int64(1678216434434), smileid.WithCallbackClock(func() time.Time { return time.UnixMilli(1678216434434) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb, err := smileid.CheckCallbackSignature(confPartnerID, confAPIKey, signedBody(t, tc.shape, tc.ts), tc.clock)
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
	_, err := smileid.CheckCallbackSignature(confPartnerID, confAPIKey, []byte(`{"result":{"ResultCode":"0810","ResultText":"Enroll User"},"signature":"HKBhxcv+1qaLy\\C7PjVtk257dE=|1577","timestamp":"2019-10-10T12:32:04.622Z"}`))
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)

	good := signedBody(t, "result", "2026-11-25T18:33:08.120Z")
	_, err = smileid.CheckCallbackSignature(confPartnerID, "another key", good, callbackAt)
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	_, err = smileid.CheckCallbackSignature("213", confAPIKey, good, callbackAt)
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	tampered := bytes.Replace(good, []byte("2026-11-25T18:33:08.120Z"), []byte("2026-11-25T18:33:09.120Z"), 1)
	_, err = smileid.CheckCallbackSignature(confPartnerID, confAPIKey, tampered, callbackAt)
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	for _, body := range []string{`not json`, `[]`, `{"ResultCode":"1210"}`, `{"signature":"x"}`, `{"signature":"x","timestamp":{}}`} {
		_, err = smileid.CheckCallbackSignature(confPartnerID, confAPIKey, []byte(body), callbackAt)
		require.ErrorIs(t, err, smileid.ErrCallbackFormat, body)
	}
}

// TestCallbackAgeLimitIsOnByDefault: an old signed pair is refused unless the limit is
// turned off explicitly.
func TestCallbackAgeLimitIsOnByDefault(t *testing.T) {
	s := smileid.NewSignature(confPartnerID, confAPIKey)
	body := func(ts string) []byte {
		return []byte(fmt.Sprintf(`{"ResultCode":"1210","ResultText":"x","timestamp":%q,"signature":%q}`, ts, s.Generate(ts)))
	}
	_, err := s.CheckCallbackSignature(body("2019-10-10T12:32:04.622Z"))
	require.ErrorIs(t, err, smileid.ErrCallbackTooOld, "on by default")
	_, err = s.CheckCallbackSignature(body(smileid.Timestamp(time.Now().Add(-smileid.DefaultMaxCallbackAge - time.Minute))))
	require.ErrorIs(t, err, smileid.ErrCallbackTooOld)
	_, err = s.CheckCallbackSignature(body(smileid.Timestamp(time.Now().Add(-time.Minute))))
	require.NoError(t, err)
	_, err = s.CheckCallbackSignature(body("2019-10-10T12:32:04.622Z"), smileid.WithoutCallbackAgeLimit())
	require.NoError(t, err, "turned off explicitly")
	_, err = s.CheckCallbackSignature(body("2019-10-10T12:32:04.622Z"), smileid.WithMaxCallbackAge(0))
	require.ErrorIs(t, err, smileid.ErrCallbackTooOld, "a zero age keeps the default, it does not turn the check off")
	_, err = s.CheckCallbackSignature(body("not a time"), smileid.WithMaxCallbackAge(time.Hour))
	require.ErrorIs(t, err, smileid.ErrCallbackTooOld, "an unreadable time is outside any limit")
}

// TestCallbackKeysAreExact: encoding/json matches keys case-insensitively and keeps the
// last of duplicates; a body that reads differently to another parser is refused.
func TestCallbackKeysAreExact(t *testing.T) {
	s := smileid.NewSignature(confPartnerID, confAPIKey)
	ts := smileid.Timestamp(time.Now())
	pair := fmt.Sprintf(`"timestamp":%q,"signature":%q`, ts, s.Generate(ts))
	for _, body := range []string{
		`{"PartnerParams":{"job_id":"mine","user_id":"u"},"partnerparams":{"job_id":"theirs","user_id":"u"},"ResultCode":"1210",` + pair + `}`,
		`{"PartnerParams":{"job_id":"mine","user_id":"u","job_id":"theirs"},"ResultCode":"1210",` + pair + `}`,
		`{"ResultCode":"1210","ResultCode":"1220",` + pair + `}`,
		`{"partnerParams":{"job_id":"theirs","user_id":"u"},"ResultCode":"1210",` + pair + `}`,
		`{"PartnerParams":{"Job_ID":"theirs","user_id":"u"},"ResultCode":"1210",` + pair + `}`,
		`{"ResultCode":"1210","Signature":"x",` + pair + `}`,
		`{"result":{"ResultCode":"1210","resultcode":"1220"},"job_complete":true,` + pair + `}`,
		`{"result":{"resultCode":"1210"},"job_complete":true,` + pair + `}`,
		`{"history":[{"ResultCode":"1"},{"partnerparams":{"job_id":"x"}}],"job_complete":true,` + pair + `}`,
		`{"Job_Success":true,"ResultCode":"1210",` + pair + `}`,
	} {
		_, err := s.CheckCallbackSignature([]byte(body))
		require.ErrorIs(t, err, smileid.ErrCallbackFormat, body)
	}
	// The same keys in arrays of objects, unknown keys of any case, and known names in
	// another case inside objects the SDK does not read (a KYB document's own fields) are
	// fine.
	cb, err := s.CheckCallbackSignature([]byte(`{"ResultCode":"1210","Extra":[{"a":1},{"a":2}],"x":{"Y":1,"z":[1,{"k":"v"}]},` +
		`"company_information":{"resultcode":"x","source":"registry","Actions":[]},"PartnerParams":{"job_id":"mine","user_id":"u"},` + pair + `}`))
	require.NoError(t, err)
	require.Equal(t, "mine", cb.JobID())
}

// callbackServer is a fake Smile ID whose jobs complete at once, and a client for it.
func callbackServer(t *testing.T) (*smileidtest.Server, *smileid.Client) {
	return fake(t, []smileidtest.Option{smileidtest.WithCompletion(0, 0)})
}

// completedJob submits a job and polls it to completion, returning its status.
func completedJob(t *testing.T, c *smileid.Client, id string) *smileid.JobStatus {
	t.Helper()
	res, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{PartnerParams: jobParams(id, smileid.SmartSelfieRegistration),
		Images: []smileid.Image{selfie}, Options: smileid.JobOptions{ReturnJobStatus: true}})
	require.NoError(t, err)
	return res.Status
}

// forge pastes a (timestamp, signature) pair the partner sent in a request onto a body of
// the attacker's choosing.
func forge(t *testing.T, srv *smileidtest.Server, body map[string]any) []byte {
	t.Helper()
	reqs := srv.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		var req map[string]any
		if json.Unmarshal(reqs[i].Body, &req) == nil && req["signature"] != nil {
			body["timestamp"], body["signature"] = req["timestamp"], req["signature"]
			break
		}
	}
	require.NotNil(t, body["signature"], "a signed request to copy from")
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return b
}

func post(t *testing.T, h http.Handler, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/cb", bytes.NewReader(body)))
	return rec
}

// TestForgedCallbackNeverReachesTheHandler: a callback built from a real request's
// signature passes the offline check (that is all the protocol's signature can prove), but
// the recommended handler confirms it with Smile ID and never passes it on.
func TestForgedCallbackNeverReachesTheHandler(t *testing.T) {
	srv, c := callbackServer(t)
	st := completedJob(t, c, "victim") // a job of the partner's, rejected or approved
	var got []*smileid.ConfirmedCallback
	var refused []error
	h := c.CallbackHandler(func(_ context.Context, cb *smileid.ConfirmedCallback) error { got = append(got, cb); return nil },
		smileid.OnCallbackRefused(func(_ context.Context, err error) { refused = append(refused, err) }))

	claim := func(jobID, userID, code string, success bool) map[string]any {
		return map[string]any{"job_complete": true, "job_success": success, "code": "2302",
			"result": map[string]any{"ResultCode": code, "ResultText": "Enroll User",
				"PartnerParams": map[string]any{"job_id": jobID, "user_id": userID, "job_type": 4}}}
	}
	// The attacker's own, unknown job: 409, never handed over.
	forged := forge(t, srv, claim("job-attacker", "user-attacker", "0810", true))
	_, err := smileid.CheckCallbackSignature(srv.PartnerID, srv.APIKey, forged)
	require.NoError(t, err, "the offline check cannot tell: the pair is genuine")
	rec := post(t, h, forged)
	require.Equal(t, http.StatusConflict, rec.Code)
	require.Empty(t, got)
	require.ErrorIs(t, refused[0], smileid.ErrCallbackNotConfirmed)
	require.NotContains(t, rec.Body.String(), "attacker", "the body is never echoed")

	// The partner's real job with another outcome: 409.
	real := st.LatestResult()
	forged = forge(t, srv, claim("job-victim", "user-victim", "0811", !st.JobSuccess))
	rec = post(t, h, forged)
	require.Equal(t, http.StatusConflict, rec.Code)
	require.Empty(t, got)
	forged = forge(t, srv, claim("job-victim", "user-victim", real.ResultCode, !st.JobSuccess))
	require.Equal(t, http.StatusConflict, post(t, h, forged).Code, "job_success differs")
	require.Empty(t, got)

	// The same claim as the API's: handed over, with the API's status.
	forged = forge(t, srv, claim("job-victim", "user-victim", real.ResultCode, st.JobSuccess))
	rec = post(t, h, forged)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Len(t, got, 1)
	require.Equal(t, "job-victim", got[0].JobID)
	require.Equal(t, real.ResultCode, got[0].Result.ResultCode)
	require.True(t, got[0].Status.JobComplete)
	require.Equal(t, st.JobSuccess, got[0].Status.JobSuccess)
	// A repeated delivery is passed on once.
	require.Equal(t, http.StatusOK, post(t, h, forged).Code)
	require.Len(t, got, 1)
}

// TestCallbackForAPendingJobIsNotPassedOn: the API does not report the job complete: 503
// with Retry-After, and a later delivery, once it is, goes through.
func TestCallbackForAPendingJobIsNotPassedOn(t *testing.T) {
	srv, c := fake(t, []smileidtest.Option{smileidtest.WithCompletion(1000, time.Hour)})
	_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{PartnerParams: jobParams("p", smileid.SmartSelfieRegistration),
		Images: []smileid.Image{selfie}, Options: smileid.JobOptions{CallbackURL: "https://partner.example/cb"}})
	require.NoError(t, err)
	var got int
	h := c.CallbackHandler(func(context.Context, *smileid.ConfirmedCallback) error { got++; return nil })
	forged := forge(t, srv, map[string]any{"ResultCode": "0810", "ResultText": "Enroll User",
		"PartnerParams": map[string]any{"job_id": "job-p", "user_id": "user-p", "job_type": 4}})
	rec := post(t, h, forged)
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "60", rec.Header().Get("Retry-After"))
	require.Zero(t, got)

	_, err = c.ConfirmCallback(context.Background(), forged)
	var nc *smileid.CallbackNotConfirmedError
	require.ErrorAs(t, err, &nc)
	require.True(t, nc.Pending)
}

// TestRealCallbackIsConfirmed: the fake's own callbacks go through the recommended handler.
func TestRealCallbackIsConfirmed(t *testing.T) {
	var h http.Handler
	got := make(chan *smileid.ConfirmedCallback, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer receiver.Close()
	srv, c := fake(t, []smileidtest.Option{smileidtest.WithCompletion(0, 0)})
	h = c.CallbackHandler(func(_ context.Context, cb *smileid.ConfirmedCallback) error { got <- cb; return nil })
	_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{PartnerParams: jobParams("real", smileid.SmartSelfieRegistration),
		Images: []smileid.Image{selfie}, Options: smileid.JobOptions{CallbackURL: receiver.URL + "/cb"}})
	require.NoError(t, err)
	select {
	case cb := <-got:
		require.Equal(t, "job-real", cb.JobID)
		require.Equal(t, cb.Result.ResultCode, cb.Callback.Result.ResultCode)
	case <-time.After(5 * time.Second):
		t.Fatal("no confirmed callback")
	}
	cbs, err := srv.WaitForCallbacks(context.Background(), 1)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cbs[0].StatusCode)
}

func TestCallbackHandlerAnswers(t *testing.T) {
	s := smileid.NewSignature(confPartnerID, confAPIKey)
	var got []*smileid.SignedCallback
	fail := false
	h := smileid.OfflineCallbackHandler(s, func(_ context.Context, cb *smileid.SignedCallback) error {
		if fail {
			return errors.New("database down")
		}
		got = append(got, cb)
		return nil
	}, callbackAt)
	srv := httptest.NewServer(h)
	defer srv.Close()
	postHTTP := func(body []byte) (int, string) {
		rsp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		defer rsp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(rsp.Body)
		return rsp.StatusCode, b.String()
	}
	good := signedBody(t, "result", "2026-11-25T18:33:08.120Z")
	fail = true
	code, _ := postHTTP(good)
	require.Equal(t, http.StatusInternalServerError, code)
	require.Empty(t, got)
	fail = false
	code, _ = postHTTP(good)
	require.Equal(t, http.StatusOK, code, "a failed delivery is not remembered: the next one goes through")
	require.Len(t, got, 1)
	code, _ = postHTTP(good)
	require.Equal(t, http.StatusOK, code)
	require.Len(t, got, 1, "a repeated delivery (same job, same timestamp) is passed on once")
	code, body := postHTTP(good[:len(good)-1])
	require.Equal(t, http.StatusBadRequest, code)
	require.NotContains(t, body, "1210", "the body is never echoed")
	unsigned, _ := json.Marshal(map[string]any{"ResultCode": "1210", "signature": "AAAA", "timestamp": "t"})
	code, _ = postHTTP(unsigned)
	require.Equal(t, http.StatusUnauthorized, code)
	code, _ = postHTTP(signedBody(t, "result", "2019-10-10T12:32:04.622Z"))
	require.Equal(t, http.StatusUnauthorized, code, "too old")
	code, _ = postHTTP(append([]byte(`{"x":"`), append(bytes.Repeat([]byte("a"), smileid.MaxCallbackSize), '"', '}')...))
	require.Equal(t, http.StatusRequestEntityTooLarge, code)
	rsp, err := http.Get(srv.URL)
	require.NoError(t, err)
	rsp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, rsp.StatusCode)
}

// TestConcurrentDeliveriesArePassedOnOnce: the same delivery arriving twice at once
// reaches the handler once.
func TestConcurrentDeliveriesArePassedOnOnce(t *testing.T) {
	s := smileid.NewSignature(confPartnerID, confAPIKey)
	var mu sync.Mutex
	calls := 0
	release := make(chan struct{})
	h := smileid.OfflineCallbackHandler(s, func(context.Context, *smileid.SignedCallback) error {
		mu.Lock()
		calls++
		mu.Unlock()
		<-release
		return nil
	}, callbackAt)
	good := signedBody(t, "result", "2026-11-25T18:33:08.120Z")
	first := make(chan int)
	go func() { first <- post(t, h, good).Code }()
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return calls == 1 }, 5*time.Second, time.Millisecond)
	rec := post(t, h, good)
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, "in flight")
	close(release)
	require.Equal(t, http.StatusOK, <-first)
	require.Equal(t, 1, calls)
}

// FuzzVerifyCallback feeds arbitrary bodies to the offline check: it never panics, accepts
// only bodies signed with the key, and keeps its documented contract on errors: a
// callback is returned with an error only when the signature verified and the result
// did not decode (ErrCallbackFormat), with Raw and Timestamp and no Result.
func FuzzVerifyCallback(f *testing.F) {
	s := smileid.NewSignature(confPartnerID, confAPIKey)
	ts := "2026-11-25T18:33:08.120Z"
	f.Add([]byte(`{"ResultCode":"1210","ResultText":"x","timestamp":"` + ts + `","signature":"` + s.Generate(ts) + `"}`))
	f.Add([]byte(`{"result":{"ResultCode":"1210"},"timestamp":1678216434434,"signature":"x"}`))
	f.Add([]byte(`{"result":"No zip","timestamp":"` + ts + `","signature":"` + s.Generate(ts) + `"}`))
	f.Add([]byte(`{"ResultCode":1210,"timestamp":"` + ts + `","signature":"` + s.Generate(ts) + `"}`))
	f.Add([]byte(`{"PartnerParams":{"job_id":"a"},"partnerparams":{"job_id":"b"},"timestamp":"` + ts + `","signature":"` + s.Generate(ts) + `"}`))
	f.Add([]byte(`{"partnerparams":{"job_id":"b","user_id":"u"},"ResultCode":"1210","timestamp":"` + ts + `","signature":"` + s.Generate(ts) + `"}`))
	f.Add([]byte(`{"job_complete":true,"result":{"ResultCode":"1210","PartnerParams":{"job_id":"a","user_id":"u"}},"timestamp":"` + ts + `","signature":"` + s.Generate(ts) + `"}`))
	if seed, err := os.ReadFile("../testdata/conformance/signatures.json"); err == nil {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := s.CheckCallbackSignature(body, smileid.WithoutCallbackAgeLimit())
		signed := func() bool {
			var env struct {
				Signature string `json:"signature"`
				Timestamp any    `json:"timestamp"`
			}
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			if dec.Decode(&env) != nil {
				return false
			}
			text := fmt.Sprint(env.Timestamp)
			return s.Confirm(text, env.Signature) || s.Confirm(smileid.Timestamp(time.UnixMilli(mustAtoi(t, text))), env.Signature)
		}
		if err != nil {
			if cb != nil {
				require.ErrorIs(t, err, smileid.ErrCallbackFormat)
				require.Nil(t, cb.Result)
				require.Equal(t, string(body), string(cb.Raw))
				require.True(t, signed(), "a callback comes back with an error only when its signature verified")
			}
			return
		}
		require.NotNil(t, cb.Result)
		require.True(t, signed())
		// An exact-key reader of the body sees what the SDK decoded.
		var m map[string]any
		require.NoError(t, json.Unmarshal(body, &m))
		res := m
		if r, ok := m["result"].(map[string]any); ok {
			res = r
		}
		if code, ok := res["ResultCode"].(string); ok {
			require.Equal(t, code, cb.Result.ResultCode)
		} else {
			require.Empty(t, cb.Result.ResultCode)
		}
		pp, _ := res["PartnerParams"].(map[string]any)
		jobID, _ := pp["job_id"].(string)
		userID, _ := pp["user_id"].(string)
		require.Equal(t, jobID, cb.JobID())
		require.Equal(t, userID, cb.UserID())
	})
}

func mustAtoi(t *testing.T, s string) int64 {
	var n int64
	if err := json.Unmarshal([]byte(strings.TrimLeft(s, "+")), &n); err != nil {
		return 0
	}
	return n
}

// TestSignedCallbackWhoseResultDoesNotDecode keeps its body, with an error.
func TestSignedCallbackWhoseResultDoesNotDecode(t *testing.T) {
	s := smileid.NewSignature(confPartnerID, confAPIKey)
	ts := smileid.Timestamp(time.Now())
	odd := fmt.Sprintf(`{"ResultCode":1210,"timestamp":%q,"signature":%q}`, ts, s.Generate(ts))
	cb, err := s.CheckCallbackSignature([]byte(odd))
	require.ErrorIs(t, err, smileid.ErrCallbackFormat)
	require.Equal(t, odd, string(cb.Raw))
	require.Nil(t, cb.Result)
}

// TestConfirmedCallbackAgeLimit: the confirmed path takes the result from the API, so its
// default age limit is long (DefaultConfirmedCallbackAge, 24 h: a genuine callback
// delivered late is not lost), but it has one, so that a leaked pair does not buy status
// requests forever (review finding 2); WithoutCallbackAgeLimit lifts it, WithMaxCallbackAge
// sets another.
func TestConfirmedCallbackAgeLimit(t *testing.T) {
	srv, c := callbackServer(t)
	st := completedJob(t, c, "late")
	body := func(ts string) []byte {
		b, err := json.Marshal(map[string]any{"ResultCode": st.LatestResult().ResultCode, "timestamp": ts,
			"signature":     smileid.NewSignature(srv.PartnerID, srv.APIKey).Generate(ts),
			"PartnerParams": map[string]any{"job_id": "job-late", "user_id": "user-late", "job_type": 4}})
		require.NoError(t, err)
		return b
	}
	late := body(smileid.Timestamp(time.Now().Add(-3 * time.Hour)))
	cb, err := c.ConfirmCallback(context.Background(), late)
	require.NoError(t, err, "three hours late: confirmed")
	require.Equal(t, "job-late", cb.JobID)
	_, err = c.ConfirmCallback(context.Background(), late, smileid.WithMaxCallbackAge(time.Hour))
	require.ErrorIs(t, err, smileid.ErrCallbackTooOld)
	_, err = smileid.CheckCallbackSignature(srv.PartnerID, srv.APIKey, late)
	require.ErrorIs(t, err, smileid.ErrCallbackTooOld, "the offline check keeps its default limit")

	old := body("2019-10-10T12:32:04.622Z")
	before := len(srv.RequestsFor(smileid.OpJobStatus))
	_, err = c.ConfirmCallback(context.Background(), old)
	require.ErrorIs(t, err, smileid.ErrCallbackTooOld, "years old: refused by default")
	var refused []error
	h := c.CallbackHandler(func(context.Context, *smileid.ConfirmedCallback) error { return nil },
		smileid.OnCallbackRefused(func(_ context.Context, err error) { refused = append(refused, err) }))
	require.Equal(t, http.StatusUnauthorized, post(t, h, old).Code)
	require.ErrorIs(t, refused[0], smileid.ErrCallbackTooOld)
	require.Len(t, srv.RequestsFor(smileid.OpJobStatus), before, "no status request for a callback outside the limit")

	cb, err = c.ConfirmCallback(context.Background(), old, smileid.WithoutCallbackAgeLimit())
	require.NoError(t, err, "WithoutCallbackAgeLimit lifts it")
	require.Equal(t, "job-late", cb.JobID)
}

// BenchmarkCheckCallbackSignature checks a 1.5 MB callback (Smile ID's documented
// maximum: an ID lookup with photos), signed, through the exact-key walk and decoding.
func BenchmarkCheckCallbackSignature(b *testing.B) {
	s := smileid.NewSignature(confPartnerID, confAPIKey)
	ts := smileid.Timestamp(time.Now())
	photo := strings.Repeat("A", 1500<<10)
	body, _ := json.Marshal(map[string]any{"ResultCode": "1012", "ResultText": "ID Number Validated", "SmileJobID": "0000000001",
		"PartnerParams": map[string]any{"job_id": "j", "user_id": "u", "job_type": 5}, "Photo": photo,
		"FullData":  map[string]any{"names": []any{"a", "b"}, "nested": map[string]any{"k": 1}},
		"timestamp": ts, "signature": s.Generate(ts)})
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.CheckCallbackSignature(body); err != nil {
			b.Fatal(err)
		}
	}
}
