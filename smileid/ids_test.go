package smileid_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// TestUnsafeIDsAreRefusedBeforeSending: job_id and user_id with NUL, ESC, line breaks or
// 10 KB of text used to be sent as they were (and echoed into logs, terminals, callbacks).
func TestUnsafeIDsAreRefusedBeforeSending(t *testing.T) {
	ctx := context.Background()
	srv, c := fake(t, nil, smileid.WithCallbackURL("https://partner.example/cb"))
	info := smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000"}
	for _, bad := range []string{"job\x00", "job\x1b[2J", "job\nX-Injected: 1", "job\r", "job\u0085", "job\x7f", strings.Repeat("a", 10<<10),
		strings.Repeat("a", smileid.MaxIDLength+1), "job\xff"} {
		for _, field := range []string{"job_id", "user_id"} {
			pp := smileid.PartnerParams{JobID: "job-ok", UserID: "user-ok", JobType: smileid.SmartSelfieRegistration}
			q := smileid.JobStatusQuery{JobID: "job-ok", UserID: "user-ok"}
			tok := smileid.WebTokenRequest{JobID: "job-ok", UserID: "user-ok", Product: smileid.ProductSmartSelfie}
			if field == "job_id" {
				pp.JobID, q.JobID, tok.JobID = bad, bad, bad
			} else {
				pp.UserID, q.UserID, tok.UserID = bad, bad, bad
			}
			var ve *smileid.ValidationError
			_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: pp, Images: []smileid.Image{selfie}})
			require.ErrorAs(t, err, &ve, "%q", bad)
			require.Equal(t, "partner_params."+field, ve.Field)
			require.NotContains(t, err.Error(), bad, "the value is not echoed")
			pp.JobType = smileid.EnhancedKYC
			_, err = c.IDAPI.SubmitJob(ctx, pp, info)
			require.ErrorAs(t, err, &ve)
			require.ErrorAs(t, c.IDAPI.SubmitJobAsync(ctx, pp, info, ""), &ve)
			_, err = c.Utilities.GetJobStatus(ctx, q)
			require.ErrorAs(t, err, &ve)
			require.Equal(t, field, ve.Field)
			_, err = c.WebAPI.GetWebToken(ctx, tok)
			require.ErrorAs(t, err, &ve)
		}
	}
	require.Empty(t, srv.Requests(), "nothing was sent")

	// What the official SDKs send passes: UUIDs, timestamps, free text with spaces and
	// non-ASCII letters, up to MaxIDLength bytes.
	for _, ok := range []string{"4c1c4f37-5b4e-4b7e-9d0b-2a8b3c4d5e6f", "job-1700000000000", "Zoë Ọlá 42", strings.Repeat("a", smileid.MaxIDLength)} {
		_, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{JobID: ok, UserID: ok})
		var ve *smileid.ValidationError
		require.NotErrorAs(t, err, &ve, ok)
	}
}

// TestAppInfoRefusesControlCharacters: a control character in the User-Agent made every
// request fail later; it is refused by NewClient.
func TestAppInfoRefusesControlCharacters(t *testing.T) {
	for _, args := range [][3]string{{"app\x00", "1", ""}, {"app", "1\x1b[0m", ""}, {"app", "1", "https://x.example/\t"}, {"app", "1\r\n", ""},
		{"app\u0085", "", ""}, {"", "1", ""}, {"app\xff", "", ""}} {
		_, err := smileid.NewClient("212", "key", smileid.WithAppInfo(args[0], args[1], args[2]))
		require.Error(t, err, "%q", args)
	}
	srv, c := fake(t, nil, smileid.WithAppInfo("Ọlá app", "1.2.3", "https://partner.example"))
	_, err := c.Utilities.GetValidDocuments(context.Background())
	require.NoError(t, err)
	require.Contains(t, srv.Requests()[0].Header.Get("User-Agent"), "Ọlá app/1.2.3")
}
