package smileid

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// JobStatusQuery names a job and what to include in its status.
type JobStatusQuery struct {
	UserID     string // the job's partner_params.user_id
	JobID      string // the job's partner_params.job_id
	History    bool   // include every result of the job (the other SDKs' return_history)
	ImageLinks bool   // include expiring links to the job's images (return_images)
}

// JobStatus is a job's status, its signature verified and bound to the request: an answer
// that carries a signature the client sent, was signed long before the request, or whose
// results name another job_id or user_id, is a *ResponseBindingError
// (ErrResponseNotBound) instead (see MaxResponseSkew). The fields of the
// wire type are promoted; the methods read the values the server is known to send in
// several forms.
type JobStatus struct {
	generated.JobStatusResponse
	// Raw is the response body as received, with any field the SDK does not model.
	Raw json.RawMessage `json:"-"`
}

// SmileCode returns the status code ("2302", "2314"...) as text.
func (s *JobStatus) SmileCode() string { return codeText(s.Code) }

// SignedTimestamp returns the timestamp the response was signed over, as text.
func (s *JobStatus) SignedTimestamp() string { return signedText(&s.Timestamp) }

// LatestResult returns the job's latest result, or nil while the job has none (the server
// then sends a message instead: see Message).
func (s *JobStatus) LatestResult() *JobResult {
	if s.Result == nil {
		return nil
	}
	r, err := s.Result.AsJobResult()
	if err != nil {
		return nil
	}
	return &r
}

// Message returns the result when the server sent a plain message ("No zip file
// received"), "" otherwise.
func (s *JobStatus) Message() string {
	if s.Result == nil {
		return ""
	}
	m, err := s.Result.AsResultMessage()
	if err != nil {
		return ""
	}
	return m
}

// GetJobStatus returns the status of a job, with its signature verified: a response not
// signed with this partner's key is an error that wraps ErrSignatureMismatch. Safe to
// repeat; retried per the RetryPolicy. Call options (WithAttemptTimeout, WithRetry) change
// this call only.
func (u *Utilities) GetJobStatus(ctx context.Context, q JobStatusQuery, opts ...CallOption) (*JobStatus, error) {
	cc, err := u.c.callConfig(opts)
	if err != nil {
		return nil, err
	}
	return u.c.getJobStatus(ctx, q, &cc)
}

// GetJobStatus is Utilities.GetJobStatus, as the other SDKs' WebApi offers it.
func (w *WebAPI) GetJobStatus(ctx context.Context, q JobStatusQuery, opts ...CallOption) (*JobStatus, error) {
	return w.c.Utilities.GetJobStatus(ctx, q, opts...)
}

// PollJobStatus polls a job's status until it is complete, per the client's PollPolicy
// or this call's (WithPolling, WithPollBudget), and returns the complete status (whether
// or not the job succeeded: see JobSuccess). Once the policy's MaxWait has passed it polls
// one last time, at that deadline, and stops with a *PollTimeoutError (errors.Is
// ErrPollTimeout) naming the job if the job is still not complete. It stops with the last
// error after MaxErrors consecutive failed polls, and at once on an error that repeating
// cannot fix (an *APIError that is not Temporary, such as an unknown job or a wrong key).
func (w *WebAPI) PollJobStatus(ctx context.Context, q JobStatusQuery, opts ...CallOption) (*JobStatus, error) {
	cc, err := w.c.callConfig(opts)
	if err != nil {
		return nil, err
	}
	if err := validateQuery(q); err != nil {
		return nil, err
	}
	return w.c.poll(ctx, q, "", cc)
}

func validateQuery(q JobStatusQuery) error {
	switch {
	case q.UserID == "":
		return invalid("user_id", "is required")
	case q.JobID == "":
		return invalid("job_id", "is required")
	}
	if err := checkID("user_id", q.UserID); err != nil {
		return err
	}
	return checkID("job_id", q.JobID)
}

