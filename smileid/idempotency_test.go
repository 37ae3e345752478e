package smileid_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

var bvn = smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000"}

func selfieJob(id string) smileid.Job {
	return smileid.Job{PartnerParams: jobParams(id, smileid.SmartSelfieRegistration), Images: []smileid.Image{selfie},
		Options: smileid.JobOptions{ReturnJobStatus: true}}
}

// refusedURL returns a loopback base URL nothing listens on: connections are refused.
func refusedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr + "/v1"
}

// countingClient is an *http.Client whose transport counts the connections it dials.
func countingClient(dials *atomic.Int32) *http.Client {
	d := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return d.DialContext(ctx, network, addr)
	}}}
}

// TestNothingSentIsSafeToRetry: a job-creating request that never reached the network is
// a *NotSentError (ErrNotSent), never ErrJobMayExist, and the SDK retries it itself.
func TestNothingSentIsSafeToRetry(t *testing.T) {
	ctx := context.Background()

	t.Run("refused connection", func(t *testing.T) {
		var dials atomic.Int32
		c, err := smileid.NewClient("212", "key", smileid.WithBaseURL(refusedURL(t)), smileid.WithHTTPClient(countingClient(&dials)),
			smileid.WithRetryPolicy(fastRetry), smileid.WithValidationAPI(false), smileid.WithCallbackURL("https://partner.example.com/cb"))
		require.NoError(t, err)
		calls := map[smileid.Operation]func() error{
			smileid.OpUpload: func() error { _, err := c.WebAPI.SubmitJob(ctx, selfieJob("r1")); return err },
			smileid.OpIDVerification: func() error {
				_, err := c.IDAPI.SubmitJob(ctx, jobParams("r2", smileid.EnhancedKYC), bvn)
				return err
			},
			smileid.OpAsyncIDVerification: func() error { return c.IDAPI.SubmitJobAsync(ctx, jobParams("r3", smileid.EnhancedKYC), bvn, "") },
			smileid.OpToken: func() error {
				_, err := c.WebAPI.GetWebToken(ctx, smileid.WebTokenRequest{UserID: "u", JobID: "j", Product: smileid.ProductSmartSelfie})
				return err
			},
		}
		for op, call := range calls {
			dials.Store(0)
			err := call()
			require.ErrorIs(t, err, smileid.ErrNotSent, op)
			require.NotErrorIs(t, err, smileid.ErrJobMayExist, "%s: nothing reached the server", op)
			var ns *smileid.NotSentError
			require.ErrorAs(t, err, &ns)
			require.Equal(t, op, ns.Operation)
			var je *smileid.JobError
			require.False(t, errors.As(err, &je), "%s: no job to name", op)
			require.Equal(t, int32(1+fastRetry.MaxRetries), dials.Load(), "%s: retried within the RetryPolicy", op)
		}
	})

	t.Run("context already ended", func(t *testing.T) {
		srv, c := fake(t, nil, smileid.WithCallbackURL("https://partner.example.com/cb"))
		done, cancel := context.WithCancel(ctx)
		cancel()
		job := selfieJob("x1")
		job.Options.SkipValidationAPI = true
		_, err := c.WebAPI.SubmitJob(done, job)
		require.ErrorIs(t, err, smileid.ErrNotSent)
		require.ErrorIs(t, err, context.Canceled)
		require.NotErrorIs(t, err, smileid.ErrJobMayExist)
		_, err = c.IDAPI.SubmitJob(done, jobParams("x2", smileid.EnhancedKYC), bvn)
		require.ErrorIs(t, err, smileid.ErrNotSent)
		require.NotErrorIs(t, err, smileid.ErrJobMayExist)
		expired, cancel2 := context.WithDeadline(ctx, time.Now().Add(-time.Second))
		defer cancel2()
		_, err = c.WebAPI.GetWebToken(expired, smileid.WebTokenRequest{UserID: "u", JobID: "j", Product: smileid.ProductSmartSelfie})
		require.ErrorIs(t, err, smileid.ErrNotSent)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Empty(t, srv.Requests(), "nothing reached the fake")
	})

	t.Run("a connect that hangs is cut off by the attempt timeout and retried", func(t *testing.T) {
		// Black-holed SYNs, simulated: the first two dials hang until the attempt's
		// timeout; the third reaches the fake. Prep upload was never sent before, so it is
		// retried, and the job is created once.
		var dials atomic.Int32
		d := &net.Dialer{}
		srv := smileidtest.NewServer(t)
		tr := srv.Client().Transport.(*http.Transport).Clone() // trusts the fake's certificate
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if dials.Add(1) <= 2 {
				<-ctx.Done()
				return nil, ctx.Err()
			}
			return d.DialContext(ctx, network, addr)
		}
		c, err := srv.NewClient(smileid.WithHTTPClient(&http.Client{Transport: tr}), smileid.WithValidationAPI(false),
			smileid.WithPollPolicy(fastPoll), smileid.WithRetryPolicy(fastRetry))
		require.NoError(t, err)
		res, err := c.WebAPI.SubmitJob(ctx, selfieJob("bh"), smileid.WithAttemptTimeout(500*time.Millisecond))
		require.NoError(t, err)
		require.True(t, res.Status.JobComplete)
		require.Equal(t, int32(3), dials.Load())
		require.Len(t, srv.RequestsFor(smileid.OpUpload), 1)
		require.Len(t, srv.Jobs(), 1)
	})

	t.Run("a transport that reports nothing proves nothing", func(t *testing.T) {
		// A partner's RoundTripper that does not use net/http's transport: the SDK cannot
		// tell whether the request went out, so it must not repeat it.
		var calls atomic.Int32
		rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
			calls.Add(1)
			return nil, errors.New("connection reset")
		})
		c, err := smileid.NewClient("212", "key", smileid.WithBaseURL("http://127.0.0.1:1/v1"), smileid.WithHTTPClient(&http.Client{Transport: rt}),
			smileid.WithRetryPolicy(fastRetry), smileid.WithValidationAPI(false))
		require.NoError(t, err)
		_, err = c.IDAPI.SubmitJob(ctx, jobParams("t1", smileid.EnhancedKYC), bvn)
		require.ErrorIs(t, err, smileid.ErrJobMayExist)
		require.NotErrorIs(t, err, smileid.ErrNotSent)
		require.Equal(t, int32(1), calls.Load())
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// hangUpServer reads each request whole, then closes the connection without answering.
func hangUpServer(t *testing.T, hits *atomic.Int32) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(s.Close)
	return s.URL + "/v1"
}

