package exampleutil

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// valueColumn is where values start in the report.
const valueColumn = 22

// field prints "label: value" with the value at valueColumn.
func field(w io.Writer, indent int, label string, value any) {
	fmt.Fprintf(w, "%s%-*s %v\n", strings.Repeat(" ", indent), valueColumn-indent-1, label+":", value)
}

// Field prints a top-level "label: value" line.
func (s *Session) Field(label string, value any) { field(s.Out, 0, label, value) }

// More continues the previous field's value on a new line.
func (s *Session) More(text string) { fmt.Fprintf(s.Out, "%*s%s\n", valueColumn, "", text) }

// Step prints a blank line and a line saying what happens next.
func (s *Session) Step(format string, args ...any) {
	fmt.Fprintf(s.Out, "\n"+format+"\n", args...)
}

// PersonalInfo says how much of the personal information a result returns is printed.
type PersonalInfo int

const (
	// HidePersonalInfo names the personal fields returned but prints none of their values.
	HidePersonalInfo PersonalInfo = iota
	// ShowNameAndDOB prints the full name and date of birth, and names the other fields.
	ShowNameAndDOB
)

// PrintStatus prints a job's status: completion, success and its latest result. Image
// links are credentials: only their names are printed.
func (s *Session) PrintStatus(title string, st *smileid.JobStatus, personal PersonalInfo) {
	w := s.Out
	fmt.Fprintf(w, "\n%s\n", title)
	field(w, 2, "job_complete", st.JobComplete)
	field(w, 2, "job_success", st.JobSuccess)
	if code := st.SmileCode(); code != "" {
		field(w, 2, "code", code)
	}
	if r := st.LatestResult(); r != nil {
		printResult(w, r, personal)
	} else if m := st.Message(); m != "" {
		field(w, 2, "result", m)
	} else {
		field(w, 2, "result", "none yet")
	}
	if len(st.History) > 0 {
		field(w, 2, "History", fmt.Sprintf("%d result(s)", len(st.History)))
	}
	if st.ImageLinks != nil && len(*st.ImageLinks) > 0 {
		names := make([]string, 0, len(*st.ImageLinks))
		for k := range *st.ImageLinks {
			names = append(names, k)
		}
		sort.Strings(names)
		field(w, 2, "Image links", strings.Join(names, ", ")+" (URLs not shown: they are credentials)")
	}
}

// PrintResult prints a job's result under a title.
func (s *Session) PrintResult(title string, r *smileid.JobResult, personal PersonalInfo) {
	fmt.Fprintf(s.Out, "\n%s\n", title)
	printResult(s.Out, r, personal)
}

func printResult(w io.Writer, r *smileid.JobResult, personal PersonalInfo) {
	field(w, 2, "SmileJobID", r.SmileJobID)
	if pp := r.PartnerParams; pp != nil {
		field(w, 2, "PartnerParams", fmt.Sprintf("job_id %s, user_id %s, job_type %s", pp.JobID, pp.UserID, smileid.ResultJobTypeText(r)))
	}
	if r.ResultType != "" {
		field(w, 2, "ResultType", r.ResultType)
	}
	field(w, 2, "ResultCode", r.ResultCode)
	field(w, 2, "ResultText", r.ResultText)
	if c := smileid.ConfidenceText(r); c != "" {
		field(w, 2, "ConfidenceValue", c)
	}
	if r.IsFinalResult != "" {
		field(w, 2, "IsFinalResult", r.IsFinalResult)
	}
	if r.Country != "" || r.IDType != "" {
		field(w, 2, "Country / IDType", strings.TrimSpace(r.Country+" "+r.IDType))
	}
	if r.Source != "" {
		field(w, 2, "Source", r.Source)
	}
	printActions(w, r.Actions)
	printPersonal(w, r, personal)
}

// printActions prints every action the result has, the ones the SDK does not model too.
func printActions(w io.Writer, a *smileid.Actions) {
	if a == nil {
		field(w, 2, "Actions", "none")
		return
	}
	raw, err := json.Marshal(a)
	var m map[string]string
	if err == nil {
		err = json.Unmarshal(raw, &m)
	}
	if err != nil || len(m) == 0 {
		field(w, 2, "Actions", "none")
		return
	}
	keys := make([]string, 0, len(m))
	width := 0
	for k := range m {
		keys = append(keys, k)
		width = max(width, len(k))
	}
	sort.Strings(keys)
	fmt.Fprintf(w, "  Actions:\n")
	for _, k := range keys {
		fmt.Fprintf(w, "    %-*s  %s\n", width, k, m[k])
	}
}

