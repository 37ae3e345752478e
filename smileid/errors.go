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
	// the ID API) or a web token failed without an answer: a timeout, a reset connection,
	// a cancelled context. The request may have reached Smile ID, so the job may exist and
	// be billed. Do not resubmit blindly: get the job's status with the same job_id first
	// (a resubmission with that job_id is refused with code 2215).
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
	StatusCode int       // HTTP status; 0 when the body of a 2xx response was unusable
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
// policy's maximum wait passed. It matches ErrPollTimeout with errors.Is. Polls counts the
// polls answered (or failed) before the deadline; Last is the last status received, if any.
type PollTimeoutError struct {
	Polls  int
	Waited time.Duration
	Last   *JobStatus
}

func (e *PollTimeoutError) Error() string {
	return fmt.Sprintf("%v after %d polls in %s", ErrPollTimeout, e.Polls, e.Waited.Round(time.Millisecond))
}

// Is makes errors.Is(err, ErrPollTimeout) true.
func (e *PollTimeoutError) Is(target error) bool { return target == ErrPollTimeout }