// TestSentWithoutAnAnswerMayExist: once bytes went out, a failure is ErrJobMayExist (in
// a *JobError naming the job), and the request is not repeated.
func TestSentWithoutAnAnswerMayExist(t *testing.T) {
	ctx := context.Background()
	var hits atomic.Int32
	c, err := smileid.NewClient("212", "key", smileid.WithBaseURL(hangUpServer(t, &hits)), smileid.WithRetryPolicy(fastRetry),
		smileid.WithValidationAPI(false))
	require.NoError(t, err)

	res, err := c.WebAPI.SubmitJob(ctx, selfieJob("h1"))
	require.Nil(t, res)
	require.ErrorIs(t, err, smileid.ErrJobMayExist)
	require.NotErrorIs(t, err, smileid.ErrNotSent)
	var je *smileid.JobError
	require.ErrorAs(t, err, &je)
	require.Equal(t, smileid.JobError{UserID: "user-h1", JobID: "job-h1", Stage: smileid.OpUpload}, smileid.JobError{UserID: je.UserID, JobID: je.JobID, Stage: je.Stage})
	require.Equal(t, int32(1), hits.Load(), "never repeated")

	hits.Store(0)
	v, err := c.IDAPI.SubmitJob(ctx, jobParams("h2", smileid.EnhancedKYC), bvn)
	require.Nil(t, v)
	require.ErrorIs(t, err, smileid.ErrJobMayExist)
	require.ErrorAs(t, err, &je)
	require.Equal(t, "job-h2", je.JobID)
	require.Equal(t, smileid.OpIDVerification, je.Stage)
	require.Equal(t, int32(1), hits.Load(), "never repeated")

	hits.Store(0)
	err = c.IDAPI.SubmitJobAsync(ctx, jobParams("h3", smileid.EnhancedKYC), bvn, "https://partner.example.com/cb")
	require.ErrorIs(t, err, smileid.ErrJobMayExist)
	require.ErrorAs(t, err, &je)
	require.Equal(t, "job-h3", je.JobID)
	require.Equal(t, int32(1), hits.Load(), "never repeated")
}

