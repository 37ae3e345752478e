//go:build unix

package smileid_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// swapDuringPrepUpload makes the fake's next prep upload take 300 ms and, 100 ms into
// it, replaces the file at path by a FIFO; the channel is closed once it is swapped.
func swapDuringPrepUpload(srv *smileidtest.Server, path string) <-chan struct{} {
	srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{Delay: 300 * time.Millisecond})
	swapped := make(chan struct{})
	go func() {
		defer close(swapped)
		time.Sleep(100 * time.Millisecond)
		_ = os.Remove(path)
		_ = syscall.Mkfifo(path, 0o600)
	}()
	return swapped
}

// TestFIFOSwappedBeforeUploadFailsTheUpload (review finding 6): the check before sending
// refuses a FIFO (openImage: O_NONBLOCK, regular files only), but the upload re-opened each
// file with a blocking os.Open. A file replaced by a FIFO between the check and the upload
// (the window is the whole prep upload round trip) blocked the zip body's Read inside
// os.Open, with the zip's mutex held, past the context: SubmitJob did not return at its
// deadline. The upload now opens the file as the check does: it fails at once, naming the
// job that was created.
func TestFIFOSwappedBeforeUploadFailsTheUpload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "selfie.jpg")
	img, err := os.ReadFile(fixtures + "selfie.jpg")
	require.NoError(t, err)
	// Too large to be kept in memory after the check: the upload reads the file again.
	img = append(img, make([]byte, smileid.MaxHeldImageForTest+1-len(img))...)
	require.NoError(t, os.WriteFile(path, img, 0o600))

	// The fake treats the aborted upload as S3 does (nothing stored), without failing the
	// test: the upload's failure is what this test is about.
	srv, c := fake(t, nil)
	swapped := swapDuringPrepUpload(srv, path)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("rv-fifo", smileid.SmartSelfieRegistration),
			Images: []smileid.Image{smileid.SelfieFile(path)}, Options: smileid.JobOptions{CallbackURL: "https://partner.example/cb"}})
		done <- err
	}()
	select {
	case err := <-done:
		<-swapped
		fi, statErr := os.Lstat(path)
		require.NoError(t, statErr)
		require.Equal(t, os.ModeNamedPipe, fi.Mode().Type(), "the file was swapped during prep upload")
		var je *smileid.JobError
		require.ErrorAs(t, err, &je)
		require.Equal(t, smileid.OpUploadZip, je.Stage)
		require.NotEmpty(t, je.SmileJobID, "the job was created: its identity is kept")
		require.False(t, errors.Is(err, context.DeadlineExceeded), "it failed at once, not at the deadline: %v", err)
		var ve *smileid.ValidationError
		require.False(t, errors.As(err, &ve), "not a ValidationError: the job was created")
		require.Contains(t, err.Error(), "changed while it was being uploaded")
		require.Contains(t, err.Error(), "not a regular file")
	case <-time.After(6 * time.Second):
		// Unblock the stuck open so the test process can end.
		if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("SubmitJob still running 4 s past its context's deadline: the upload is stuck opening a FIFO")
	}
}

// TestKeptImageSwappedBeforeUploadIsUploadedAsChecked: a small file is kept in memory from
// its check to its upload; replaced by a FIFO during prep upload, it is not opened again,
// and the zip carries the bytes that were checked.
func TestKeptImageSwappedBeforeUploadIsUploadedAsChecked(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "selfie.jpg")
	img, err := os.ReadFile(fixtures + "selfie.jpg")
	require.NoError(t, err)
	require.Less(t, len(img), smileid.MaxHeldImageForTest)
	require.NoError(t, os.WriteFile(path, img, 0o600))

	srv, c := fake(t, nil)
	swapped := swapDuringPrepUpload(srv, path)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("kept-fifo", smileid.SmartSelfieRegistration),
		Images: []smileid.Image{smileid.SelfieFile(path)}, Options: smileid.JobOptions{CallbackURL: "https://partner.example/cb"}})
	<-swapped
	require.NoError(t, err)
	fi, err := os.Lstat(path)
	require.NoError(t, err)
	require.Equal(t, os.ModeNamedPipe, fi.Mode().Type(), "the file was swapped during prep upload")
	got, ok := srv.Image("job-kept-fifo", "selfie.jpg")
	require.True(t, ok)
	require.Equal(t, img, got)
	// net/http may close the request body just after the round trip returned.
	require.Eventually(t, func() bool { return smileid.HeldBytesForTest() == 0 }, 5*time.Second, time.Millisecond, "every buffer given back")
}
