package smileid

import (
	"time"
)

// CallOption changes one call, leaving the Client's settings alone: for example a longer
// polling budget for a Document Verification, which human review can keep pending for
// minutes, on a client whose other calls keep the default:
//
//	res, err := client.WebAPI.SubmitJob(ctx, job,
//		smileid.WithPolling(smileid.PollPolicy{InitialInterval: 5 * time.Second,
//			MaxInterval: 30 * time.Second, MaxWait: 10 * time.Minute, MaxErrors: 5}))
//
// The methods that talk to Smile ID take call options after their arguments. An invalid
// option is a *ValidationError returned before anything is sent. The context passed to
// the method still bounds the whole call. The zero CallOption changes nothing.
type CallOption struct {
	apply func(*callConfig) error
}

// callConfig is the settings of one call: the client's, changed by the call's options.
type callConfig struct {
	poll    PollPolicy
	retry   RetryPolicy
	timeout time.Duration // per attempt of an API request
	// noRetry makes the call a single attempt (the last poll at the deadline).
	noRetry bool
	// resume asks prep upload to re-open the upload of an existing job (ResumeJob).
	resume bool
}

// callConfig returns the client's settings changed by opts.
func (c *Client) callConfig(opts []CallOption) (callConfig, error) {
	cc := callConfig{poll: c.cfg.poll, retry: c.cfg.retry, timeout: c.cfg.timeout}
	for _, opt := range opts {
		if opt.apply == nil {
			continue
		}
		if err := opt.apply(&cc); err != nil {
			return callConfig{}, err
		}
	}
	return cc, nil
}

// WithPolling sets how this call polls the job's status (SubmitJob with
// Options.ReturnJobStatus, ResumeJob and PollJobStatus): its budget (MaxWait), its
// intervals and how many consecutive failed polls it survives. It replaces the client's
// PollPolicy (WithPollPolicy) for this call only.
func WithPolling(p PollPolicy) CallOption {
	return CallOption{func(cc *callConfig) error {
		if err := p.validate(); err != nil {
			return &ValidationError{Field: "call option WithPolling", Reason: err.Error(), Err: err}
		}
		cc.poll = p
		return nil
	}}
}

// WithPollBudget changes only the polling budget of this call (PollPolicy.MaxWait),
// keeping the client's intervals.
func WithPollBudget(maxWait time.Duration) CallOption {
	return CallOption{func(cc *callConfig) error {
		if maxWait <= 0 {
			return invalid("call option WithPollBudget", "the budget must be positive")
		}
		cc.poll.MaxWait = maxWait
		return nil
	}}
}

// WithAttemptTimeout bounds each attempt of this call's API requests (polls included),
// replacing the client's WithTimeout for this call. The zip upload keeps its own
// WithUploadTimeout.
func WithAttemptTimeout(d time.Duration) CallOption {
	return CallOption{func(cc *callConfig) error {
		if d <= 0 {
			return invalid("call option WithAttemptTimeout", "the timeout must be positive")
		}
		cc.timeout = d
		return nil
	}}
}

// WithRetry sets how this call retries (see RetryPolicy), replacing the client's
// WithRetryPolicy for this call. MaxRetries 0 makes every request a single attempt.
func WithRetry(p RetryPolicy) CallOption {
	return CallOption{func(cc *callConfig) error {
		if err := p.validate(); err != nil {
			return &ValidationError{Field: "call option WithRetry", Reason: err.Error(), Err: err}
		}
		cc.retry = p
		return nil
	}}
}
