package smileid_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// timestampVariants are texts the signature check accepts for one signed ISO instant:
// the ISO text, its epoch milliseconds, and those with leading zeros.
func timestampVariants(iso string) []string {
	tm, err := time.Parse(time.RFC3339Nano, iso)
	if err != nil {
		panic(err)
	}
	ms := strconv.FormatInt(tm.UnixMilli(), 10)
	return []string{iso, ms, "0" + ms, "00" + ms}
}

// TestOfflineHandlerDedupesTimestampVariants (review finding 2): one signed delivery,
// re-posted with the same instant written differently (epoch milliseconds, leading
// zeros: each verifies), reaches handle once.
func TestOfflineHandlerDedupesTimestampVariants(t *testing.T) {
	const iso = "2026-11-25T18:33:08.120Z"
	sig := smileid.NewSignature(confPartnerID, confAPIKey)
	signature := sig.Generate(iso) // the pair of one genuine delivery
	calls := 0
	h := smileid.OfflineCallbackHandler(sig, func(context.Context, *smileid.SignedCallback) error {
		calls++
		return nil
	}, callbackAt)
	for _, ts := range timestampVariants(iso) {
		body := `{"ResultCode":"1210","ResultText":"Enroll User","SmileJobID":"0000001111",` +
			`"PartnerParams":{"job_id":"job-0001","user_id":"user-0001","job_type":"1"},` +
			`"timestamp":"` + ts + `","signature":"` + signature + `"}`
		_, err := sig.CheckCallbackSignature([]byte(body), callbackAt)
		require.NoError(t, err, "timestamp %q verifies", ts)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(body)))
		require.Equal(t, http.StatusOK, rec.Code, "timestamp %q", ts)
	}
	require.Equal(t, 1, calls, "one signed delivery, replayed with the same instant written differently, reached handle %d times", calls)
}

// TestCallbackHandlerPassesOnAResultOnce (review finding 2): Client.CallbackHandler calls
// handle once per confirmed result. The same delivery with its timestamp written
// differently is answered 200 without a status request; the same result under another
// signed pair (another instant) is confirmed but not passed on again.
func TestCallbackHandlerPassesOnAResultOnce(t *testing.T) {
	srv, c := callbackServer(t)
	st := completedJob(t, c, "once")
	res := st.LatestResult()
	calls := 0
	h := c.CallbackHandler(func(context.Context, *smileid.ConfirmedCallback) error { calls++; return nil })
	s := smileid.NewSignature(srv.PartnerID, srv.APIKey)
	body := func(ts, signedOver string) []byte {
		b, err := json.Marshal(map[string]any{"ResultCode": res.ResultCode, "ResultText": res.ResultText, "SmileJobID": res.SmileJobID,
			"PartnerParams": map[string]any{"job_id": "job-once", "user_id": "user-once", "job_type": 4},
			"timestamp":     json.RawMessage(strconv.Quote(ts)), "signature": s.Generate(signedOver)})
		require.NoError(t, err)
		return b
	}
	iso := smileid.Timestamp(time.Now().Add(-time.Minute))
	require.Equal(t, http.StatusOK, post(t, h, body(iso, iso)).Code)
	require.Equal(t, 1, calls)
	lookups := len(srv.RequestsFor(smileid.OpJobStatus))
	for _, ts := range timestampVariants(iso)[1:] {
		require.Equal(t, http.StatusOK, post(t, h, body(ts, iso)).Code, "timestamp %q", ts)
	}
	require.Equal(t, 1, calls, "the same delivery written differently is passed on once")
	require.Len(t, srv.RequestsFor(smileid.OpJobStatus), lookups, "and costs no status request")

	other := smileid.Timestamp(time.Now().Add(-2 * time.Minute))
	require.Equal(t, http.StatusOK, post(t, h, body(other, other)).Code)
	require.Equal(t, 1, calls, "the same confirmed result under another pair is passed on once")
	require.Len(t, srv.RequestsFor(smileid.OpJobStatus), lookups+1, "(it was confirmed)")
}

