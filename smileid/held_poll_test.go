package smileid_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestKeptImagesAreGivenBackAtTheEndOfTheUpload (found by review): a small image file is
// kept in memory from the first read to the end of its upload, within a process-wide
// budget of 8 MiB. submit gave its buffers back at its own end, which with
// Options.ReturnJobStatus comes after polling the job to completion (up to 76 s by
// default): the buffers, and the shared budget, stayed taken while the job was only
// polled, and the process's other jobs read their files twice.
func TestKeptImagesAreGivenBackAtTheEndOfTheUpload(t *testing.T) {
	srv := smileidtest.NewServer(t, smileidtest.WithCompletion(1000, time.Hour))
	var polls, heldWhilePolling atomic.Int64
	c, err := smileid.NewClient(srv.PartnerID, srv.APIKey, smileid.WithBaseURL(srv.URL), trustFake(srv),
		smileid.WithCallbackURL("https://127.0.0.1:9/cb"),
		smileid.WithPollPolicy(smileid.PollPolicy{InitialInterval: 100 * time.Millisecond, MaxInterval: 100 * time.Millisecond,
			MaxWait: 1500 * time.Millisecond, MaxErrors: 3,
			OnPoll: func(e smileid.PollEvent) {
				if polls.Add(1) >= 3 { // the upload ended a few hundred ms ago
					heldWhilePolling.Store(max(heldWhilePolling.Load(), smileid.HeldBytesForTest()))
				}
			}}))
	require.NoError(t, err)
	selfie := readFixture(t, "selfie.jpg")
	path := filepath.Join(t.TempDir(), "selfie.jpg")
	require.NoError(t, os.WriteFile(path, append(append([]byte{}, selfie...), make([]byte, 1<<20)...), 0o600))
	_, err = c.WebAPI.SubmitJob(context.Background(), smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "u", JobID: "polled", JobType: smileid.SmartSelfieRegistration},
		Images:        []smileid.Image{smileid.SelfieFile(path), smileid.LivenessBase64("/9j/" + "AAAA")},
		Options:       smileid.JobOptions{ReturnJobStatus: true},
	})
	t.Logf("SubmitJob: %v (the job never completes: polling runs out)", err)
	j, ok := srv.Job("polled")
	require.True(t, ok)
	require.NotNil(t, j.Manifest, "the zip was uploaded")
	require.GreaterOrEqual(t, polls.Load(), int64(3))
	require.Zero(t, heldWhilePolling.Load(), "bytes of image buffers still taken while the uploaded job was only polled")
}