// TestGatewayAnswersMayHaveCreatedTheJob: 408, 502 and 504 come from something that may
// have passed the request on: ErrJobMayExist, with the *APIError, not repeated.
func TestGatewayAnswersMayHaveCreatedTheJob(t *testing.T) {
	ctx := context.Background()
	for _, status := range []int{http.StatusRequestTimeout, http.StatusBadGateway, http.StatusGatewayTimeout} {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{Status: status, Body: "<html>Bad Gateway</html>"})
		srv.InjectFault(smileid.OpIDVerification, 1, smileidtest.Fault{Status: status})
		res, err := c.WebAPI.SubmitJob(ctx, selfieJob("g"))
		require.Nil(t, res)
		require.ErrorIs(t, err, smileid.ErrJobMayExist, "HTTP %d", status)
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, status, apiErr.StatusCode)
		var je *smileid.JobError
		require.ErrorAs(t, err, &je)
		require.Equal(t, "job-g", je.JobID)
		require.Len(t, srv.RequestsFor(smileid.OpUpload), 1, "HTTP %d: not repeated", status)

		_, err = c.IDAPI.SubmitJob(ctx, jobParams("g2", smileid.EnhancedKYC), bvn)
		require.ErrorIs(t, err, smileid.ErrJobMayExist, "HTTP %d", status)
		require.Len(t, srv.RequestsFor(smileid.OpIDVerification), 1, "HTTP %d: not repeated", status)
	}

	// A 500 or a 503 without Retry-After may be a failure after the job was created: the
	// same, ErrJobMayExist with the *APIError, not repeated (TestJobCreating5xxMayExist).
	// A 501 says the server does not run the operation: an *APIError.
	for _, status := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusNotImplemented} {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{Status: status})
		_, err := c.WebAPI.SubmitJob(ctx, selfieJob("s"))
		if status == http.StatusNotImplemented {
			require.NotErrorIs(t, err, smileid.ErrJobMayExist)
		} else {
			require.ErrorIs(t, err, smileid.ErrJobMayExist, "HTTP %d", status)
		}
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, status, apiErr.StatusCode)
		require.Len(t, srv.RequestsFor(smileid.OpUpload), 1)
	}
}

