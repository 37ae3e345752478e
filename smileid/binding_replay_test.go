package smileid_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// TestAnswerWithAnEarlierRequestsPairIsRefused (review finding 1): a hostile server that
// knows no key answers each request with the (timestamp, signature) of the PREVIOUS
// request it received. The per-call echo check does not see it; the client-wide memory of
// the pairs it sent does: job status and the ID API refuse it.
func TestAnswerWithAnEarlierRequestsPairIsRefused(t *testing.T) {
	var mu sync.Mutex
	var prevTS, prevSig string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Timestamp string `json:"timestamp"`
			Signature string `json:"signature"`
			UserID    string `json:"user_id"`
			JobID     string `json:"job_id"`
			PP        *struct {
				UserID string `json:"user_id"`
				JobID  string `json:"job_id"`
			} `json:"partner_params"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		ts, sig := prevTS, prevSig
		prevTS, prevSig = req.Timestamp, req.Signature
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if ts == "" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"code":"2303","error":"Job not found"}`))
			return
		}
		if strings.HasSuffix(r.URL.Path, "/aml") {
			r := map[string]any{"ResultCode": "0000", "ResultText": "No match", "SmileJobID": "666",
				"PartnerParams": map[string]any{"job_id": req.JobID, "user_id": req.UserID, "job_type": 10},
				"timestamp":     ts, "signature": sig}
			_ = json.NewEncoder(w).Encode(r)
			return
		}
		if req.PP != nil { // the ID API
			r := result(req.PP.JobID, req.PP.UserID)
			r["timestamp"], r["signature"] = ts, sig
			_ = json.NewEncoder(w).Encode(r)
			return
		}
		_ = json.NewEncoder(w).Encode(status(result(req.JobID, req.UserID), ts, sig))
	}))
	defer srv.Close()
	c, err := smileid.NewClient(confPartnerID, confAPIKey, smileid.WithBaseURL(srv.URL+"/v1"),
		smileid.WithValidationAPI(false), smileid.WithRetryPolicy(smileid.RetryPolicy{}))
	require.NoError(t, err)
	ctx := context.Background()
	// Each call is signed in another millisecond than the one before (two requests signed
	// in the same millisecond carry the same pair, and the per-call check would see it).
	nextMillisecond := func() { time.Sleep(2 * time.Millisecond) }
	_, err = c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "u1", JobID: "j1"})
	require.Error(t, err) // the server has no pair yet
	nextMillisecond()
	st, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "u2", JobID: "j2"})
	require.Nil(t, st, "a status signed with the previous request's pair is not handed over")
	require.ErrorIs(t, err, smileid.ErrResponseNotBound)
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	var be *smileid.ResponseBindingError
	require.ErrorAs(t, err, &be)
	require.True(t, be.Echoed)

	nextMillisecond()
	v, err := c.IDAPI.SubmitJob(ctx, smileid.PartnerParams{JobID: "j3", UserID: "u3", JobType: smileid.EnhancedKYC},
		smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000"})
	require.Nil(t, v)
	require.ErrorIs(t, err, smileid.ErrResponseNotBound, "the ID API refuses it too")
	require.ErrorAs(t, err, &be)
	require.True(t, be.Echoed)

	nextMillisecond()
	aml, err := c.AML.SubmitJob(ctx, smileid.AMLRequest{UserID: "u4", JobID: "j4", FullName: "Joe Leo Bloggs", Countries: []string{"NG"}})
	require.Nil(t, aml)
	require.ErrorIs(t, err, smileid.ErrResponseNotBound, "and AML")
	require.ErrorAs(t, err, &be)
	require.True(t, be.Echoed)
}

// TestAnswerSignedLongBeforeTheRequestIsRefused: a pair this client never sent (another
// process's, a log's) signed more than MaxResponseSkew before the request is refused as
// Stale; an answer signed a little before the request (the server's clock a few minutes
// behind) is accepted.
func TestAnswerSignedLongBeforeTheRequestIsRefused(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		offset time.Duration
		ms     bool // the timestamp as epoch milliseconds
		ok     bool
	}{
		{"an hour before", -time.Hour, false, false},
		{"an hour before, epoch ms", -time.Hour, true, false},
		{"just beyond the skew", -smileid.MaxResponseSkew - time.Minute, false, false},
		{"five minutes before (clock skew)", -5 * time.Minute, false, true},
		{"five minutes before, epoch ms", -5 * time.Minute, true, true},
		{"a second after", time.Second, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := hostile(t, func(req map[string]any, s *smileid.Signature) any {
				at := time.Now().Add(tc.offset)
				iso := smileid.Timestamp(at)
				st := status(result("job-1", "user-1"), iso, s.Generate(iso))
				if tc.ms {
					st["timestamp"] = at.UnixMilli() // signed over the ISO form, as Smile ID does
				}
				return st
			})
			st, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-1", JobID: "job-1"})
			if tc.ok {
				require.NoError(t, err)
				require.Equal(t, "1012", st.LatestResult().ResultCode)
				return
			}
			require.Nil(t, st)
			require.ErrorIs(t, err, smileid.ErrResponseNotBound)
			require.NotErrorIs(t, err, smileid.ErrSignatureMismatch, "a stale answer may be a clock far behind")
			var be *smileid.ResponseBindingError
			require.ErrorAs(t, err, &be)
			require.True(t, be.Stale)
			require.False(t, be.Echoed)
		})
	}
}

// TestJobErrorTextCarriesNoUserID (review finding 8): an ID API answer naming another
// user_id is refused; neither the partner's user_id nor the one the answer named appears
// in the error's text or in the JobError's LogValue. They stay in the fields.
func TestJobErrorTextCarriesNoUserID(t *testing.T) {
	const partnerUser, otherUser = "jane.doe@example.com", "someone.else@example.com"
	sig := smileid.NewSignature(confPartnerID, confAPIKey)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts := smileid.Timestamp(time.Now().Add(time.Second))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"ResultCode": "1012", "ResultText": "ID Number Validated", "SmileJobID": "1",
			"PartnerParams": map[string]any{"job_id": "job-rv-pii", "user_id": otherUser, "job_type": 5},
			"timestamp":     ts, "signature": sig.Generate(ts),
		})
	}))
	defer srv.Close()
	c, err := smileid.NewClient(confPartnerID, confAPIKey, smileid.WithBaseURL(srv.URL+"/v1"), smileid.WithValidationAPI(false))
	require.NoError(t, err)
	_, err = c.IDAPI.SubmitJob(context.Background(), smileid.PartnerParams{UserID: partnerUser, JobID: "job-rv-pii", JobType: smileid.EnhancedKYC},
		smileid.IDInfo{Country: "NG", IDType: "NIN", IDNumber: "00000000000"})
	var je *smileid.JobError
	require.ErrorAs(t, err, &je)
	var be *smileid.ResponseBindingError
	require.ErrorAs(t, err, &be)
	require.Equal(t, partnerUser, be.UserID, "the fields keep them")
	require.Equal(t, otherUser, be.GotUserID)
	require.Contains(t, err.Error(), "another user_id")
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), je.LogValue().String()} {
		require.NotContains(t, text, partnerUser)
		require.NotContains(t, text, otherUser)
	}
}
