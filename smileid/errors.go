package smileid

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

var (
	// ErrSignatureMismatch is returned (wrapped) when a response or callback is not signed
	// with this partner's API key.
	ErrSignatureMismatch = errors.New("smileid: signature does not match")

	// ErrPollTimeout is returned (wrapped in a *PollTimeoutError) when a job is still not
	// complete after the poll policy's maximum wait.
	ErrPollTimeout = errors.New("smileid: timed out waiting for the job to complete")

	// ErrJobMayExist is returned (wrapped) when a request that creates a job (prep upload,
	// the ID API, AML) or a web token was sent, at least in part, and no answer says what
	// happened: the connection failed after bytes went out, the attempt timed out or the
	// context ended while waiting, or a gateway answered HTTP 408, 502 or 504. The job may
	// exist and be billed. (A request that never left the client is a *NotSentError
	// instead, and the SDK retries it; 429 and 503 with Retry-After are refusals, retried
	// after the wait the server asks for.) SubmitJob, IDAPI.SubmitJob, AML.SubmitJob and
	// AddressVerification.SubmitJob return it inside a *JobError naming the job.
	//
	// To reconcile, use the job_id as the idempotency key: get the job's status
	// (Utilities.GetJobStatus) with the same user_id and job_id. If Smile ID does not know
	// the job, nothing was created: submit it again, with the same job_id. If the status
	// says no zip was received (CodeNoZipReceived), WebAPI.ResumeJob uploads it; it also
	// does this whole check for image jobs. If the job is processing or complete, use that
	// status. Never resubmit blindly: a resubmission of the job_id is refused with code
	// 2215 (IsDuplicateJob), and one under a new job_id is a second billable job.
	ErrJobMayExist = errors.New("smileid: the outcome is unknown, the job may exist")
)

// maxErrorBody caps the response body kept in an APIError.
const maxErrorBody = 64 << 10