// TestRefusalsAreRetriedAfterTheWait: 429, and 503 with Retry-After, are refusals: a
// job-creating request is sent again, signed afresh, after the wait the server asks for.
func TestRefusalsAreRetriedAfterTheWait(t *testing.T) {
	ctx := context.Background()

	t.Run("429 with Retry-After 1 on prep upload ends in a completed job", func(t *testing.T) {
		srv, c := fake(t, nil, smileid.WithRetryPolicy(smileid.RetryPolicy{MaxRetries: 2, InitialBackoff: time.Millisecond,
			MaxBackoff: time.Millisecond, MaxRetryAfter: 5 * time.Second}))
		srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"})
		res, err := c.WebAPI.SubmitJob(ctx, selfieJob("429"))
		require.NoError(t, err)
		require.True(t, res.Status.JobComplete)
		ups := srv.RequestsFor(smileid.OpUpload)
		require.Len(t, ups, 2)
		require.GreaterOrEqual(t, ups[1].Time.Sub(ups[0].Time), 900*time.Millisecond, "the wait the server asked for")
		require.NotEqual(t, bodyField(t, ups[0], "signature"), bodyField(t, ups[1], "signature"), "signed afresh")
		require.NotEqual(t, bodyField(t, ups[0], "timestamp"), bodyField(t, ups[1], "timestamp"))
		j, ok := srv.Job("job-429")
		require.True(t, ok)
		require.Equal(t, bodyField(t, ups[1], "timestamp"), j.Manifest.MiscInformation.Timestamp, "info.json carries the accepted attempt's timestamp")
		require.Len(t, srv.Jobs(), 1)
	})

	t.Run("503 with Retry-After on the ID API", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpIDVerification, 1, smileidtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0"})
		v, err := c.IDAPI.SubmitJob(ctx, jobParams("503", smileid.EnhancedKYC), bvn)
		require.NoError(t, err)
		require.Equal(t, "1012", v.ResultCode)
		require.Len(t, srv.RequestsFor(smileid.OpIDVerification), 2)
	})

	t.Run("a wait beyond MaxRetryAfter is not waited for", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "3600"})
		_, err := c.WebAPI.SubmitJob(ctx, selfieJob("cap"))
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, time.Hour, apiErr.RetryAfter)
		require.NotErrorIs(t, err, smileid.ErrJobMayExist, "a refusal created nothing")
		require.Len(t, srv.RequestsFor(smileid.OpUpload), 1)
	})

	t.Run("refusals count against MaxRetries", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpToken, 5, smileidtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"})
		_, err := c.WebAPI.GetWebToken(ctx, smileid.WebTokenRequest{UserID: "u", JobID: "j", Product: smileid.ProductSmartSelfie,
			CallbackURL: "https://partner.example.com/cb"})
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, http.StatusTooManyRequests, apiErr.StatusCode)
		require.Len(t, srv.RequestsFor(smileid.OpToken), 1+fastRetry.MaxRetries)
	})
}

// TestCodes: the exported codes and predicates see through wrapping.
func TestCodes(t *testing.T) {
	ctx := context.Background()
	srv, c := fake(t, nil)
	_, err := c.WebAPI.SubmitJob(ctx, selfieJob("dup"))
	require.NoError(t, err)
	_, err = c.WebAPI.SubmitJob(ctx, selfieJob("dup"))
	require.True(t, smileid.IsDuplicateJob(err))
	require.True(t, smileid.IsDuplicateJob(fmt.Errorf("partner code: %w", err)))
	require.Equal(t, smileid.CodeDuplicateJob, smileid.ErrorCode(err))
	require.False(t, smileid.IsBadSignature(err))
	require.False(t, smileid.IsDuplicateJob(nil))

	wrong, err := smileid.NewClient(srv.PartnerID, "not-the-key", srv.ClientOptions()...)
	require.NoError(t, err)
	_, err = wrong.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-dup", JobID: "job-dup"})
	require.True(t, smileid.IsBadSignature(err), "%v", err)
	require.False(t, smileid.IsDuplicateJob(err))

	_, err = c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-dup", JobID: "job-dup"})
	require.NoError(t, err)
	require.False(t, smileid.IsNoZipReceived(err))
}

// TestReturningTheErrorKeepsTheJob: "if err != nil { return err }" after a failed poll
// still lets the caller find the SmileJobID of the job that was created.
func TestReturningTheErrorKeepsTheJob(t *testing.T) {
	srv, c := fake(t, nil)
	srv.InjectFault(smileid.OpJobStatus, 100, smileidtest.Fault{BadSignature: true})
	submit := func() error {
		res, err := c.WebAPI.SubmitJob(context.Background(), selfieJob("ret"))
		if err != nil {
			return err
		}
		_ = res
		return nil
	}
	err := submit()
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	var je *smileid.JobError
	require.ErrorAs(t, err, &je)
	require.Equal(t, srv.Jobs()[0].SmileJobID, je.SmileJobID)
	require.NotEmpty(t, je.SmileJobID)
	require.Equal(t, "user-ret", je.UserID)
	require.Equal(t, "job-ret", je.JobID)
	require.Equal(t, smileid.OpJobStatus, je.Stage)
	require.Contains(t, err.Error(), je.SmileJobID, "the text names the job")

	// An ID API answer that cannot be trusted: the result is nil, the answer is in the error.
	srv.InjectFault(smileid.OpIDVerification, 1, smileidtest.Fault{BadSignature: true})
	v, err := c.IDAPI.SubmitJob(context.Background(), jobParams("ret2", smileid.EnhancedKYC), bvn)
	require.Nil(t, v)
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	require.ErrorAs(t, err, &je)
	require.Equal(t, "job-ret2", je.JobID)
	require.Equal(t, smileid.OpIDVerification, je.Stage)
	require.NotEmpty(t, je.SmileJobID, "as the (unverified) answer states it")
	require.Contains(t, string(je.Body), `"ResultCode"`)
}

