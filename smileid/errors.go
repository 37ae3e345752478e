package smileid

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
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

// Temporary reports whether the request may succeed if repeated later: HTTP 408, 429 and
// 5xx other than 501.
func (e *APIError) Temporary() bool { return retryableStatus(e.StatusCode) }

// newAPIError builds the error of a non-2xx response from its body: the Smile ID envelope
// {code, error}, an S3 XML error, or plain text.
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
	case op == OpUploadZip && xml.Unmarshal(body, &s3) == nil:
		e.Code, e.Message = s3.Code, s3.Message
	default:
		e.Message = string(bytes.TrimSpace(body))
	}
	e.Message = clip(e.Message, 300)
	if op != OpUploadZip {
		e.Body = append([]byte(nil), body...)
	}
	return e
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

// redactURL returns u without its query, fragment and user info: presigned URLs carry
// credentials in the query.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	s := c.String()
	if u.RawQuery != "" {
		s += "?[REDACTED]"
	}
	return s
}

// sanitizeTransportError replaces the URL in a *url.Error (which Go's HTTP client puts in
// every transport error, query included) with a redacted one.
func sanitizeTransportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		u, perr := url.Parse(ue.URL)
		redacted := "[REDACTED URL]"
		if perr == nil {
			redacted = redactURL(u)
		}
		return &url.Error{Op: ue.Op, URL: redacted, Err: ue.Err}
	}
	return err
}
