package smileid

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
)

// ErrResponseNotBound is returned (wrapped in a *ResponseBindingError) when a signed
// response is not an answer to the request it came back for: it carries the request's own
// timestamp and signature (anyone who saw the request can copy them: the signature does
// not cover the body), or its result names another job (job_id or user_id).
var ErrResponseNotBound = errors.New("smileid: " + notBound)

const notBound = "the response is not bound to its request"

// ResponseBindingError is a response the SDK refused because it is not bound to its
// request. It matches ErrResponseNotBound with errors.Is, and, when Echoed, also
// ErrSignatureMismatch. The result it carried is not returned: it cannot be trusted. For a
// job-creating call (the ID API) the job may nevertheless exist: read its status with the
// same job_id.
type ResponseBindingError struct {
	Operation Operation
	// Echoed: the response's signature is the one the request carried.
	Echoed bool
	// JobID and UserID name the job asked for; GotJobID and GotUserID what the response
	// named instead (clipped, control characters removed).
	JobID, UserID       string
	GotJobID, GotUserID string
}

func (e *ResponseBindingError) Error() string {
	if e.Echoed {
		return fmt.Sprintf("smileid: %s: %s: it carries the request's own signature (echoed, not signed by Smile ID)", e.Operation, notBound)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "smileid: %s: %s: the result is for another job:", e.Operation, notBound)
	if e.GotJobID != e.JobID {
		fmt.Fprintf(&b, " job_id %q, not %q", e.GotJobID, e.JobID)
	}
	if e.GotUserID != e.UserID {
		fmt.Fprintf(&b, " user_id %q, not %q", e.GotUserID, e.UserID)
	}
	return b.String()
}

// Is makes errors.Is match ErrResponseNotBound, and ErrSignatureMismatch for an echoed
// signature.
func (e *ResponseBindingError) Is(target error) bool {
	return target == ErrResponseNotBound || e.Echoed && target == ErrSignatureMismatch
}

// sentSignatures are the timestamps and signatures a call's requests carried (one per
// attempt: each retry is signed afresh), to refuse an answer that merely copies one.
type sentSignatures []struct{ timestamp, signature string }

// add records one attempt's pair.
func (s *sentSignatures) add(timestamp, signature string) {
	*s = append(*s, struct{ timestamp, signature string }{timestamp, signature})
}

// echoes reports whether a response signed over respTS with respSig is one of the
// requests' own pairs: the same timestamp (then a valid signature is the request's), or
// the same signature bytes in any encoding.
func (s sentSignatures) echoes(respTS, respSig string) bool {
	got, gotOK := decodeSignature(respSig)
	for _, p := range s {
		if respTS == p.timestamp {
			return true
		}
		if sent, ok := decodeSignature(p.signature); ok && gotOK && subtle.ConstantTimeCompare(got, sent) == 1 {
			return true
		}
	}
	return false
}

// checkResultBinding refuses a result whose PartnerParams name another job than
// (jobID, userID). A result without PartnerParams, or without one of the two, is not
// refused: there is nothing to compare.
func checkResultBinding(op Operation, r *JobResult, jobID, userID string) error {
	if r == nil || r.PartnerParams == nil {
		return nil
	}
	got := r.PartnerParams
	if (got.JobID != "" && got.JobID != jobID) || (got.UserID != "" && got.UserID != userID) {
		e := &ResponseBindingError{Operation: op, JobID: jobID, UserID: userID, GotJobID: jobID, GotUserID: userID}
		if got.JobID != "" {
			e.GotJobID = clip(oneLineText(got.JobID), 80)
		}
		if got.UserID != "" {
			e.GotUserID = clip(oneLineText(got.UserID), 80)
		}
		return e
	}
	return nil
}

// checkJobStatus checks that a job status answers this request: signed with this
// partner's key, over a timestamp of the server's own (not the request's signature
// echoed), and about the job asked for (every result's PartnerParams).
func (c *Client) checkJobStatus(st *JobStatus, q JobStatusQuery, sent sentSignatures) error {
	if !c.sig.confirmResponse(st.SignedTimestamp(), st.Signature) {
		return fmt.Errorf("smileid: %s: %w: the response was not signed with this partner's API key", OpJobStatus, ErrSignatureMismatch)
	}
	if sent.echoes(st.SignedTimestamp(), st.Signature) {
		return &ResponseBindingError{Operation: OpJobStatus, Echoed: true, JobID: q.JobID, UserID: q.UserID}
	}
	if err := checkResultBinding(OpJobStatus, st.LatestResult(), q.JobID, q.UserID); err != nil {
		return err
	}
	for i := range st.History {
		if err := checkResultBinding(OpJobStatus, &st.History[i], q.JobID, q.UserID); err != nil {
			return err
		}
	}
	return nil
}
