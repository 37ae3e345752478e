package smileid

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy says how requests are retried; each retry is signed afresh.
//
// The requests that are safe to repeat (job status, services, valid documents and the zip
// upload to the presigned URL) are retried after a network error or an HTTP 408, 429 or
// 5xx answer. Requests that create a job (prep upload, the ID API, AML, web tokens) are
// retried only when repeating them cannot create a second, billable job: when the
// attempt was not sent at all (a *NotSentError: refused connection, DNS, TLS), and when
// the server refused it with 429, or 503 with Retry-After, waiting as long as it asks
// (up to MaxRetryAfter). Once such a request went out, a failure that does not say the
// job was refused is ErrJobMayExist and is not repeated: no answer, HTTP 408, a 5xx
// other than 501 and the refusal (503 with Retry-After), or a 2xx answer the SDK cannot
// use. Other answers (4xx, 501) are returned as they are, an *APIError.
type RetryPolicy struct {
	MaxRetries     int           // retries after the first attempt; 0 disables retries
	InitialBackoff time.Duration // the wait before the first retry, doubled for each next one
	MaxBackoff     time.Duration // the longest computed wait
	MaxRetryAfter  time.Duration // the longest wait a Retry-After header may impose (0: 30 s); longer gives up
}

// maxRetryAfter returns MaxRetryAfter, 30 s when it is zero.
func (p RetryPolicy) maxRetryAfter() time.Duration {
	if p.MaxRetryAfter == 0 {
		return 30 * time.Second
	}
	return p.MaxRetryAfter
}

// DefaultRetryPolicy is 2 retries, waiting 500 ms then 1 s (less up to 25 % jitter), and
// honouring Retry-After up to 30 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 2, InitialBackoff: 500 * time.Millisecond, MaxBackoff: 8 * time.Second, MaxRetryAfter: 30 * time.Second}
}

func (p RetryPolicy) validate() error {
	if p.MaxRetries < 0 || p.MaxRetries > 10 {
		return errors.New("smileid: RetryPolicy.MaxRetries must be between 0 and 10")
	}
	if p.MaxRetries > 0 && (p.InitialBackoff <= 0 || p.MaxBackoff < p.InitialBackoff) {
		return errors.New("smileid: RetryPolicy needs 0 < InitialBackoff <= MaxBackoff")
	}
	if p.MaxRetryAfter < 0 {
		return errors.New("smileid: RetryPolicy.MaxRetryAfter must not be negative")
	}
	return nil
}

// backoff returns the wait before retry n (0-based): InitialBackoff * 2^n capped at
// MaxBackoff, less up to 25 % random jitter.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.InitialBackoff
	for i := 0; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.MaxBackoff)
	return d - time.Duration(rand.Int64N(int64(d)/4+1))
}

// PollPolicy says how a job's status is polled until it completes. The first poll goes at
// once; the wait then starts at InitialInterval and doubles up to MaxInterval. Polling
// stops with a *PollTimeoutError once MaxWait has passed, and with the last error after
// MaxErrors consecutive failed polls (each poll is itself retried per the RetryPolicy).
// Every response's signature is verified; a mismatch counts as a failed poll.
type PollPolicy struct {
	InitialInterval time.Duration
	MaxInterval     time.Duration
	MaxWait         time.Duration
	MaxErrors       int
	// OnPoll, when set, is called after each poll, for progress reports.
	OnPoll func(PollEvent)
}

// PollEvent describes one poll, for PollPolicy.OnPoll.
type PollEvent struct {
	Attempt int           // 1 for the first poll
	Elapsed time.Duration // since polling started
	Status  *JobStatus    // the status received, nil when the poll failed
	Err     error         // why the poll failed
}

// DefaultPollPolicy polls at once, then after 2 s, then every 4 s, for up to 76 s (the
// budget of the official Node SDK), giving up after 3 consecutive failed polls.
func DefaultPollPolicy() PollPolicy {
	return PollPolicy{InitialInterval: 2 * time.Second, MaxInterval: 4 * time.Second, MaxWait: 76 * time.Second, MaxErrors: 3}
}

func (p PollPolicy) validate() error {
	if p.InitialInterval <= 0 || p.MaxInterval < p.InitialInterval {
		return errors.New("smileid: PollPolicy needs 0 < InitialInterval <= MaxInterval")
	}
	if p.MaxWait <= 0 {
		return errors.New("smileid: PollPolicy.MaxWait must be positive")
	}
	if p.MaxErrors < 1 {
		return errors.New("smileid: PollPolicy.MaxErrors must be at least 1")
	}
	return nil
}

// refusal reports whether an answer is a refusal to do anything yet: 429, or 503 with a
// Retry-After header. Any request, one that creates a job included, may be sent again
// after the wait.
func refusal(code int, h http.Header) bool {
	return code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable && h.Get("Retry-After") != ""
}

// outcomeUnknown reports whether a failure status (not a refusal, which is checked
// first) leaves a job-creating request's outcome unknown: 408, 502 and 504 may come from
// something between the SDK and Smile ID that passed the request on, and any other 5xx
// but 501 (Not Implemented: the server does not run the operation) may be a failure after
// the job was created. Such an answer is ErrJobMayExist, never repeated.
func outcomeUnknown(code int) bool {
	return code == http.StatusRequestTimeout ||
		code >= 500 && code <= 599 && code != http.StatusNotImplemented
}

// retryableStatus reports whether an HTTP status is worth retrying.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		const maxSecs = 365 * 24 * 3600 // far beyond any cap; avoids overflowing a Duration
		return time.Duration(min(max(secs, 0), maxSecs)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
