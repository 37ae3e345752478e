package smileidtest_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestRetentionBoundsWhatTheFakeKeeps: with WithRetention, a fake serving many jobs keeps
// the bodies and images of the most recent ones within the bound and drops the older ones,
// while every job's status is still served. (A standalone fake kept every zip twice, as
// the request's body and as the job's images, and a benchmark of a few thousand jobs of
// 2 MiB ran it out of memory.)
func TestRetentionBoundsWhatTheFakeKeeps(t *testing.T) {
	selfie, err := os.ReadFile(fixtures + "selfie.jpg")
	require.NoError(t, err)
	const bound = 200 << 10
	srv := smileidtest.NewServer(t, smileidtest.WithRetention(bound), smileidtest.WithCompletion(0, 0))
	c, err := srv.NewClient(smileid.WithCallbackURL("https://127.0.0.1:9/cb"))
	require.NoError(t, err)
	const jobs = 12
	for i := range jobs {
		_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{
			PartnerParams: smileid.PartnerParams{UserID: "u", JobID: fmt.Sprint("retained-", i), JobType: smileid.SmartSelfieRegistration},
			Images:        []smileid.Image{smileid.ImageBytes(smileid.ImageSelfieFile, "selfie.jpg", selfie), smileid.LivenessBase64("/9j/" + "AAAA")},
		})
		require.NoError(t, err)
	}
	var kept int
	for _, r := range srv.Requests() {
		kept += len(r.Body)
		if r.BodyDropped {
			require.Nil(t, r.Body)
		}
	}
	for _, j := range srv.Jobs() {
		if _, ok := srv.Image(j.PartnerParams.JobID, "selfie.jpg"); ok {
			require.False(t, j.ImagesDropped)
			kept += len(selfie)
		} else {
			require.True(t, j.ImagesDropped, j.PartnerParams.JobID)
			for _, img := range j.Manifest.Images {
				require.Empty(t, img.Image, "base64 images are dropped with the zip's")
			}
		}
		require.True(t, j.Complete, "the job's status is kept")
	}
	require.LessOrEqual(t, kept, bound+len(selfie)*2, "kept bytes")
	last := srv.RequestsFor(smileid.OpUploadZip)
	require.Len(t, last, jobs)
	require.True(t, last[0].BodyDropped, "the oldest zip is dropped")
	require.False(t, last[jobs-1].BodyDropped, "the newest zip is kept")
	newest, ok := srv.Image(fmt.Sprint("retained-", jobs-1), "selfie.jpg")
	require.True(t, ok)
	require.Equal(t, selfie, newest)
	st, err := c.WebAPI.GetJobStatus(context.Background(), smileid.JobStatusQuery{UserID: "u", JobID: "retained-0"})
	require.NoError(t, err)
	require.True(t, st.JobComplete)

	// By default a test's fake keeps everything.
	all := smileidtest.NewServer(t)
	c, err = all.NewClient(smileid.WithCallbackURL("https://127.0.0.1:9/cb"))
	require.NoError(t, err)
	for i := range 3 {
		_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{
			PartnerParams: smileid.PartnerParams{UserID: "u", JobID: fmt.Sprint("all-", i), JobType: smileid.SmartSelfieRegistration},
			Images:        []smileid.Image{smileid.ImageBytes(smileid.ImageSelfieFile, "selfie.jpg", selfie), smileid.LivenessBase64("/9j/" + "AAAA")},
		})
		require.NoError(t, err)
	}
	for _, r := range all.Requests() {
		require.False(t, r.BodyDropped)
	}
}

// TestRetentionKeepsTheImagesOfARepeatedUpload (found by review): a job whose zip was PUT
// twice (the SDK repeats the PUT when the first answer is lost: the fake processed it,
// then answered 500) has two retained items for the job. Dropping the older one forgot
// the job's images, those of the newest zip, though WithRetention keeps the most recent.
func TestRetentionKeepsTheImagesOfARepeatedUpload(t *testing.T) {
	selfie, err := os.ReadFile(fixtures + "selfie.jpg")
	require.NoError(t, err)
	img := append(append([]byte{}, selfie...), make([]byte, 100<<10)...)
	zip := int64(len(img)) + 2<<10 // about: the image, info.json and the headers
	// Room for the newest zip's body and images (2 zips), not for the older PUT's too.
	srv := smileidtest.NewServer(t, smileidtest.WithRetention(zip*5/2), smileidtest.WithCompletion(0, 0))
	srv.InjectFault(smileid.OpUploadZip, 1, smileidtest.Fault{Status: 500, AfterProcessing: true})
	c, err := srv.NewClient(smileid.WithCallbackURL("https://127.0.0.1:9/cb"))
	require.NoError(t, err)
	_, err = c.WebAPI.SubmitJob(context.Background(), smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "u", JobID: "twice", JobType: smileid.SmartSelfieRegistration},
		Images:        []smileid.Image{smileid.ImageBytes(smileid.ImageSelfieFile, "selfie.jpg", img), smileid.LivenessBase64("/9j/" + "AAAA")},
	})
	require.NoError(t, err)
	puts := srv.RequestsFor(smileid.OpUploadZip)
	require.Len(t, puts, 2, "the PUT was repeated")
	require.True(t, puts[0].BodyDropped, "the older PUT's body is dropped")
	require.False(t, puts[1].BodyDropped, "the newest PUT's body is kept")
	j, ok := srv.Job("twice")
	require.True(t, ok)
	got, ok := srv.Image("twice", "selfie.jpg")
	require.True(t, ok, "the images of the newest zip were dropped (Job.ImagesDropped=%v) while its body is kept", j.ImagesDropped)
	require.Equal(t, img, got)
}
