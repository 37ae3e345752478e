package ogencheck

import (
	"testing"

	"github.com/smileidentity/smile-identity-core-go/openapi/portability/ogen/api"
)

// TestStrictDecoderAcceptsWhatSmileIDSends decodes and validates, with ogen's strict
// generated types, answers and requests in the forms the spec says Smile ID and the
// official SDKs use: values added later (an Actions value and key, a result code), the
// legacy numeric code and epoch timestamp, entered as a boolean, job_type "5".
func TestStrictDecoderAcceptsWhatSmileIDSends(t *testing.T) {
	answers := []string{
		`{"job_complete":true,"job_success":false,"code":"2302","result":{"ResultCode":"0812","ResultText":"Document under review",
		  "Actions":{"Document_Check":"Pending Review","Brand_New_Check":"Pending Review"},"PartnerParams":{"user_id":"u","job_id":"j","job_type":6}},
		  "timestamp":"2026-11-25T18:33:08.120Z","signature":"s"}`,
		`{"job_complete":false,"job_success":false,"code":2314,"result":"No zip file received","history":null,"timestamp":1678216434434,"signature":"s"}`,
	}
	for _, a := range answers {
		var v api.JobStatusResponse
		if err := v.UnmarshalJSON([]byte(a)); err != nil {
			t.Fatalf("decoding %s: %v", a, err)
		}
		if err := v.Validate(); err != nil {
			t.Fatalf("validating %s: %v", a, err)
		}
	}
	requests := []string{
		`{"partner_id":"212","timestamp":"t","signature":"s","partner_params":{"user_id":"u","job_id":"j","job_type":"5","note":"x"},
		  "country":"NG","id_type":"BVN","id_number":"00000000000","entered":true}`,
	}
	for _, r := range requests {
		var v api.IDVerificationRequest
		if err := v.UnmarshalJSON([]byte(r)); err != nil {
			t.Fatalf("decoding %s: %v", r, err)
		}
		if err := v.Validate(); err != nil {
			t.Fatalf("validating %s: %v", r, err)
		}
	}
	// And refuses a job type that does not exist.
	var bad api.IDVerificationRequest
	err := bad.UnmarshalJSON([]byte(`{"partner_id":"212","timestamp":"t","signature":"s","partner_params":{"user_id":"u","job_id":"j","job_type":3},"country":"NG","id_type":"BVN"}`))
	if err == nil {
		err = bad.Validate()
	}
	if err == nil {
		t.Fatal("job_type 3 was accepted")
	}
}
