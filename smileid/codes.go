package smileid

import "errors"

// Smile ID codes a partner branches on. They arrive as the code of an *APIError (an error
// answer) or of a JobStatus (SmileCode). Compare codes as text: the server sends some as
// numbers. The 22xx, 23xx and 24xx codes are the same error from prep upload, job status
// and the ID API respectively. Sources: Smile ID's error-code pages and the official
// SDKs' tests (see the README's table).
const (
	// CodeUploadPrepared is prep upload's success: the job exists and awaits its zip.
	CodeUploadPrepared = "2202"
	// CodeWrongType is "a parameter is of the wrong data type"; Smile ID's troubleshooting
	// page also lists it among the authorisation errors (IsBadSignature).
	CodeWrongType = "2204"
	// CodeUnauthorized is "You are not authorized to do that": a bad signature, the other
	// environment's API key, a wrong host or a timestamp that differs from the signed one.
	CodeUnauthorized = "2205"
	// CodeUnauthorizedIDAPI is CodeUnauthorized from the ID API.
	CodeUnauthorizedIDAPI = "2405"
	// CodeDuplicateJob is "Job already exists": the job_id was used before. The job exists
	// (and may be billed); get its status with the same user_id and job_id, or resume its
	// upload with WebAPI.ResumeJob. Never resubmit it under a new job_id without checking.
	CodeDuplicateJob = "2215"
	// CodeStatusReturned is job status' success code, whether or not the job is complete.
	CodeStatusReturned = "2302"
	// CodeNoZipReceived is job status' answer for a job whose zip was never received: prep
	// upload created it and its upload did not arrive. WebAPI.ResumeJob uploads it.
	CodeNoZipReceived = "2314"
	// CodeMissingParameter is "a required parameter is missing" (2213; 2413 from the ID API).
	CodeMissingParameter = "2213"
)

// ErrorCode returns the Smile ID code of the *APIError in err's chain ("2215"), or "".
func ErrorCode(err error) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code
	}
	return ""
}

// IsDuplicateJob reports whether err is Smile ID's refusal of a job_id used before
// (CodeDuplicateJob), anywhere in err's chain. The job exists: reconcile with its status
// (see ErrJobMayExist) instead of resubmitting.
func IsDuplicateJob(err error) bool { return ErrorCode(err) == CodeDuplicateJob }

// IsBadSignature reports whether err is Smile ID refusing the request's authorisation
// (codes 2205, 2405 and 2204): a wrong API key or partner ID, the other environment, or
// a wrong base URL. Repeating the request will not help. A response that is not signed
// with this partner's key is a different error: ErrSignatureMismatch.
func IsBadSignature(err error) bool {
	switch ErrorCode(err) {
	case CodeUnauthorized, CodeUnauthorizedIDAPI, CodeWrongType:
		return true
	}
	return false
}

// IsNoZipReceived reports whether err carries CodeNoZipReceived: the job exists and its
// zip never arrived (WebAPI.ResumeJob uploads it).
func IsNoZipReceived(err error) bool {
	if ErrorCode(err) == CodeNoZipReceived {
		return true
	}
	var pte *PollTimeoutError
	return errors.As(err, &pte) && pte.Last != nil && pte.Last.SmileCode() == CodeNoZipReceived
}