// TestOneSignedInstantNamesFewJobs (review finding 2): one leaked pair attached to bodies
// naming job after job costs at most a few status requests; the rest are refused (409)
// without one.
func TestOneSignedInstantNamesFewJobs(t *testing.T) {
	srv, c := callbackServer(t)
	var refused []error
	h := c.CallbackHandler(func(context.Context, *smileid.ConfirmedCallback) error { return nil },
		smileid.OnCallbackRefused(func(_ context.Context, err error) { refused = append(refused, err) }))
	s := smileid.NewSignature(srv.PartnerID, srv.APIKey)
	ts := smileid.Timestamp(time.Now().Add(-time.Minute)) // one leaked pair
	forged := func(i int, tsText string) []byte {
		b, err := json.Marshal(map[string]any{"ResultCode": "0810", "ResultText": "Enroll User",
			"PartnerParams": map[string]any{"job_id": fmt.Sprintf("job-x%d", i), "user_id": fmt.Sprintf("user-x%d", i), "job_type": 4},
			"timestamp":     tsText, "signature": s.Generate(ts)})
		require.NoError(t, err)
		return b
	}
	before := len(srv.RequestsFor(smileid.OpJobStatus))
	tm, _ := time.Parse(time.RFC3339Nano, ts)
	for i := range 20 {
		text := ts
		if i%2 == 1 { // the same instant in another form counts as the same instant
			text = strconv.FormatInt(tm.UnixMilli(), 10)
		}
		require.Equal(t, http.StatusConflict, post(t, h, forged(i, text)).Code, "forgery %d", i)
	}
	lookups := len(srv.RequestsFor(smileid.OpJobStatus)) - before
	require.Equal(t, 4, lookups, "20 forged jobs under one pair cost %d status requests", lookups)
	require.Len(t, refused, 20)
	require.ErrorIs(t, refused[19], smileid.ErrCallbackNotConfirmed)
	require.Contains(t, refused[19].Error(), "not looked up")
	// A job the instant already named is still looked up (a redelivery while pending).
	require.Equal(t, http.StatusConflict, post(t, h, forged(0, ts)).Code)
	require.Equal(t, lookups+1, len(srv.RequestsFor(smileid.OpJobStatus))-before)
}

// TestExactKeysUnicodeFold (review finding 3): encoding/json folds keys with Unicode
// (U+017F LONG S folds to s, U+212A KELVIN SIGN to k), so "Re\u017fultCode" is ResultCode
// to it and another key to exact readers of Raw. Such bodies are refused.
func TestExactKeysUnicodeFold(t *testing.T) {
	s := smileid.NewSignature(confPartnerID, confAPIKey)
	ts := "2026-11-25T18:33:08.120Z"
	tail := `"timestamp":"` + ts + `","signature":"` + s.Generate(ts) + `"}`
	for name, body := range map[string]string{
		"long s, top level":        `{"ResultCode":"1013","Re` + "\u017f" + `ultCode":"1210","PartnerParams":{"job_id":"job-0001","user_id":"user-0001","job_type":"1"},` + tail,
		"long s, PartnerParams":    `{"ResultCode":"1210","PartnerParams":{"job_id":"job-0001","user_id":"user-0001","job_type":"1","u` + "\u017f" + `er_id":"x"},` + tail,
		"kelvin alone":             `{"ResultCode":"1210","kyc_receipt":"a","\u212a` + `yc_receipt":"b",` + tail,
		"kelvin, another spelling": `{"ResultCode":"1210","\u212a` + `yc_receipt":"b",` + tail,
		"long s in a result":       `{"job_complete":true,"result":{"ResultCode":"1013","Re` + "\u017f" + `ultCode":"1210"},` + tail,
		"long s alone":             `{"Re` + "\u017f" + `ultCode":"1210",` + tail,
	} {
		t.Run(name, func(t *testing.T) {
			var exact map[string]any
			require.NoError(t, json.Unmarshal([]byte(body), &exact))
			_, err := smileid.CheckCallbackSignature(confPartnerID, confAPIKey, []byte(body), callbackAt)
			require.ErrorIs(t, err, smileid.ErrCallbackFormat)
		})
	}
	// Non-ASCII keys that fold to no key the SDK reads are fine.
	ok := `{"ResultCode":"1210","PartnerParams":{"job_id":"j","user_id":"u","job_type":"1"},"Nom_complet_é":"x","FullData":{"S":1,"s":2},` + tail
	_, err := smileid.CheckCallbackSignature(confPartnerID, confAPIKey, []byte(ok), callbackAt)
	require.Error(t, err, `"S" and "s" in one object are the same key for encoding/json: refused`)
	ok = `{"ResultCode":"1210","PartnerParams":{"job_id":"j","user_id":"u","job_type":"1"},"Nom_complet_é":"x","FullData":{"Ω":1},` + tail
	cb, err := smileid.CheckCallbackSignature(confPartnerID, confAPIKey, []byte(ok), callbackAt)
	require.NoError(t, err)
	require.Equal(t, "1210", cb.Result.ResultCode)
}
