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
)

const hostileKey = "the-partner-api-key"

// hostile starts an httptest server answering every API request with answer(request
// body, a signer with the partner's key) and a client for it.
func hostile(t *testing.T, answer func(req map[string]any, s *smileid.Signature) any, opts ...smileid.Option) *smileid.Client {
	t.Helper()
	s := smileid.NewSignature("212", hostileKey)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		_ = json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(answer(req, s))
	}))
	t.Cleanup(srv.Close)
	c, err := smileid.NewClient("212", hostileKey, append([]smileid.Option{smileid.WithBaseURL(srv.URL + "/v1"),
		smileid.WithValidationAPI(false), smileid.WithRetryPolicy(smileid.RetryPolicy{}), smileid.WithPollPolicy(fastPoll)}, opts...)...)
	require.NoError(t, err)
	return c
}

func result(jobID, userID string) map[string]any {
	return map[string]any{"ResultCode": "1012", "ResultText": "ID Number Validated", "SmileJobID": "0000000001",
		"Actions":       map[string]any{"Verify_ID_Number": "Verified"},
		"PartnerParams": map[string]any{"job_id": jobID, "user_id": userID, "job_type": 5}}
}

func status(res map[string]any, ts, sig string) map[string]any {
	return map[string]any{"job_complete": true, "job_success": true, "code": "2302", "result": res, "timestamp": ts, "signature": sig}
}

// TestEchoedSignatureIsRefused: a server that knows no key copies the request's timestamp
// and signature into its answer. Job status and the ID API refuse it.
func TestEchoedSignatureIsRefused(t *testing.T) {
	ctx := context.Background()
	c := hostile(t, func(req map[string]any, _ *smileid.Signature) any {
		ts, sig := req["timestamp"].(string), req["signature"].(string)
		if _, ok := req["partner_params"]; ok { // the ID API
			r := result("job-1", "user-1")
			r["timestamp"], r["signature"] = ts, sig
			return r
		}
		return status(result("job-1", "user-1"), ts, sig)
	})
	_, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-1", JobID: "job-1"})
	require.ErrorIs(t, err, smileid.ErrResponseNotBound)
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	var be *smileid.ResponseBindingError
	require.ErrorAs(t, err, &be)
	require.True(t, be.Echoed)

	v, err := c.IDAPI.SubmitJob(ctx, smileid.PartnerParams{JobID: "job-1", UserID: "user-1", JobType: smileid.EnhancedKYC},
		smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000"})
	require.ErrorIs(t, err, smileid.ErrResponseNotBound)
	require.Nil(t, v, "a refused result is not handed over")
}

// TestEchoedSignatureInAnotherEncodingIsRefused: the same signature bytes without padding.
func TestEchoedSignatureInAnotherEncodingIsRefused(t *testing.T) {
	c := hostile(t, func(req map[string]any, s *smileid.Signature) any {
		sig := req["signature"].(string)
		// Re-sign over the epoch-millisecond form of the same instant: another text, the
		// same signature.
		tm, _ := time.Parse(time.RFC3339Nano, req["timestamp"].(string))
		return status(result("job-1", "user-1"), jsonNumberText(tm.UnixMilli()), sig[:len(sig)-1])
	})
	_, err := c.Utilities.GetJobStatus(context.Background(), smileid.JobStatusQuery{UserID: "user-1", JobID: "job-1"})
	require.ErrorIs(t, err, smileid.ErrResponseNotBound)
}

func jsonNumberText(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestAnswerForAnotherJobIsRefused: a properly signed answer naming another job_id or
// user_id (a recorded answer replayed) is refused.
func TestAnswerForAnotherJobIsRefused(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ name, job, user string }{{"job_id", "job-other", "user-1"}, {"user_id", "job-1", "user-other"}} {
		t.Run(tc.name, func(t *testing.T) {
			c := hostile(t, func(req map[string]any, s *smileid.Signature) any {
				ts := smileid.Timestamp(time.Now().Add(time.Second))
				if _, ok := req["partner_params"]; ok {
					r := result(tc.job, tc.user)
					r["timestamp"], r["signature"] = ts, s.Generate(ts)
					return r
				}
				return status(result(tc.job, tc.user), ts, s.Generate(ts))
			})
			_, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-1", JobID: "job-1"})
			var be *smileid.ResponseBindingError
			require.ErrorAs(t, err, &be)
			require.False(t, be.Echoed)
			require.Equal(t, tc.job, be.GotJobID)
			require.Equal(t, tc.user, be.GotUserID)
			require.NotErrorIs(t, err, smileid.ErrSignatureMismatch)

			_, err = c.WebAPI.PollJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-1", JobID: "job-1"})
			require.ErrorIs(t, err, smileid.ErrResponseNotBound, "polling refuses it too")

			_, err = c.IDAPI.SubmitJob(ctx, smileid.PartnerParams{JobID: "job-1", UserID: "user-1", JobType: smileid.EnhancedKYC},
				smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000"})
			require.ErrorIs(t, err, smileid.ErrResponseNotBound)
		})
	}
	// The same server answering for the job asked for is accepted.
	c := hostile(t, func(req map[string]any, s *smileid.Signature) any {
		ts := smileid.Timestamp(time.Now().Add(time.Second))
		return status(result("job-1", "user-1"), ts, s.Generate(ts))
	})
	st, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-1", JobID: "job-1"})
	require.NoError(t, err)
	require.Equal(t, "1012", st.LatestResult().ResultCode)
}

// TestEchoOfAnEarlierAttemptIsRefused: each retry is signed afresh; an answer copying the
// pair of an earlier attempt of the same call is refused too.
func TestEchoOfAnEarlierAttemptIsRefused(t *testing.T) {
	var first map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		_ = json.NewDecoder(r.Body).Decode(&req)
		if first == nil {
			first = req
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(status(result("job-1", "user-1"), first["timestamp"].(string), first["signature"].(string)))
	}))
	defer srv.Close()
	c, err := smileid.NewClient("212", hostileKey, smileid.WithBaseURL(srv.URL+"/v1"), smileid.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	_, err = c.Utilities.GetJobStatus(context.Background(), smileid.JobStatusQuery{UserID: "user-1", JobID: "job-1"})
	require.ErrorIs(t, err, smileid.ErrResponseNotBound)
}
