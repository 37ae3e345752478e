package smileid

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Outcome is what a job's result means for the partner's decision. Decide returns it.
type Outcome string

// The outcomes Decide returns.
const (
	// OutcomeApproved: every check that applies passed; the code is one Smile ID documents
	// as an approval for the job's product.
	OutcomeApproved Outcome = "approved"
	// OutcomeRejected: a check failed; the code is one Smile ID documents as a rejection.
	OutcomeRejected Outcome = "rejected"
	// OutcomeProvisional: the result is provisional (awaiting or after a human review, or
	// not final); Smile ID may send a final result later. Also AML matches that need a
	// person to look at them.
	OutcomeProvisional Outcome = "provisional"
	// OutcomePending: the job is not complete yet (or its zip has not arrived); poll later.
	OutcomePending Outcome = "pending"
	// OutcomeError: the job could not be decided by Smile ID (an unsupported ID number, an
	// ID authority that is down, a product not enabled). Decision.Retryable says whether
	// a new job (with a new job_id) may succeed later.
	OutcomeError Outcome = "error"
	// OutcomeUnknown: the result carries a code this SDK has no documented meaning for, or
	// no result at all. Never treat it as approved: read the result, or ask Smile ID.
	OutcomeUnknown Outcome = "unknown"
)

// Decision is Decide's answer: the outcome, the code and text it was decided from, and
// where the code's meaning is documented.
type Decision struct {
	Outcome Outcome
	// Code and Text are the ResultCode and ResultText decided from ("" when there was no
	// result, e.g. a pending job).
	Code string
	Text string
	// Retryable is true for OutcomeError when Smile ID says a later attempt may succeed
	// (1015: the ID authority is unavailable). Retry with a new job_id.
	Retryable bool
	// Reason says in a few words why this outcome was chosen.
	Reason string
}

// codeMeaning is one row of the table Decide uses.
type codeMeaning struct {
	outcome   Outcome
	retryable bool
	source    string
}

// anyProduct marks a code whose meaning does not depend on the job type.
const anyProduct JobType = -1

// resultCodes is the table of documented ResultCodes per product (job type). A code not
// in the table for the job's product (nor for anyProduct) is unknown. Sources: Smile ID's
// result-code pages and the official SDKs' fixtures; see the README's "Deciding an
// outcome" table, which is generated from the same rows (TestOutcomeTableInREADME).
var resultCodes = map[JobType]map[string]codeMeaning{
	anyProduct: {
		"0001": {OutcomeRejected, false, "docs: result codes (data invalid, image unusable)"},
		"0903": {OutcomeRejected, false, "docs: result codes (zip corrupt)"},
		"0907": {OutcomeRejected, false, "docs: result codes (possible spoof)"},
	},
	BiometricKYC: {
		"1210": {OutcomeApproved, false, "Python SDK fixture (Enroll User)"},
		"0814": {OutcomeProvisional, false, "Python SDK fixture (Provisional Enroll - Under Review)"},
		"1013": {OutcomeRejected, false, "docs: result codes (ID not found)"},
		"1014": {OutcomeError, false, "docs: result codes (unsupported ID number format)"},
		"1015": {OutcomeError, true, "docs: result codes (ID authority unavailable)"},
		"1016": {OutcomeError, false, "docs: result codes (product not activated)"},
	},
	SmartSelfieAuthentication: {
		"1220": {OutcomeApproved, false, "docs: enrollee history (Authenticated)"},
	},
	EnhancedKYC: {
		"1012": {OutcomeApproved, false, "docs: result codes; Node SDK test (ID Number Validated)"},
		"1013": {OutcomeRejected, false, "docs: result codes (ID not found)"},
		"1014": {OutcomeError, false, "docs: result codes (unsupported ID number format)"},
		"1015": {OutcomeError, true, "docs: result codes (ID authority unavailable)"},
		"1016": {OutcomeError, false, "docs: result codes (product not activated)"},
		"1020": {OutcomeApproved, false, "docs: result codes (exact match)"},
		"1021": {OutcomeApproved, false, "docs: result codes (partial match)"},
		"1022": {OutcomeRejected, false, "docs: result codes (no match)"},
		"1023": {OutcomeRejected, false, "docs: result codes (not found)"},
	},
	DocumentVerification: {
		"0810": {OutcomeApproved, false, "Android SDK fixture (Document Verified After Human Review)"},
	},
	BusinessVerification: {
		"1012": {OutcomeApproved, false, "Node SDK fixture (Business Verified)"},
		"1013": {OutcomeRejected, false, "docs: result codes (not found)"},
		"1015": {OutcomeError, true, "docs: result codes (registry unavailable)"},
		"1016": {OutcomeError, false, "docs: result codes (product not activated)"},
	},
	AMLScreening: {
		"1030": {OutcomeProvisional, false, "docs: AML check; Ruby SDK spec (found on list: review)"},
		"1031": {OutcomeApproved, false, "API reference v3 example (no matches found)"},
		"1017": {OutcomeProvisional, false, "API reference v3 (news media only: review)"},
		"1015": {OutcomeError, true, "API reference v3 (provider unavailable)"},
	},
	AddressVerification: {
		"1013": {OutcomeRejected, false, "docs: address verification"},
		"1022": {OutcomeRejected, false, "docs: address verification"},
		"1015": {OutcomeError, true, "docs: address verification"},
	},
}