// APIError is a request Smile ID (or the upload host) answered with a non-2xx status, or
// with a 2xx body that could not be used. Match it with errors.As. Its Error text names
// the operation, the HTTP status and the Smile ID code and message; it never contains the
// API key, a signature or a presigned URL.
type APIError struct {
	Operation  Operation // one of the Op constants
	StatusCode int       // HTTP status (200 when a 2xx answer was unusable); 0 when no answer was received (e.g. an unusable upload URL)
	Code       string    // Smile ID code ("2215"), or the S3 error code for upload_zip
	Message    string    // the server's message
	// Body is the response body, capped at 64 KiB. It is empty for upload_zip, whose S3
	// error documents can echo credentials.
	Body []byte
	// RetryAfter is the delay the server asked for with Retry-After, if any.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("smileid: ")
	b.WriteString(string(e.Operation))
	if e.StatusCode != 0 {
		b.WriteString(": HTTP ")
		b.WriteString(strconv.Itoa(e.StatusCode))
		if t := http.StatusText(e.StatusCode); t != "" {
			b.WriteString(" ")
			b.WriteString(t)
		}
	}
	if e.Code != "" {
		b.WriteString(": code ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Format prints the error's text with every verb (%v, %+v, %#v, %s, %q, %x, %d...): the
// Body, which may hold a person's data, is never printed. Read it from the field.
func (e APIError) Format(f fmt.State, verb rune) {
	text := e.Error()
	switch verb {
	case 'q':
		text = strconv.Quote(text)
	case 'x':
		text = fmt.Sprintf("%x", text)
	case 'X':
		text = fmt.Sprintf("%X", text)
	}
	_, _ = io.WriteString(f, text)
}

// GoString is the error's text, without the Body.
func (e APIError) GoString() string { return e.Error() }

// Temporary reports whether the request may succeed if repeated later: HTTP 408, 429 and
// 5xx other than 501.
func (e *APIError) Temporary() bool { return retryableStatus(e.StatusCode) }

// newAPIError builds the error of a non-2xx response from its body: the Smile ID envelope
// {code, error} or, for the upload host, the Code and Message of an S3 XML error. Any other
// body (a proxy's HTML page, plain text) is not quoted: the error says the HTTP status.
// Every text kept goes through Redact.
func newAPIError(op Operation, status int, body []byte, retryAfter time.Duration) *APIError {
	e := &APIError{Operation: op, StatusCode: status, RetryAfter: retryAfter}
	if len(body) > maxErrorBody {
		body = body[:maxErrorBody]
	}
	var env generated.Error
	var s3 struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	switch {
	case op == OpUploadZip:
		// The upload host's documents can echo the presigned query (StringToSign,
		// CanonicalRequest, X-Amz-* values): only Code and Message are kept.
		if xml.Unmarshal(body, &s3) == nil {
			e.Code, e.Message = s3.Code, s3.Message
		}
		e.Code = clip(oneLineText(e.Code), 64)
	case json.Unmarshal(body, &env) == nil:
		e.Code = codeText(&env.Code)
		e.Message = env.Error
		if e.Message == "" {
			var alt struct {
				Message string `json:"message"`
			}
			_ = json.Unmarshal(body, &alt)
			e.Message = alt.Message
		}
	}
	e.Message = Redact(clip(oneLineText(e.Message), 300))
	if op != OpUploadZip {
		e.Body = append([]byte(nil), body...)
	}
	return e
}

// oneLineText replaces control characters (line breaks, terminal escapes) with spaces.
func oneLineText(s string) string {
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// ValidationError is input the SDK refused before sending anything: nothing was created
// on the server. Field names the offending input (for example "partner_params.job_id",
// "id_info.country" or "images[1]"). Its text never contains the values of personal data.
type ValidationError struct {
	Field  string
	Reason string
	Err    error // the underlying error, if any (for example an fs.ErrNotExist)
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return "smileid: invalid input: " + e.Reason
	}
	return "smileid: invalid " + e.Field + ": " + e.Reason
}

// Unwrap returns the underlying error, so that errors.Is(err, fs.ErrNotExist) reports a
// missing image file.
func (e *ValidationError) Unwrap() error { return e.Err }

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// PollTimeoutError is returned when polling stops before the job completes: the poll
// policy's maximum wait passed, and the last poll, sent at that deadline, found the job
// still pending. It matches ErrPollTimeout with errors.Is. Polls counts the polls made
// (the last one included; a poll cut off by the deadline is not counted); Last is the last
// status received, if any.
//
// UserID and JobID name the job polled, SmileJobID too when it is known (from prep upload
// or a status received): the job exists, and polling it again later, or receiving its
// callback, gives its result.
type PollTimeoutError struct {
	Polls  int
	Waited time.Duration
	Last   *JobStatus

	UserID     string
	JobID      string
	SmileJobID string
}

func (e *PollTimeoutError) Error() string { return e.text(true) }

// text is the error's text, naming the job unless a *JobError around it does.
func (e *PollTimeoutError) text(withJob bool) string {
	s := fmt.Sprintf("%v after %d polls in %s", ErrPollTimeout, e.Polls, e.Waited.Round(time.Millisecond))
	if !withJob {
		return s
	}
	s += " (job_id " + quoteIfOdd(e.JobID)
	if e.SmileJobID != "" {
		s += ", smile_job_id " + quoteIfOdd(e.SmileJobID)
	}
	return s + ")"
}

// Is makes errors.Is(err, ErrPollTimeout) true.
func (e *PollTimeoutError) Is(target error) bool { return target == ErrPollTimeout }

// ErrInvalidConfig is matched (errors.Is) by every error of NewClient: a *ConfigError.
var ErrInvalidConfig = errors.New("smileid: invalid client configuration")

// ConfigError is an argument or option NewClient refused: no client was created and
// nothing was sent. Field names it: "partner_id", "api_key", or the option ("WithBaseURL",
// "WithRetryPolicy"...). Its text never contains the API key.
type ConfigError struct {
	Field  string
	Reason string
}

func (e *ConfigError) Error() string {
	return "smileid: invalid " + e.Field + ": " + e.Reason
}

// Is makes errors.Is(err, ErrInvalidConfig) true.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

func configErr(field, format string, args ...any) *ConfigError {
	return &ConfigError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