// TestJobErrorPrintsNoBody: the body of an ID API answer (personal data) never appears in
// a JobError's text, whatever the verb.
func TestJobErrorPrintsNoBody(t *testing.T) {
	je := &smileid.JobError{UserID: "someone@example.com", JobID: "j1", SmileJobID: "0000000001", Stage: smileid.OpIDVerification,
		Body: []byte(`{"FullName":"Joe Bloggs"}`), Err: smileid.ErrSignatureMismatch}
	for _, out := range []string{fmt.Sprint(je), fmt.Sprintf("%v %+v %#v %s %q %x %d", je, je, je, je, je, je, je), je.Error()} {
		require.NotContains(t, out, "Bloggs")
		require.NotContains(t, out, "someone@example.com")
		require.NotContains(t, out, fmt.Sprintf("%x", "Bloggs"))
		require.Contains(t, out, "0000000001")
	}
	require.ErrorIs(t, je, smileid.ErrSignatureMismatch)
}

// TestPollingEndsWithALastPollAtTheDeadline: when the next interval would pass MaxWait,
// the poller polls once more at the deadline instead of sleeping to it and giving up.
func TestPollingEndsWithALastPollAtTheDeadline(t *testing.T) {
	ctx := context.Background()
	// MaxWait is well past one poll, even under -race on a busy machine: a poll still in
	// flight at the deadline is cut off, which is another test's case.
	p := smileid.PollPolicy{InitialInterval: time.Minute, MaxInterval: time.Minute, MaxWait: 700 * time.Millisecond, MaxErrors: 3}
	srv, c := fake(t, []smileidtest.Option{smileidtest.WithCompletion(1, time.Hour)}, smileid.WithPollPolicy(p))
	res, err := c.WebAPI.SubmitJob(ctx, selfieJob("last"))
	require.NoError(t, err, "the job completed by the deadline's poll")
	require.True(t, res.Status.JobComplete)
	require.Len(t, srv.RequestsFor(smileid.OpJobStatus), 2)

	// Still pending at the deadline: a *PollTimeoutError naming the job.
	srv2, c2 := fake(t, []smileidtest.Option{smileidtest.WithCompletion(1000, time.Hour)}, smileid.WithPollPolicy(p))
	_, err = c2.WebAPI.SubmitJob(ctx, selfieJob("late"))
	var pte *smileid.PollTimeoutError
	require.ErrorAs(t, err, &pte)
	require.Equal(t, 2, pte.Polls)
	require.Equal(t, "user-late", pte.UserID)
	require.Equal(t, "job-late", pte.JobID)
	require.Equal(t, srv2.Jobs()[0].SmileJobID, pte.SmileJobID)
	require.Contains(t, pte.Error(), "job-late")
	require.Len(t, srv2.RequestsFor(smileid.OpJobStatus), 2)

	_, err = c2.WebAPI.PollJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-late", JobID: "job-late"})
	require.ErrorAs(t, err, &pte)
	require.Equal(t, "job-late", pte.JobID)
}

