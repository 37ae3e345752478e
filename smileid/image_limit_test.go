package smileid_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// TestImageFileOverTheLimitIsRefusedBeforeSending: an image file larger than MaxImageSize
// (a sparse file: its size costs no disk) is refused, for the zip and for info.json, with a
// ValidationError naming the image, and nothing reaches the server.
func TestImageFileOverTheLimitIsRefusedBeforeSending(t *testing.T) {
	path := filepath.Join(t.TempDir(), "selfie.jpg")
	f, err := os.Create(path)
	require.NoError(t, err)
	_, err = f.Write([]byte{0xFF, 0xD8, 0xFF, 0xE0})
	require.NoError(t, err)
	require.NoError(t, f.Truncate(smileid.MaxImageSize+1))
	require.NoError(t, f.Close())

	srv, c := fake(t, nil)
	for _, img := range []smileid.Image{smileid.SelfieFile(path), smileid.ImageFile(smileid.ImageSelfieBase64, path)} {
		_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{PartnerParams: jobParams("too-big", smileid.SmartSelfieRegistration),
			Images: []smileid.Image{img}, Options: smileid.JobOptions{CallbackURL: "https://partner.example/cb"}})
		var ve *smileid.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, "images[0]", ve.Field)
		require.Contains(t, ve.Reason, "is larger than 32 MiB")
	}
	require.Empty(t, srv.Requests())
}
