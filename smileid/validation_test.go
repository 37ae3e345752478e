package smileid_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// TestSubmitJobRefusesBadInputBeforeSending runs every validation rule: each bad job is a
// *smileid.ValidationError naming the field, and the fake receives no request at all.
func TestSubmitJobRefusesBadInputBeforeSending(t *testing.T) {
	entered := smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000", Entered: smileid.EnteredTrue}
	docV := smileid.IDInfo{Country: "NG", IDType: "PASSPORT"}
	status := smileid.JobOptions{ReturnJobStatus: true}
	dir := t.TempDir()
	notImage := filepath.Join(dir, "notes.jpg")
	require.NoError(t, os.WriteFile(notImage, []byte("hello, not a jpeg"), 0o600))
	empty := filepath.Join(dir, "empty.jpg")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	sameName := filepath.Join(dir, "selfie.jpg")
	require.NoError(t, os.WriteFile(sameName, readFixture(t, "id_card.jpg"), 0o600))
	jpeg := readFixture(t, "selfie.jpg")
	extra := jobParams("x", smileid.BiometricKYC)
	extra.Set("job_id", "sneaky")
	emptyKey := jobParams("x", smileid.BiometricKYC)
	emptyKey.Set("", "v")

	cases := []struct {
		name  string
		job   smileid.Job
		field string
	}{
		{"no job id", smileid.Job{PartnerParams: smileid.PartnerParams{UserID: "u", JobType: 1}}, "partner_params.job_id"},
		{"blank job id", smileid.Job{PartnerParams: smileid.PartnerParams{UserID: "u", JobID: "  ", JobType: 1}}, "partner_params.job_id"},
		{"no user id", smileid.Job{PartnerParams: smileid.PartnerParams{JobID: "j", JobType: 1}}, "partner_params.user_id"},
		{"no job type", smileid.Job{PartnerParams: smileid.PartnerParams{JobID: "j", UserID: "u"}}, "partner_params.job_type"},
		{"job type 3", smileid.Job{PartnerParams: jobParams("x", 3)}, "partner_params.job_type"},
		{"job type 99", smileid.Job{PartnerParams: jobParams("x", 99)}, "partner_params.job_type"},
		{"reserved extra key", smileid.Job{PartnerParams: extra, Images: []smileid.Image{selfie, idCard}, Options: status}, "partner_params.job_id"},
		{"empty extra key", smileid.Job{PartnerParams: emptyKey, Images: []smileid.Image{selfie, idCard}, Options: status}, "partner_params"},
		{"no images", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Options: status}, "images"},
		{"no selfie", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{liveness}, Options: status}, "images"},
		{"jt2 use enrolled image", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieAuthentication), Images: []smileid.Image{liveness},
			Options: smileid.JobOptions{ReturnJobStatus: true, UseEnrolledImage: true}}, "options.use_enrolled_image"},
		{"jt1 without id card or entered", smileid.Job{PartnerParams: jobParams("x", smileid.BiometricKYC), Images: []smileid.Image{selfie}, Options: status}, "id_info.entered"},
		{"jt1 entered without id number", smileid.Job{PartnerParams: jobParams("x", smileid.BiometricKYC), Images: []smileid.Image{selfie},
			IDInfo: smileid.IDInfo{Country: "NG", IDType: "BVN", Entered: smileid.EnteredTrue}, Options: status}, "id_info.id_number"},
		{"jt1 entered without country", smileid.Job{PartnerParams: jobParams("x", smileid.BiometricKYC), Images: []smileid.Image{selfie},
			IDInfo: smileid.IDInfo{IDType: "BVN", IDNumber: "1", Entered: smileid.EnteredTrue}, Options: status}, "id_info.country"},
		{"bvn mfa without session", smileid.Job{PartnerParams: jobParams("x", smileid.BiometricKYC), Images: []smileid.Image{selfie},
			IDInfo: smileid.IDInfo{Country: "NG", IDType: "BVN_MFA", Entered: smileid.EnteredTrue}, Options: status}, "id_info.session_id"},
		{"entered not true or false", smileid.Job{PartnerParams: jobParams("x", smileid.BiometricKYC), Images: []smileid.Image{selfie, idCard},
			IDInfo: smileid.IDInfo{Entered: "yes"}, Options: status}, "id_info.entered"},
		{"lowercase country", smileid.Job{PartnerParams: jobParams("x", smileid.BiometricKYC), Images: []smileid.Image{selfie, idCard},
			IDInfo: smileid.IDInfo{Country: "ng"}, Options: status}, "id_info.country"},
		{"jt6 without country", smileid.Job{PartnerParams: jobParams("x", smileid.DocumentVerification), Images: []smileid.Image{selfie, idCard}, Options: status}, "id_info.country"},
		{"jt6 without id card", smileid.Job{PartnerParams: jobParams("x", smileid.DocumentVerification), Images: []smileid.Image{selfie, idBack}, IDInfo: docV, Options: status}, "images"},
		{"jt6 use enrolled without id card", smileid.Job{PartnerParams: jobParams("x", smileid.DocumentVerification), Images: []smileid.Image{idBack}, IDInfo: docV,
			Options: smileid.JobOptions{ReturnJobStatus: true, UseEnrolledImage: true}}, "images"},
		{"jt11 without id type", smileid.Job{PartnerParams: jobParams("x", smileid.EnhancedDocumentVerification), Images: []smileid.Image{selfie, idCard},
			IDInfo: smileid.IDInfo{Country: "NG"}, Options: status}, "id_info.id_type"},
		{"no callback and no job status", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{selfie}}, "options"},
		{"http callback", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{selfie},
			Options: smileid.JobOptions{CallbackURL: "http://partner.example.com/cb"}}, "options.callback_url"},
		{"relative callback", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{selfie},
			Options: smileid.JobOptions{CallbackURL: "/cb"}}, "options.callback_url"},
		{"missing file", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{smileid.SelfieFile(filepath.Join(dir, "gone.jpg"))}, Options: status}, "images[0]"},
		{"a directory", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{smileid.SelfieFile(dir)}, Options: status}, "images[0]"},
		{"not an image", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{smileid.SelfieFile(notImage)}, Options: status}, "images[0]"},
		{"empty file", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{smileid.SelfieFile(empty)}, Options: status}, "images[0]"},
		{"duplicate zip names", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{selfie, smileid.LivenessFile(sameName)}, Options: status}, "images[1]"},
		{"unknown image type", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{selfie, smileid.ImageFile(9, fixtures+"liveness.jpg")}, Options: status}, "images[1]"},
		{"zero image", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{{Type: smileid.ImageSelfieFile}}, Options: status}, "images[0]"},
		{"bad base64", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{smileid.SelfieBase64("%%%not base64")}, Options: status}, "images[0]"},
		{"data uri", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{smileid.SelfieBase64("data:image/jpeg;base64,/9j/4AAQ")}, Options: status}, "images[0]"},
		{"base64 of a file type", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{smileid.ImageBase64(smileid.ImageSelfieFile, "/9j/4AAQ")}, Options: status}, "images[0]"},
		{"bytes without a name", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{smileid.ImageBytes(smileid.ImageSelfieFile, "", jpeg)}, Options: status}, "images[0]"},
		{"bytes named with a path", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{smileid.ImageBytes(smileid.ImageSelfieFile, "../selfie.jpg", jpeg)}, Options: status}, "images[0]"},
		{"bytes named info.json", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{smileid.ImageBytes(smileid.ImageSelfieFile, "info.json", jpeg)}, Options: status}, "images[0]"},
		{"reader of text", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{smileid.ImageReader(smileid.ImageSelfieFile, "s.jpg", strings.NewReader("text"))}, Options: status}, "images[0]"},
		{"too large", smileid.Job{PartnerParams: jobParams("x", smileid.SmartSelfieRegistration), Images: []smileid.Image{smileid.ImageBytes(smileid.ImageSelfieFile, "big.jpg", append(append([]byte{}, jpeg[:3]...), make([]byte, smileid.MaxImageSize)...))}, Options: status}, "images[0]"},
		{"images for the ID API", smileid.Job{PartnerParams: jobParams("x", smileid.EnhancedKYC), IDInfo: entered, Images: []smileid.Image{selfie}}, "images"},
		{"id api without id number", smileid.Job{PartnerParams: jobParams("x", smileid.EnhancedKYC), IDInfo: smileid.IDInfo{Country: "NG", IDType: "BVN"}}, "id_info.id_number"},
		{"id api without id type", smileid.Job{PartnerParams: jobParams("x", smileid.EnhancedKYC), IDInfo: smileid.IDInfo{Country: "NG", IDNumber: "1"}}, "id_info.id_type"},
		{"kyb without country", smileid.Job{PartnerParams: jobParams("x", smileid.BusinessVerification), IDInfo: smileid.IDInfo{IDType: "BUSINESS_REGISTRATION", IDNumber: "1"}}, "id_info.country"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := fake(t, nil)
			res, err := c.WebAPI.SubmitJob(context.Background(), tc.job)
			require.Nil(t, res)
			var ve *smileid.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tc.field, ve.Field, ve.Error())
			require.Contains(t, err.Error(), tc.field)
			require.Empty(t, srv.Requests(), "nothing may be sent for bad input")
		})
	}
}

