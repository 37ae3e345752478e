package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampletest"
	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestDocumentVerification: job type 6 with the selfie and both sides of the document as
// files, and the document's country and type.
func TestDocumentVerification(t *testing.T) {
	report, srv := exampletest.Run(t, run, nil, "-country", "KE", "-id-type", "NATIONAL_ID")
	jobs := srv.Jobs()
	require.Len(t, jobs, 1)
	j := jobs[0]
	require.Equal(t, smileid.DocumentVerification, j.PartnerParams.JobType)
	require.True(t, j.Complete && j.Success)
	require.Equal(t, []string{"info.json", "selfie.jpg", "id_card.jpg", "id_card_back.jpg"}, j.ZipEntries)
	var types []smileid.ImageType
	for _, img := range j.Manifest.Images {
		types = append(types, img.ImageTypeID)
	}
	require.Equal(t, []smileid.ImageType{smileid.ImageSelfieFile, smileid.ImageIDCardFile, smileid.ImageIDCardBackFile}, types)
	require.Equal(t, "KE", j.Manifest.IDInfo.Country)
	require.Equal(t, "NATIONAL_ID", j.Manifest.IDInfo.IDType)
	require.Empty(t, j.Manifest.IDInfo.IDNumber)

	require.Equal(t, j.SmileJobID, exampleutil.FieldValue(report, "SmileJobID"))
	require.Equal(t, "0810", exampleutil.FieldValue(report, "ResultCode"))
	require.Equal(t, "Document Verified", exampleutil.FieldValue(report, "ResultText"))
	require.Equal(t, "KE NATIONAL_ID", exampleutil.FieldValue(report, "Country / IDType"))
	require.Regexp(t, `(?m)^\s+Verify_Document\s+Passed$`, report)
	require.Regexp(t, `(?m)^\s+Selfie_To_ID_Card_Compare\s+Completed$`, report)
	require.Equal(t, "approved (job_success is true)", exampleutil.FieldValue(report, "Outcome"))
	exampletest.NoSecrets(t, report, smileidtest.DefaultAPIKey)
}

// TestUnknownDocumentCountry is refused by the SDK's check against the services document
// before any job is created.
func TestUnknownDocumentCountry(t *testing.T) {
	_, srv, err := exampletest.RunErr(t, run, nil, "-country", "FR")
	var ve *smileid.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "id_info.country", ve.Field)
	require.Empty(t, srv.Jobs())
}