// Decide turns a job's result into an outcome for job type jt (the type of the job you
// submitted), from the ResultCodes Smile ID documents per product (the table is in the
// README, with its sources). The rules, in order: no result -> OutcomeUnknown; a result
// whose PartnerParams name another job type than jt -> OutcomeUnknown (a code means
// something only for its product); a code documented for the product -> its outcome,
// except that an approval marked not final (IsFinalResult "false") or whose text says it
// is provisional or under review is OutcomeProvisional; an undocumented code ->
// OutcomeUnknown. It never approves a code it does not know, whatever job_success says.
func Decide(jt JobType, r *JobResult) Decision {
	if r == nil || r.ResultCode == "" {
		return Decision{Outcome: OutcomeUnknown, Reason: "no result code"}
	}
	d := Decision{Code: r.ResultCode, Text: r.ResultText}
	if echoed := ResultJobTypeText(r); echoed != "" && strings.TrimSpace(echoed) != jobTypeText(jt) {
		d.Outcome, d.Reason = OutcomeUnknown, "the result is for job type "+clip(oneLineText(echoed), 8)+", not "+jobTypeText(jt)
		return d
	}
	m, ok := resultCodes[jt][r.ResultCode]
	if !ok {
		m, ok = resultCodes[anyProduct][r.ResultCode]
	}
	if !ok {
		d.Outcome, d.Reason = OutcomeUnknown, "result code "+r.ResultCode+" has no documented meaning for job type "+jobTypeText(jt)
		return d
	}
	d.Outcome, d.Retryable, d.Reason = m.outcome, m.retryable, m.source
	if d.Outcome == OutcomeApproved && (r.IsFinalResult == "false" || provisionalText(r.ResultText)) {
		d.Outcome, d.Reason = OutcomeProvisional, "the result is not final: "+m.source
	}
	return d
}

// DecideStatus decides from a job status: OutcomePending while the job is not complete
// (or has no zip yet), else Decide(jt, its latest result), jt being the type of the job
// you submitted.
func DecideStatus(jt JobType, st *JobStatus) Decision {
	if st == nil {
		return Decision{Outcome: OutcomeUnknown, Reason: "no status"}
	}
	if !st.JobComplete {
		return Decision{Outcome: OutcomePending, Code: st.SmileCode(), Reason: "the job is not complete"}
	}
	return Decide(jt, st.LatestResult())
}

func provisionalText(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "provisional") || strings.Contains(s, "under review") || strings.Contains(s, "pending")
}

func jobTypeText(jt JobType) string {
	if jt == anyProduct {
		return "any"
	}
	return strconv.Itoa(int(jt))
}

// OutcomeTable returns Decide's table as Markdown rows (job type, code, outcome, source),
// sorted: the README's "Deciding an outcome" table is this text.
func OutcomeTable() string {
	var rows []string
	for jt, codes := range resultCodes {
		for code, m := range codes {
			o := string(m.outcome)
			if m.retryable {
				o += " (retryable)"
			}
			rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s |", jobTypeText(jt), code, o, m.source))
		}
	}
	slices.SortFunc(rows, func(a, b string) int {
		ka, kb := rowKey(a), rowKey(b)
		return strings.Compare(ka, kb)
	})
	return "| job type | ResultCode | outcome | source |\n|---|---|---|---|\n" + strings.Join(rows, "\n") + "\n"
}

// rowKey sorts table rows by job type (numerically, "any" first), then code.
func rowKey(row string) string {
	f := strings.Split(row, " | ")
	jt := strings.TrimPrefix(f[0], "| ")
	if n, err := strconv.Atoi(jt); err == nil {
		jt = fmt.Sprintf("%03d", n)
	} else {
		jt = "000"
	}
	return jt + " " + f[1]
}
