//go:build unix

package smileid_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// TestFIFOImageIsRefused: opening a FIFO waits for a writer; the old code hung there, past
// any context. A FIFO (or any non-regular file) is refused before anything is sent.
func TestFIFOImageIsRefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "selfie.jpg")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	srv, c := fake(t, nil)
	for _, img := range []smileid.Image{smileid.SelfieFile(fifo), smileid.ImageFile(smileid.ImageSelfieBase64, fifo)} {
		done := make(chan error, 1)
		go func() {
			_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{PartnerParams: jobParams("fifo", smileid.SmartSelfieRegistration),
				Images: []smileid.Image{img}, Options: smileid.JobOptions{ReturnJobStatus: true}})
			done <- err
		}()
		select {
		case err := <-done:
			var ve *smileid.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, "images[0]", ve.Field)
			require.Contains(t, ve.Reason, "not a regular file")
		case <-time.After(10 * time.Second):
			// Unblock the stuck open so that the goroutine ends, then fail.
			if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				w.Close()
			}
			t.Fatal("SubmitJob hangs on a FIFO")
		}
	}
	require.Empty(t, srv.Requests())
}
