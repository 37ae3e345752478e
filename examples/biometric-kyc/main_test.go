package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampletest"
	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestDefaultRun runs the example exactly as `go run ./examples/biometric-kyc` does: its
// own fake, the default poll policy (first poll at once, the next after 2 s).
func TestDefaultRun(t *testing.T) {
	var out bytes.Buffer
	start := time.Now()
	require.NoError(t, run(exampletest.Context(t), &out, exampleutil.Offline, nil), out.String())
	elapsed := time.Since(start)
	report := out.String()
	t.Log("\n" + report)

	require.Contains(t, exampleutil.FieldValue(report, "Server"), "in-process fake Smile ID server")
	require.Contains(t, report, "SMILEID_PARTNER_ID and SMILEID_API_KEY are not set")
	require.Regexp(t, `^\d{10}$`, exampleutil.FieldValue(report, "SmileJobID"))
	require.Equal(t, "true", exampleutil.FieldValue(report, "job_complete"))
	require.Equal(t, "true", exampleutil.FieldValue(report, "job_success"))
	require.Equal(t, "1210", exampleutil.FieldValue(report, "ResultCode"))
	require.Equal(t, "Enroll User", exampleutil.FieldValue(report, "ResultText"))
	require.Regexp(t, `(?m)^\s+Verify_ID_Number\s+Verified$`, report)
	require.Regexp(t, `(?m)^\s+Selfie_To_ID_Authority_Compare\s+Completed$`, report)
	require.Regexp(t, `(?m)^\s+Liveness_Check\s+Passed$`, report)
	require.Contains(t, exampleutil.FieldValue(report, "Signature"), "verified by the SDK")
	require.Equal(t, "approved (job_success is true)", exampleutil.FieldValue(report, "Outcome"))
	require.Equal(t, "approved (Python SDK fixture (Enroll User))", exampleutil.FieldValue(report, "smileid.Decide"))
	require.Equal(t, "id_card_image, liveness_image, selfie_image (URLs not shown: they are credentials)", exampleutil.FieldValue(report, "Image links"))
	require.Equal(t, "1 result(s)", exampleutil.FieldValue(report, "History"))

	// The default policy: one pending poll at once, the completing one 2 s later.
	polls := regexp.MustCompile(`(?m)^  poll (\d) at \+([\d.]+)s: (.*)$`).FindAllStringSubmatch(report, -1)
	require.Len(t, polls, 2, report)
	require.Equal(t, "job pending", polls[0][3])
	require.Equal(t, "job complete", polls[1][3])
	// The second poll waited for the policy's interval (a lower bound: sleeps never end
	// early; how much later they end depends on the machine, so no upper bound is asserted).
	second, err := strconv.ParseFloat(polls[1][2], 64)
	require.NoError(t, err)
	require.GreaterOrEqual(t, second, 2.0)
	require.GreaterOrEqual(t, elapsed, 2*time.Second)
	d, err := time.ParseDuration(exampleutil.FieldValue(report, "Elapsed"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, d, 2*time.Second)

	// No secret and no personal data: the ID number and the names stay out of the report.
	exampletest.NoSecrets(t, report, smileidtest.DefaultAPIKey)
	for _, personal := range []string{"00000000000", "John", "Doe", "1990-01-01"} {
		require.NotContains(t, report, personal)
	}
	require.Equal(t, "returned: FullName, DOB, IDNumber (values not shown)", exampleutil.FieldValue(report, "Personal info"))
}

// TestJobOnFake checks on the fake what the example sent: a Biometric KYC job with the
// three image files, the entered ID information, completed and approved.
func TestJobOnFake(t *testing.T) {
	report, srv := exampletest.Run(t, run, nil)
	jobs := srv.Jobs()
	require.Len(t, jobs, 1)
	j := jobs[0]
	require.Equal(t, smileid.BiometricKYC, j.PartnerParams.JobType)
	require.Equal(t, j.PartnerParams.UserID, exampleutil.FieldValue(report, "User ID"))
	require.True(t, strings.HasPrefix(exampleutil.FieldValue(report, "Job ID"), j.PartnerParams.JobID+" "))
	require.Equal(t, j.SmileJobID, exampleutil.FieldValue(report, "SmileJobID"))
	require.True(t, j.Complete)
	require.True(t, j.Success)
	require.Empty(t, j.ZipProblem)
	require.Equal(t, []string{"info.json", "selfie.jpg", "id_card.jpg", "liveness.jpg"}, j.ZipEntries)

	info := j.Manifest.IDInfo
	require.Equal(t, smileid.EnteredTrue, info.Entered)
	require.Equal(t, "NG", info.Country)
	require.Equal(t, "BVN", info.IDType)
	require.Equal(t, "00000000000", info.IDNumber)
	require.NotEmpty(t, info.FirstName)
	require.NotEmpty(t, info.LastName)
	require.NotEmpty(t, info.DOB)
	require.NotNil(t, info.ConsentInformation)

	// The uploaded images are the samples, which are the conformance fixtures.
	for name, kind := range map[string]exampleutil.ImageKind{"selfie.jpg": exampleutil.Selfie, "id_card.jpg": exampleutil.IDCard, "liveness.jpg": exampleutil.Liveness} {
		got, ok := srv.Image(j.PartnerParams.JobID, name)
		require.True(t, ok, name)
		want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "conformance", "fixtures", name))
		require.NoError(t, err)
		require.Equal(t, want, got, name)
		sample, err := exampleutil.SampleImage(kind)
		require.NoError(t, err)
		require.Equal(t, want, sample, name)
	}
	// Every job status request the fake answered was for this job and signed correctly.
	for _, r := range srv.RequestsFor(smileid.OpJobStatus) {
		require.Empty(t, r.Problem)
	}
	require.GreaterOrEqual(t, len(srv.RequestsFor(smileid.OpJobStatus)), 1)
}

