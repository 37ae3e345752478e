package smileid_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// personal are the personal values the fixtures below carry; none may be printed.
var personal = []string{"jane.doe@example.com", "12345678901", "Jane", "Doe", "1990-01-02", "+2348012345678",
	"12 Main Street", "/home/jane.doe/selfie.jpg", "SELFIEBASE64", "PHOTOBASE64", "secret-token", "FULLDATA-VALUE"}

// TestPersonalDataDoesNotPrint (review finding 10): the SDK's own types that carry
// personal data print a summary with every fmt verb and through log/slog: the job_id,
// codes and SmileJobID, never an ID number, a name, a selfie or the user_id.
func TestPersonalDataDoesNotPrint(t *testing.T) {
	job := smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "jane.doe@example.com", JobID: "job-print", JobType: smileid.BiometricKYC},
		IDInfo: smileid.IDInfo{Country: "NG", IDType: "NIN", IDNumber: "12345678901", FirstName: "Jane", LastName: "Doe",
			DOB: "1990-01-02", PhoneNumber: "+2348012345678", PostalAddress: "12 Main Street", Entered: smileid.EnteredTrue},
		Images: []smileid.Image{
			smileid.ImageFile(smileid.ImageSelfieFile, "/home/jane.doe/selfie.jpg"),
			smileid.ImageBase64(smileid.ImageIDCardBase64, "SELFIEBASE64"),
			smileid.ImageBytes(smileid.ImageLivenessFile, "liveness.jpg", []byte("SELFIEBASE64")),
		},
		Options: smileid.JobOptions{CallbackURL: "https://partner.example/cb?token=secret-token"},
	}
	result := `{"ResultCode":"1012","ResultText":"ID Number Validated","SmileJobID":"0000000042","ResultType":"ID Verification",
		"Actions":{"Verify_ID_Number":"Verified","Return_Personal_Info":"Returned"},
		"FullName":"Jane Doe","DOB":"1990-01-02","IDNumber":"12345678901","PhoneNumber":"+2348012345678","Photo":"PHOTOBASE64",
		"Address":"12 Main Street","FullData":{"x":"FULLDATA-VALUE"},
		"PartnerParams":{"job_id":"job-print","user_id":"jane.doe@example.com","job_type":5}}`
	var st smileid.JobStatus
	require.NoError(t, json.Unmarshal([]byte(`{"job_complete":true,"job_success":true,"code":"2302","result":`+result+
		`,"history":[`+result+`],"timestamp":"2026-11-25T18:33:08.120Z","signature":"c2lnbmF0dXJl"}`), &st.JobStatusResponse))
	var v smileid.Verification
	require.NoError(t, json.Unmarshal([]byte(result), &v.JobResult))
	s := smileid.NewSignature(confPartnerID, confAPIKey)
	ts := "2026-11-25T18:33:08.120Z"
	body := strings.TrimSuffix(result, "}") + `,"timestamp":"` + ts + `","signature":"` + s.Generate(ts) + `"}`
	cb, err := s.CheckCallbackSignature([]byte(body), callbackAt)
	require.NoError(t, err)
	amlReq := smileid.AMLRequest{UserID: "jane.doe@example.com", JobID: "job-print", FullName: "Jane Doe", Countries: []string{"NG"},
		BirthYear: "1990-01-02", Aliases: []string{"Jane"}}
	var amlRes smileid.AMLResult
	require.NoError(t, json.Unmarshal([]byte(`{"ResultCode":"1030","ResultText":"Found","SmileJobID":"0000000042",
		"PartnerParams":{"job_id":"job-print","user_id":"jane.doe@example.com"},
		"people":[{"name":"Jane Doe","dob":"1990-01-02","aliases":["Jane"]}]}`), &amlRes.AMLResult))
	require.Len(t, amlRes.People, 1)
	addrReq := smileid.AddressRequest{UserID: "jane.doe@example.com", JobID: "job-print", Country: "NG", Address: "12 Main Street",
		FullName: "Jane Doe", UtilityNumber: "12345678901", UtilityProvider: "IKEDC", CallbackURL: "https://partner.example/cb?token=secret-token"}
	confirmed := smileid.ConfirmedCallback{JobID: "job-print", UserID: "jane.doe@example.com", Status: &st, Result: st.LatestResult(), Callback: cb}

	for name, tc := range map[string]struct {
		value any
		want  []string
	}{
		"Job":               {job, []string{"job-print", "NG", "NIN", "id_number", "source: file", "https://partner.example/cb?[REDACTED]"}},
		"Image":             {job.Images[1], []string{"base64"}},
		"JobStatus":         {st, []string{"job-print", "1012", "0000000042", "2302", "Verified", "history: 1"}},
		"*JobStatus":        {&st, []string{"job-print", "1012"}},
		"Verification":      {v, []string{"job-print", "1012", "ID Verification"}},
		"*Verification":     {&v, []string{"1012"}},
		"SignedCallback":    {cb, []string{"job-print", "1012", ts}},
		"ConfirmedCallback": {&confirmed, []string{"job-print", "1012", "2302"}},
		"AMLRequest":        {amlReq, []string{"job-print", "NG", "aliases: 1"}},
		"AMLResult":         {&amlRes, []string{"job-print", "1030", "people: 1"}},
		"AddressRequest":    {addrReq, []string{"job-print", "IKEDC", "[REDACTED]"}},
	} {
		t.Run(name, func(t *testing.T) {
			var logged bytes.Buffer
			slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "v", tc.value)
			var texts []string
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
				texts = append(texts, fmt.Sprintf(verb, tc.value))
			}
			texts = append(texts, fmt.Sprint(tc.value), fmt.Sprintf("%v", []any{tc.value}), logged.String())
			for _, text := range texts {
				for _, p := range personal {
					require.NotContains(t, text, p)
				}
			}
			for _, w := range tc.want {
				require.Contains(t, texts[0], w, "the summary names the job")
			}
			require.Contains(t, logged.String(), tc.want[0], "and so does the log")
		})
	}
	// The fields still hold the data.
	require.Equal(t, "Jane Doe", v.FullName)
	require.Equal(t, "12345678901", job.IDInfo.IDNumber)
}