func TestMissingFileWrapsErrNotExist(t *testing.T) {
	srv, c := fake(t, nil)
	_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{
		PartnerParams: jobParams("x", smileid.SmartSelfieRegistration),
		Images:        []smileid.Image{selfie, smileid.LivenessFile("testdata/does-not-exist.jpg")},
		Options:       smileid.JobOptions{ReturnJobStatus: true},
	})
	require.ErrorIs(t, err, fs.ErrNotExist)
	var ve *smileid.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "images[1]", ve.Field)
	require.Empty(t, srv.Requests(), "the job is not created when a file is missing")
	require.Empty(t, srv.Jobs())
}

// TestValidationErrorsKeepPersonalDataOut checks that the text of validation errors does
// not echo the ID number or names.
func TestValidationErrorsKeepPersonalDataOut(t *testing.T) {
	_, c := fake(t, nil)
	_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{
		PartnerParams: jobParams("x", smileid.BiometricKYC), Images: []smileid.Image{selfie},
		IDInfo:  smileid.IDInfo{Country: "ng", IDType: "BVN", IDNumber: "22233344455", FirstName: "Adaeze", Entered: smileid.EnteredTrue},
		Options: smileid.JobOptions{ReturnJobStatus: true},
	})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "22233344455")
	require.NotContains(t, err.Error(), "Adaeze")
}