// personalFields returns the personal fields a result holds, "Not Available" excepted.
func personalFields(r *smileid.JobResult) []string {
	var out []string
	for _, f := range []struct{ name, value string }{
		{"FullName", r.FullName}, {"DOB", r.DOB}, {"Gender", r.Gender}, {"IDNumber", r.IDNumber},
		{"Secondary_ID_Number", r.SecondaryIDNumber}, {"PhoneNumber", r.PhoneNumber}, {"PhoneNumber2", r.PhoneNumber2},
		{"Address", r.Address}, {"ExpirationDate", r.ExpirationDate}, {"Photo", r.Photo}, {"Document", r.Document},
	} {
		if v := strings.TrimSpace(f.value); v != "" && !strings.EqualFold(v, "Not Available") {
			out = append(out, f.name)
		}
	}
	if len(r.FullData) > 0 {
		out = append(out, "FullData")
	}
	return out
}

func printPersonal(w io.Writer, r *smileid.JobResult, personal PersonalInfo) {
	fields := personalFields(r)
	if len(fields) == 0 {
		return
	}
	if personal == ShowNameAndDOB {
		field(w, 2, "FullName", orNotReturned(r.FullName))
		field(w, 2, "DOB", orNotReturned(r.DOB))
		var rest []string
		for _, f := range fields {
			if f != "FullName" && f != "DOB" {
				rest = append(rest, f)
			}
		}
		if len(rest) > 0 {
			field(w, 2, "Also returned", strings.Join(rest, ", ")+" (not shown)")
		}
		return
	}
	field(w, 2, "Personal info", "returned: "+strings.Join(fields, ", ")+" (values not shown)")
}

func orNotReturned(v string) string {
	if strings.TrimSpace(v) == "" {
		return "(not returned)"
	}
	return v
}

// PrintVerifiedSignature says that the SDK verified the signature of what it received.
func (s *Session) PrintVerifiedSignature(what string) {
	s.Field("Signature", "verified by the SDK on the "+what+": signed with this partner's")
	s.More("API key (HMAC-SHA256 over the timestamp); a missing or wrong signature is an error")
}

// PrintOutcome prints the decision a partner would take from job_success.
func (s *Session) PrintOutcome(success bool) {
	if success {
		s.Field("Outcome", "approved (job_success is true)")
		return
	}
	s.Field("Outcome", "NOT approved (job_success is false): see ResultCode, ResultText and Actions")
}

// PrintElapsed prints the time since Connect.
func (s *Session) PrintElapsed() {
	s.Field("Elapsed", s.Elapsed().Round(10*time.Millisecond))
}

// FieldValue returns the value of the first "label: value" line of a report ("" when
// there is none); FieldValues returns them all. For tests.
func FieldValue(report, label string) string {
	if v := FieldValues(report, label); len(v) > 0 {
		return v[0]
	}
	return ""
}

// FieldValues returns the values of every "label: value" line of a report.
func FieldValues(report, label string) []string {
	re := regexp.MustCompile(`(?m)^[ \t]*` + regexp.QuoteMeta(label) + `:[ \t]+(.*?)[ \t]*$`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(report, -1) {
		out = append(out, m[1])
	}
	return out
}

// PrintJob prints the identifiers of a job about to be submitted.
func (s *Session) PrintJob(pp smileid.PartnerParams) {
	s.Field("User ID", pp.UserID)
	s.Field("Job ID", fmt.Sprintf("%s (job type %d)", pp.JobID, int(pp.JobType)))
}

// PrintCallback prints a callback the client's CallbackHandler confirmed: the job's
// status as Smile ID's API returned it.
func (s *Session) PrintCallback(title string, cb *smileid.ConfirmedCallback, personal PersonalInfo) {
	fmt.Fprintf(s.Out, "\n%s\n", title)
	field(s.Out, 2, "job_complete", cb.Status.JobComplete)
	field(s.Out, 2, "job_success", cb.Status.JobSuccess)
	printResult(s.Out, cb.Result, personal)
}

// SubmitError describes a failed submission, naming the job when it was created.
func SubmitError(pp smileid.PartnerParams, err error) error {
	var je *smileid.JobError
	if errors.As(err, &je) {
		return err // it names the job (job_id and SmileJobID) and the stage that failed
	}
	return fmt.Errorf("job %s: %w", pp.JobID, err)
}

// Finish ends a report: what the SDK verified, the outcome and the elapsed time.
func (s *Session) Finish(signed string, success bool) {
	fmt.Fprintln(s.Out)
	if signed != "" {
		s.PrintVerifiedSignature(signed)
	}
	s.PrintOutcome(success)
	s.PrintElapsed()
}

// ReportStatus prints the status a submission with ReturnJobStatus returned, then
// Finish.
func (s *Session) ReportStatus(res *smileid.SubmitResult, jt smileid.JobType, personal PersonalInfo) {
	s.PrintStatus("Result (SmileJobID "+res.SmileJobID+"):", res.Status, personal)
	fmt.Fprintln(s.Out)
	s.PrintVerifiedSignature("job status response")
	s.PrintOutcome(res.Status.JobSuccess)
	// smileid.Decide: the outcome from the ResultCodes Smile ID documents for the product
	// of the job submitted (jt).
	d := smileid.DecideStatus(jt, res.Status)
	s.Field("smileid.Decide", string(d.Outcome)+" ("+d.Reason+")")
	s.PrintElapsed()
}
