package smileid_test

import (
	"os"
	"strings"
	"testing"

	"github.com/smileidentity/smile-identity-core-go/generated"
	"github.com/smileidentity/smile-identity-core-go/smileid"
)

func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		name      string
		jt        smileid.JobType
		code      string
		text      string
		final     string
		want      smileid.Outcome
		retryable bool
	}{
		{"BKYC enrolled", smileid.BiometricKYC, "1210", "Enroll User", "true", smileid.OutcomeApproved, false},
		{"BKYC provisional", smileid.BiometricKYC, "0814", "Provisional Enroll - Under Review", "false", smileid.OutcomeProvisional, false},
		{"an approval code not final is provisional", smileid.BiometricKYC, "1210", "Enroll User", "false", smileid.OutcomeProvisional, false},
		{"an approval code under review is provisional", smileid.EnhancedKYC, "1012", "Pending review", "", smileid.OutcomeProvisional, false},
		{"EKYC validated", smileid.EnhancedKYC, "1012", "ID Number Validated", "true", smileid.OutcomeApproved, false},
		{"EKYC not found", smileid.EnhancedKYC, "1013", "Unable to Validate ID", "true", smileid.OutcomeRejected, false},
		{"EKYC authority down", smileid.EnhancedKYC, "1015", "ID authority unavailable", "true", smileid.OutcomeError, true},
		{"EKYC bad format", smileid.EnhancedKYC, "1014", "Unsupported ID number format", "true", smileid.OutcomeError, false},
		{"KYB verified", smileid.BusinessVerification, "1012", "Business Verified", "true", smileid.OutcomeApproved, false},
		{"SmartSelfie auth", smileid.SmartSelfieAuthentication, "1220", "Authenticated", "true", smileid.OutcomeApproved, false},
		{"DocV after review", smileid.DocumentVerification, "0810", "Document Verified After Human Review", "true", smileid.OutcomeApproved, false},
		{"image unusable on any image job", smileid.SmartSelfieRegistration, "0001", "Selfie image unusable", "true", smileid.OutcomeRejected, false},
		{"AML match needs review", smileid.JobType(10), "1030", "Found on list", "true", smileid.OutcomeProvisional, false},
		{"AML clear", smileid.JobType(10), "1031", "No matches found", "true", smileid.OutcomeApproved, false},
		// A code documented for one product means nothing for another.
		{"1012 on a SmartSelfie job", smileid.SmartSelfieRegistration, "1012", "ID Number Validated", "true", smileid.OutcomeUnknown, false},
		{"1210 on Enhanced KYC", smileid.EnhancedKYC, "1210", "Enroll User", "true", smileid.OutcomeUnknown, false},
		{"an undocumented code", smileid.BiometricKYC, "1299", "Enroll User", "true", smileid.OutcomeUnknown, false},
		{"the fake's stand-in code", smileid.SmartSelfieRegistration, "0812", "Failed Enroll", "true", smileid.OutcomeUnknown, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := smileid.Decide(tc.jt, &smileid.JobResult{ResultCode: tc.code, ResultText: tc.text, IsFinalResult: tc.final})
			if d.Outcome != tc.want || d.Retryable != tc.retryable || d.Code != tc.code || d.Reason == "" {
				t.Fatalf("Decide(%d, %s %q) = %+v, want %s retryable=%v", tc.jt, tc.code, tc.text, d, tc.want, tc.retryable)
			}
		})
	}
	if d := smileid.Decide(smileid.BiometricKYC, nil); d.Outcome != smileid.OutcomeUnknown {
		t.Fatalf("no result: %+v", d)
	}
	if d := smileid.Decide(smileid.BiometricKYC, &smileid.JobResult{}); d.Outcome != smileid.OutcomeUnknown {
		t.Fatalf("empty code: %+v", d)
	}
}

// No code outside the documented table is ever approved, whatever else the result says.
func TestDecideNeverApprovesUnknownCodes(t *testing.T) {
	table := smileid.OutcomeTable()
	jobTypes := []smileid.JobType{1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	for n := 0; n < 10000; n++ {
		code := string([]byte{'0' + byte(n/1000), '0' + byte(n/100%10), '0' + byte(n/10%10), '0' + byte(n%10)})
		for _, jt := range jobTypes {
			d := smileid.Decide(jt, &smileid.JobResult{ResultCode: code, ResultText: "Approved", IsFinalResult: "true"})
			if d.Outcome == smileid.OutcomeApproved && !strings.Contains(table, "| "+itoa(int(jt))+" | "+code+" | approved") {
				t.Fatalf("job type %d code %s approved without a documented row", jt, code)
			}
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestDecideStatus(t *testing.T) {
	st := &smileid.JobStatus{}
	st.JobComplete = false
	if d := smileid.DecideStatus(smileid.BiometricKYC, st); d.Outcome != smileid.OutcomePending {
		t.Fatalf("incomplete job: %+v", d)
	}
	if d := smileid.DecideStatus(smileid.BiometricKYC, nil); d.Outcome != smileid.OutcomeUnknown {
		t.Fatalf("nil status: %+v", d)
	}
}

// The README's table is the table Decide uses.
func TestOutcomeTableInREADME(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), smileid.OutcomeTable()) {
		t.Fatalf("README.md lacks Decide's table; paste this under \"Deciding an outcome\":\n%s", smileid.OutcomeTable())
	}
}

// A result echoing another job type than the one submitted is not decided: a code means
// something only for its product (a type 6 result with 1012 is not an Enhanced KYC pass).
func TestDecideRefusesAResultOfAnotherJobType(t *testing.T) {
	r := &smileid.JobResult{ResultCode: "1012", ResultText: "ID Number Validated", IsFinalResult: "true",
		PartnerParams: &generated.ResultPartnerParams{JobID: "j", UserID: "u"}}
	var jt generated.ResultJobType
	if err := jt.FromJobTypeText("6"); err != nil {
		t.Fatal(err)
	}
	r.PartnerParams.JobType = &jt
	if d := smileid.Decide(smileid.EnhancedKYC, r); d.Outcome != smileid.OutcomeUnknown || !strings.Contains(d.Reason, "job type 6") {
		t.Fatalf("Decide = %+v", d)
	}
	if err := jt.FromJobTypeNumber(5); err != nil {
		t.Fatal(err)
	}
	if d := smileid.Decide(smileid.EnhancedKYC, r); d.Outcome != smileid.OutcomeApproved {
		t.Fatalf("the same job type: %+v", d)
	}
	st := &smileid.JobStatus{}
	st.JobComplete = true
	var res generated.JobStatusResultValue
	if err := res.FromJobResult(*r); err != nil {
		t.Fatal(err)
	}
	st.Result = &res
	if d := smileid.DecideStatus(smileid.DocumentVerification, st); d.Outcome != smileid.OutcomeUnknown {
		t.Fatalf("DecideStatus with another job type: %+v", d)
	}
	if d := smileid.DecideStatus(smileid.EnhancedKYC, st); d.Outcome != smileid.OutcomeApproved {
		t.Fatalf("DecideStatus: %+v", d)
	}
}