// TestValidationAgainstServices checks id_info against the services document, fetched
// once and cached, and that WithValidationAPI(false) and SkipValidationAPI turn it off.
func TestValidationAgainstServices(t *testing.T) {
	ctx := context.Background()
	entered := func(country, idType string) smileid.IDInfo {
		return smileid.IDInfo{Country: country, IDType: idType, IDNumber: "00000000000", Entered: smileid.EnteredTrue}
	}
	job := func(id string, info smileid.IDInfo) smileid.Job {
		return smileid.Job{PartnerParams: jobParams(id, smileid.BiometricKYC), Images: []smileid.Image{selfie}, IDInfo: info,
			Options: smileid.JobOptions{ReturnJobStatus: true}}
	}
	srv, c := fake(t, nil)
	for _, tc := range []struct {
		info  smileid.IDInfo
		field string
	}{
		{entered("XX", "BVN"), "id_info.country"},
		{entered("NG", "NOT_AN_ID"), "id_info.id_type"},
		{entered("NG", "BANK_ACCOUNT"), "id_info.bank_code"},
		{entered("KE", "KRA_PIN"), "id_info.citizenship"},
		{entered("NG", "DRIVERS_LICENSE"), "id_info.first_name"},
	} {
		_, err := c.WebAPI.SubmitJob(ctx, job("s", tc.info))
		var ve *smileid.ValidationError
		require.ErrorAs(t, err, &ve, "%+v", tc.info)
		require.Equal(t, tc.field, ve.Field)
	}
	require.Equal(t, []smileid.Operation{smileid.OpServices}, ops(srv), "the services document is fetched once, and no job is created")

	ok := entered("NG", "BANK_ACCOUNT")
	ok.BankCode = "044"
	_, err := c.WebAPI.SubmitJob(ctx, job("ok", ok))
	require.NoError(t, err)

	// Document Verification: the country and document type must be listed.
	_, err = c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("d", smileid.DocumentVerification), Images: []smileid.Image{selfie, idCard},
		IDInfo: smileid.IDInfo{Country: "FR", IDType: "PASSPORT"}, Options: smileid.JobOptions{ReturnJobStatus: true}})
	var ve *smileid.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "id_info.country", ve.Field)

	// Utilities.ValidateIDParams: local rules only, or with the services document.
	require.NoError(t, c.Utilities.ValidateIDParams(ctx, entered("XX", "BVN"), jobParams("v", smileid.BiometricKYC), false))
	require.Error(t, c.Utilities.ValidateIDParams(ctx, entered("XX", "BVN"), jobParams("v", smileid.BiometricKYC), true))
	require.Error(t, c.Utilities.ValidateIDParams(ctx, entered("ng", "BVN"), jobParams("v", smileid.BiometricKYC), false))
	require.NoError(t, c.Utilities.ValidatePartnerParams(jobParams("v", smileid.EnhancedDocumentVerification)))
	require.Error(t, c.Utilities.ValidatePartnerParams(jobParams("v", 8)))

	// Turned off per job, and per client.
	_, err = c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("skip", smileid.BiometricKYC), Images: []smileid.Image{selfie},
		IDInfo: entered("NG", "NIN_V2"), Options: smileid.JobOptions{ReturnJobStatus: true, SkipValidationAPI: true}})
	require.NoError(t, err)
	srv2, c2 := fake(t, nil, smileid.WithValidationAPI(false))
	_, err = c2.WebAPI.SubmitJob(ctx, job("off", entered("NG", "NOT_AN_ID")))
	require.NoError(t, err, "the fake accepts the zip; only the services check would refuse the ID type")
	require.NotContains(t, ops(srv2), smileid.OpServices)

	// A services document that cannot be fetched stops the submission before the job.
	srv3, c3 := fake(t, nil)
	srv3.InjectFault(smileid.OpServices, 3, smileidtest503)
	_, err = c3.WebAPI.SubmitJob(ctx, job("down", entered("NG", "BVN")))
	var apiErr *smileid.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, smileid.OpServices, apiErr.Operation)
	require.NotContains(t, ops(srv3), smileid.OpUpload)
}

func TestReaderImagesAreRead(t *testing.T) {
	srv, c := fake(t, nil)
	jpeg := readFixture(t, "selfie.jpg")
	_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{
		PartnerParams: jobParams("r", smileid.SmartSelfieRegistration),
		Images: []smileid.Image{smileid.ImageReader(smileid.ImageSelfieFile, "from-reader.jpg", bytes.NewReader(jpeg)),
			smileid.ImageReader(smileid.ImageLivenessBase64, "", bytes.NewReader(readFixture(t, "liveness.jpg")))},
		Options: smileid.JobOptions{ReturnJobStatus: true},
	})
	require.NoError(t, err)
	got, ok := srv.Image("job-r", "from-reader.jpg")
	require.True(t, ok)
	require.Equal(t, jpeg, got)
}