// TestImageFlags sends the files the flags name instead of the samples.
func TestImageFlags(t *testing.T) {
	dir := t.TempDir()
	selfie := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, []byte("my own selfie")...)
	path := filepath.Join(dir, "me.jpg")
	require.NoError(t, os.WriteFile(path, selfie, 0o600))

	report, srv := exampletest.Run(t, run, nil, "-selfie", path, "-country", "NG", "-id-type", "NIN_V2", "-id-number", "12345678901")
	require.Contains(t, exampleutil.FieldValue(report, "Images"), "me.jpg (selfie)")
	j := srv.Jobs()[0]
	got, ok := srv.Image(j.PartnerParams.JobID, "me.jpg")
	require.True(t, ok)
	require.Equal(t, selfie, got)
	require.Equal(t, []string{"info.json", "me.jpg", "id_card.jpg", "liveness.jpg"}, j.ZipEntries)
	require.Equal(t, "NIN_V2", j.Manifest.IDInfo.IDType)
	require.NotContains(t, report, "12345678901")
}

// TestMissingImage fails before anything is created on the server.
func TestMissingImage(t *testing.T) {
	report, srv, err := exampletest.RunErr(t, run, nil, "-id-card", filepath.Join(t.TempDir(), "nope.jpg"))
	var ve *smileid.ValidationError
	require.ErrorAs(t, err, &ve, report)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.Empty(t, srv.Jobs())
	require.Empty(t, srv.RequestsFor(smileid.OpUpload))
}

// TestBadStatusSignature: a job status not signed with the partner's key is an error, so
// the report's "verified" is backed by the SDK's check.
func TestBadStatusSignature(t *testing.T) {
	srv := smileidtest.NewServer(t)
	srv.InjectFault(smileid.OpJobStatus, 20, smileidtest.Fault{BadSignature: true})
	report, _, err := exampletest.RunErr(t, run, srv)
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	require.Contains(t, err.Error(), "was created, but: ")
	require.NotContains(t, report, "Signature:")
	require.NotContains(t, report, "Outcome:")
}

// TestCredentialsFromEnv takes the other branch: credentials and server from the
// environment (here a plain-HTTP fake on loopback with its own credentials).
func TestCredentialsFromEnv(t *testing.T) {
	srv, env := exampletest.RealServer(t)
	var out bytes.Buffer
	require.NoError(t, run(exampletest.Context(t), &out, exampletest.Env(env), nil, exampleutil.FastPolls()), out.String())
	report := out.String()
	require.Equal(t, srv.URL+" (from SMILEID_SERVER)", exampleutil.FieldValue(report, "Server"))
	require.True(t, strings.HasPrefix(exampleutil.FieldValue(report, "Partner ID"), exampletest.PartnerID+" "))
	require.NotContains(t, report, "in-process fake")
	require.Contains(t, report, "NOTE: built-in samples are placeholder bytes")
	exampletest.NoSecrets(t, report, exampletest.APIKey)
	require.Len(t, srv.Jobs(), 1)
	require.True(t, srv.Jobs()[0].Success)
}

// TestHalfCredentials refuses to guess when only one credential is set.
func TestHalfCredentials(t *testing.T) {
	var out bytes.Buffer
	err := run(exampletest.Context(t), &out, exampletest.Env(map[string]string{exampleutil.EnvAPIKey: "k"}), nil)
	require.Error(t, err)
	require.Contains(t, err.Error(), "set both SMILEID_PARTNER_ID and SMILEID_API_KEY")
	require.NotContains(t, out.String(), "Server:")
	require.False(t, errors.Is(err, smileid.ErrSignatureMismatch))
}
