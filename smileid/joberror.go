package smileid

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// ErrNotSent is matched (errors.Is) by a *NotSentError: the request never left the
// client, so nothing was created on the server and repeating it is safe.
var ErrNotSent = errors.New("smileid: the request was not sent")

// NotSentError is a request that failed before any byte of it reached the network: the
// context had already ended, the host did not resolve, the connection was refused or its
// TLS handshake failed. Nothing happened on the server: a job-creating call that fails
// this way created no job and may be repeated with the same job_id. The SDK already
// retried it (signed afresh) within its RetryPolicy. It matches ErrNotSent with errors.Is
// and never ErrJobMayExist; Err is the cause (context.Canceled, a *net.OpError...).
type NotSentError struct {
	Operation Operation
	Err       error
}

func (e *NotSentError) Error() string {
	return "smileid: " + string(e.Operation) + ": not sent: " + errText(e.Err)
}

// Unwrap returns the cause.
func (e *NotSentError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotSent) true.
func (e *NotSentError) Is(target error) bool { return target == ErrNotSent }

// mayExistError is a job-creating request that was sent (at least in part) and got no
// answer that says what happened: a failure after bytes went out, or HTTP 408, 502 or
// 504 from whatever stands in front of Smile ID. It matches ErrJobMayExist and its cause
// (an *APIError for a status) with errors.Is / errors.As.
type mayExistError struct {
	op  Operation
	err error
}

func (e *mayExistError) Error() string {
	return "smileid: " + string(e.op) + ": " + strings.TrimPrefix(ErrJobMayExist.Error(), "smileid: ") + ": " + errText(e.err)
}

func (e *mayExistError) Unwrap() []error { return []error{ErrJobMayExist, e.err} }

// errText returns err's text without a leading "smileid: " and operation, for nesting.
func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	s := strings.TrimPrefix(err.Error(), "smileid: ")
	for _, op := range Operations() {
		if t, ok := strings.CutPrefix(s, string(op)+": "); ok {
			return t
		}
	}
	return s
}

// JobError is a failure after a job was created, or may have been: prep upload answered
// (or was sent and not answered), or the ID API answered. It carries what a partner needs
// to find the job again, so that returning the error (if err != nil { return err })
// loses nothing: the user_id and job_id (the job's idempotency key, see ErrJobMayExist),
// Smile ID's SmileJobID when it is known, the stage that failed and the body that
// arrived, if any. Err is the cause: errors.Is / errors.As see through a JobError to it
// (ErrJobMayExist, *PollTimeoutError, *APIError, ErrSignatureMismatch...).
//
// Its text names the job (job_id and SmileJobID), never the user_id or the body, which
// may be personal data; it formats the same with every fmt verb.
type JobError struct {
	UserID     string
	JobID      string
	SmileJobID string // "" when no answer named it
	// Stage is the operation that failed: OpUpload (prep upload), OpUploadZip (building or
	// uploading the zip), OpJobStatus (polling), the ID API's operation, OpAML or
	// OpAddressVerification.
	Stage Operation
	// Body is the response body that arrived with the failure, if any (an ID API answer
	// that could not be used, the last status polled). For the ID API it is the person's
	// data: handle it as such.
	Body []byte
	Err  error
}

func (e *JobError) Error() string {
	var b strings.Builder
	b.WriteString("smileid: job ")
	b.WriteString(quoteIfOdd(e.JobID))
	if e.SmileJobID != "" {
		b.WriteString(" (smile_job_id ")
		b.WriteString(quoteIfOdd(e.SmileJobID))
		b.WriteString(") was created, but")
	}
	b.WriteString(": ")
	inner := "<nil>"
	var pte *PollTimeoutError
	switch {
	case errors.As(e.Err, &pte) && pte == e.Err && pte.JobID == e.JobID:
		inner = strings.TrimPrefix(pte.text(false), "smileid: ") // named once
	case e.Err != nil:
		inner = strings.TrimPrefix(e.Err.Error(), "smileid: ")
	}
	if !strings.HasPrefix(inner, string(e.Stage)+":") {
		b.WriteString(string(e.Stage))
		b.WriteString(": ")
	}
	b.WriteString(inner)
	return b.String()
}

// Unwrap returns the cause.
func (e *JobError) Unwrap() error { return e.Err }

// Format prints the error's text with every verb, so that %v, %+v, %#v, %s, %q, %x and %d
// never print Body.
func (e *JobError) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", e.Error())
	default:
		_, _ = f.Write([]byte(e.Error()))
	}
}

// LogValue keeps Body and the user_id out of structured logs.
func (e *JobError) LogValue() slog.Value {
	return slog.GroupValue(slog.String("job_id", e.JobID), slog.String("smile_job_id", e.SmileJobID),
		slog.String("stage", string(e.Stage)), slog.String("error", errText(e.Err)))
}

// quoteIfOdd quotes an identifier holding anything but printable ASCII, so that an error's
// text stays on one line.
func quoteIfOdd(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' {
			return fmt.Sprintf("%q", s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

func jobError(pp PartnerParams, smileJobID string, stage Operation, body []byte, err error) *JobError {
	return &JobError{UserID: pp.UserID, JobID: pp.JobID, SmileJobID: smileJobID, Stage: stage,
		Body: clipBytes(body, maxResponseBody), Err: err}
}