// TestCallOptions: polling and the per-attempt timeout per call, the client's settings
// untouched.
func TestCallOptions(t *testing.T) {
	ctx := context.Background()
	short := fastPoll
	short.MaxWait = 30 * time.Millisecond
	short.InitialInterval, short.MaxInterval = 20*time.Millisecond, 20*time.Millisecond
	srv, c := fake(t, []smileidtest.Option{smileidtest.WithCompletion(4, time.Hour)}, smileid.WithPollPolicy(short))

	long := fastPoll
	long.MaxWait = 10 * time.Second
	res, err := c.WebAPI.SubmitJob(ctx, selfieJob("long"), smileid.WithPolling(long))
	require.NoError(t, err, "this call's budget")
	require.True(t, res.Status.JobComplete)

	_, err = c.WebAPI.SubmitJob(ctx, selfieJob("short"))
	require.ErrorIs(t, err, smileid.ErrPollTimeout, "the client's budget, unchanged")

	st, err := c.WebAPI.PollJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-short", JobID: "job-short"}, smileid.WithPollBudget(10*time.Second))
	require.NoError(t, err)
	require.True(t, st.JobComplete)

	// The per-attempt timeout: the client waits 60 s per attempt, this call 500 ms.
	srv.InjectFault(smileid.OpJobStatus, 1, smileidtest.Fault{Delay: 10 * time.Second})
	before := len(srv.RequestsFor(smileid.OpJobStatus))
	_, err = c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-long", JobID: "job-long"}, smileid.WithAttemptTimeout(500*time.Millisecond))
	require.NoError(t, err)
	require.Len(t, srv.RequestsFor(smileid.OpJobStatus), before+2, "the slow attempt was cut off and retried")

	// Invalid options are refused before anything is sent.
	before = len(srv.Requests())
	var ve *smileid.ValidationError
	_, err = c.WebAPI.SubmitJob(ctx, selfieJob("bad"), smileid.WithPolling(smileid.PollPolicy{}))
	require.ErrorAs(t, err, &ve)
	_, err = c.IDAPI.SubmitJob(ctx, jobParams("bad", smileid.EnhancedKYC), bvn, smileid.WithAttemptTimeout(0))
	require.ErrorAs(t, err, &ve)
	_, err = c.WebAPI.PollJobStatus(ctx, smileid.JobStatusQuery{UserID: "u", JobID: "j"}, smileid.WithRetry(smileid.RetryPolicy{MaxRetries: 99}))
	require.ErrorAs(t, err, &ve)
	require.Len(t, srv.Requests(), before)

	// WithRetry per call: no retries for this one.
	srv.InjectFault(smileid.OpJobStatus, 1, smileidtest.Fault{Status: http.StatusServiceUnavailable})
	_, err = c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-long", JobID: "job-long"}, smileid.WithRetry(smileid.RetryPolicy{}))
	var apiErr *smileid.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
}

// TestResumeJob: a job whose zip upload failed after prep upload is finished with
// ResumeJob, which re-opens its upload with the retry flag.
func TestResumeJob(t *testing.T) {
	ctx := context.Background()

	t.Run("after a failed zip upload", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpUploadZip, 1, smileidtest.Fault{Status: http.StatusForbidden,
			Body: "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"})
		job := selfieJob("resume")
		_, err := c.WebAPI.SubmitJob(ctx, job)
		var je *smileid.JobError
		require.ErrorAs(t, err, &je)
		require.Equal(t, smileid.OpUploadZip, je.Stage)
		created := je.SmileJobID
		require.NotEmpty(t, created)

		_, err = c.WebAPI.SubmitJob(ctx, job)
		require.True(t, smileid.IsDuplicateJob(err), "a plain resubmission is refused: %v", err)

		st, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: job.PartnerParams.UserID, JobID: job.PartnerParams.JobID})
		require.NoError(t, err)
		require.Equal(t, smileid.CodeNoZipReceived, st.SmileCode())

		res, err := c.WebAPI.ResumeJob(ctx, job)
		require.NoError(t, err)
		require.True(t, res.Status.JobComplete)
		require.Equal(t, created, res.SmileJobID, "the same job")
		require.Len(t, srv.Jobs(), 1)
		ups := srv.RequestsFor(smileid.OpUpload)
		require.Len(t, ups, 3)
		require.Nil(t, bodyField(t, ups[0], "retry"), "a first submission sends no retry flag")
		require.Equal(t, true, bodyField(t, ups[2], "retry"))
	})

	t.Run("after prep upload may have failed, the job was never created", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{DropConnection: true})
		job := selfieJob("lost")
		_, err := c.WebAPI.SubmitJob(ctx, job)
		require.ErrorIs(t, err, smileid.ErrJobMayExist)
		res, err := c.WebAPI.ResumeJob(ctx, job)
		require.NoError(t, err)
		require.True(t, res.Status.JobComplete)
		ups := srv.RequestsFor(smileid.OpUpload)
		require.Len(t, ups, 2)
		require.Nil(t, bodyField(t, ups[1], "retry"), "an unknown job is submitted as new")
	})

	t.Run("a job whose zip arrived is not uploaded again", func(t *testing.T) {
		srv, c := fake(t, nil)
		job := selfieJob("done")
		first, err := c.WebAPI.SubmitJob(ctx, job)
		require.NoError(t, err)
		res, err := c.WebAPI.ResumeJob(ctx, job)
		require.NoError(t, err)
		require.True(t, res.Status.JobComplete)
		require.Equal(t, first.SmileJobID, res.SmileJobID)
		require.Len(t, srv.RequestsFor(smileid.OpUpload), 1)
		require.Len(t, srv.RequestsFor(smileid.OpUploadZip), 1)
	})

	t.Run("ID API jobs have no upload", func(t *testing.T) {
		srv, c := fake(t, nil)
		_, err := c.WebAPI.ResumeJob(ctx, smileid.Job{PartnerParams: jobParams("k", smileid.EnhancedKYC), IDInfo: bvn})
		var ve *smileid.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Empty(t, srv.Requests())
	})
}

