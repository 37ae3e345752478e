package smileid

import (
	"strings"
	"unicode/utf8"
)

// MaxIDLength is the longest job_id or user_id the SDK sends, in bytes. Smile ID documents
// no limit; the official SDKs send UUIDs and short timestamps. A longer ID is refused
// before anything is sent rather than stored, echoed and logged by every system on the way.
const MaxIDLength = 256

// checkID checks a job_id or user_id: valid UTF-8, at most MaxIDLength bytes, and no
// control characters (NUL, ESC, line breaks: they break logs, terminals and the
// comparisons of other systems). An empty ID passes: whether it is required is checked
// elsewhere.
func checkID(field, v string) error {
	switch {
	case len(v) > MaxIDLength:
		return invalid(field, "is longer than %d bytes", MaxIDLength)
	case !utf8.ValidString(v):
		return invalid(field, "is not valid UTF-8")
	case strings.IndexFunc(v, isControl) >= 0:
		return invalid(field, "contains a control character (such as NUL, ESC or a line break)")
	}
	return nil
}

// checkPartnerIDs checks the job_id and user_id of partner params with checkID.
func checkPartnerIDs(pp PartnerParams) error {
	if err := checkID("partner_params.job_id", pp.JobID); err != nil {
		return err
	}
	return checkID("partner_params.user_id", pp.UserID)
}

// isControl reports whether r is a C0 or C1 control character or DEL.
func isControl(r rune) bool { return r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) }

// checkJobIDs checks the user_id and job_id of a request that names its job outside
// partner params (AML, address verification): both required, both safe IDs. why says what
// the job_id is for, in the error.
func checkJobIDs(userID, jobID, why string) error {
	if err := checkID("user_id", userID); err != nil {
		return err
	}
	if err := checkID("job_id", jobID); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(userID) == "":
		return invalid("user_id", "is required")
	case strings.TrimSpace(jobID) == "":
		return invalid("job_id", "is required (%s)", why)
	}
	return nil
}