func (c *Client) getJobStatus(ctx context.Context, q JobStatusQuery, cc *callConfig) (*JobStatus, error) {
	if err := validateQuery(q); err != nil {
		return nil, err
	}
	var sent sentSignatures // every attempt's: a retry is signed afresh
	v, raw, err := do(ctx, c, call[generated.JobStatusResponse]{
		op: OpJobStatus, retryable: true, cfg: cc,
		send: func(ctx context.Context) (*http.Response, error) {
			ts, sig := c.sign()
			sent.add(ts, sig)
			return sendJSON(ctx, c.gen.JobStatusWithBody, generated.JobStatusRequest{
				PartnerID: c.sig.partnerID, Timestamp: ts, Signature: sig,
				UserID: q.UserID, JobID: q.JobID, History: q.History, ImageLinks: q.ImageLinks,
			})
		},
	})
	if err != nil {
		return nil, err
	}
	st := &JobStatus{JobStatusResponse: *v, Raw: raw}
	if err := c.checkJobStatus(st, q, sent); err != nil {
		return nil, err
	}
	return st, nil
}

// poll polls until the job is complete, per cc.poll: the first poll at once, the next
// ones after growing intervals, and one last poll at the deadline. A poll in flight,
// retries included, ends at the deadline; the last poll is one attempt, bounded by the
// attempt timeout. smileJobID names the job in a *PollTimeoutError when the caller knows
// it.
func (c *Client) poll(ctx context.Context, q JobStatusQuery, smileJobID string, cc callConfig) (*JobStatus, error) {
	p := cc.poll
	start := c.cfg.now()
	deadline := start.Add(p.MaxWait)
	interval := p.InitialInterval
	var last *JobStatus
	failures := 0
	timeout := func(polls int) error {
		id := smileJobID
		if id == "" {
			id = statusSmileJobID(last)
		}
		return &PollTimeoutError{Polls: polls, Waited: c.cfg.now().Sub(start), Last: last,
			UserID: q.UserID, JobID: q.JobID, SmileJobID: id}
	}
	final := false
	for attempt := 1; ; attempt++ {
		var st *JobStatus
		var err error
		timedOut := false
		if final {
			one := cc
			one.noRetry = true
			st, err = c.getJobStatus(ctx, q, &one)
		} else {
			pctx, cancel := context.WithDeadline(ctx, deadline)
			st, err = c.getJobStatus(pctx, q, &cc)
			timedOut = err != nil && ctx.Err() == nil && pctx.Err() != nil
			cancel()
		}
		elapsed := c.cfg.now().Sub(start)
		if p.OnPoll != nil {
			p.OnPoll(PollEvent{Attempt: attempt, Elapsed: elapsed, Status: st, Err: err})
		}
		switch {
		case timedOut: // the poll in flight was cut off by the deadline: it does not count
			return nil, timeout(attempt - 1)
		case err != nil && ctx.Err() != nil:
			return nil, err
		case err != nil:
			var ve *ValidationError
			var apiErr *APIError
			failures++
			permanent := errors.As(err, &ve) || errors.As(err, &apiErr) && !apiErr.Temporary()
			if failures >= p.MaxErrors || permanent {
				return nil, fmt.Errorf("smileid: polling job status gave up after %d consecutive failures: %w", failures, err)
			}
		case st.JobComplete:
			return st, nil
		default:
			failures = 0
			last = st
		}
		c.log.LogAttrs(ctx, slog.LevelDebug, "smileid poll", slog.Int("attempt", attempt),
			slog.Bool("complete", st != nil && st.JobComplete), slog.Duration("elapsed", elapsed))
		if final {
			return nil, timeout(attempt)
		}
		remaining := deadline.Sub(c.cfg.now())
		if remaining <= 0 {
			// This poll ended at the deadline: it was the last.
			return nil, timeout(attempt)
		}
		wait := interval
		if remaining <= interval {
			// The next poll would come after the deadline: poll once more at the deadline.
			wait, final = remaining, true
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("smileid: polling job status: %w", err)
		}
		interval = min(interval*2, p.MaxInterval)
	}
}