// TestUnusablePrepUploadAnswerNamesTheJob: prep upload answered 200 (the job exists) with a
// body the SDK cannot use: the error names the job and keeps the body.
func TestUnusablePrepUploadAnswerNamesTheJob(t *testing.T) {
	const answer = `{"smile_job_id":"0000000077","upload_url":5}`
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, answer)
	}))
	defer s.Close()
	c, err := smileid.NewClient("212", "key", smileid.WithBaseURL(s.URL+"/v1"), smileid.WithValidationAPI(false))
	require.NoError(t, err)
	res, err := c.WebAPI.SubmitJob(context.Background(), selfieJob("u"))
	require.Nil(t, res)
	var je *smileid.JobError
	require.ErrorAs(t, err, &je)
	require.Equal(t, "0000000077", je.SmileJobID)
	require.Equal(t, smileid.OpUpload, je.Stage)
	require.Equal(t, answer, string(je.Body))
	var apiErr *smileid.APIError
	require.ErrorAs(t, err, &apiErr)
}

// TestAttemptTimeoutAfterSendingMayExist: an attempt cut off by its timeout after the
// request went out may have created the job: ErrJobMayExist, not repeated.
func TestAttemptTimeoutAfterSendingMayExist(t *testing.T) {
	srv, c := fake(t, nil)
	srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{Delay: 10 * time.Second})
	_, err := c.WebAPI.SubmitJob(context.Background(), selfieJob("slow"), smileid.WithAttemptTimeout(500*time.Millisecond))
	require.ErrorIs(t, err, smileid.ErrJobMayExist)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotErrorIs(t, err, smileid.ErrNotSent)
	require.Len(t, srv.RequestsFor(smileid.OpUpload), 1)
}

// TestIDAPIAnswerForAnotherJobNamesNoSmileJobID: an answer bound to another job keeps its
// body for inspection but lends the error no SmileJobID: it is not this job's.
func TestIDAPIAnswerForAnotherJobNamesNoSmileJobID(t *testing.T) {
	pp := smileid.PartnerParams{UserID: "u", JobID: "j", JobType: smileid.EnhancedKYC}
	other := signedResult(t, map[string]any{"SmileJobID": "0000000999",
		"PartnerParams": map[string]any{"user_id": "u", "job_id": "someone-else", "job_type": 5}})
	v, err := idServer(t, 200, "application/json", other).IDAPI.SubmitJob(context.Background(), pp, bvn)
	require.Nil(t, v)
	require.ErrorIs(t, err, smileid.ErrResponseNotBound)
	var je *smileid.JobError
	require.ErrorAs(t, err, &je)
	require.Equal(t, "j", je.JobID)
	require.Empty(t, je.SmileJobID)
	require.Equal(t, other, string(je.Body))
}
