package smileid_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestUploadsThroughTheOwnTransport: jobs whose files are kept in memory, streamed from
// disk (too large to keep) or given as base64 reach the fake intact over TLS through the
// SDK's own transport (batched writes, files written from memory), and every buffer is
// given back.
func TestUploadsThroughTheOwnTransport(t *testing.T) {
	srv := smileidtest.NewServer(t)
	c, err := smileid.NewClient(srv.PartnerID, srv.APIKey, smileid.WithBaseURL(srv.URL), trustFake(srv),
		smileid.WithCallbackURL("https://127.0.0.1:9/cb"))
	require.NoError(t, err)
	selfie := readFixture(t, "selfie.jpg")
	file := func(name string, size int) (string, []byte) {
		b := append(append([]byte{}, selfie...), make([]byte, max(0, size-len(selfie)))...)
		for i := len(selfie); i < len(b); i++ {
			b[i] = byte(i * 7)
		}
		path := filepath.Join(t.TempDir(), name)
		require.NoError(t, os.WriteFile(path, b, 0o600))
		return path, b
	}
	for i, sizes := range [][2]int{
		{len(selfie), 1 << 20},                       // kept, kept
		{3<<20 + 1, smileid.MaxHeldImageForTest + 1}, // kept, streamed
		{9 << 20, 5 << 20},                           // streamed, streamed
	} {
		t.Run(fmt.Sprintf("%d and %d bytes", sizes[0], sizes[1]), func(t *testing.T) {
			selfiePath, selfieBytes := file("selfie.jpg", sizes[0])
			cardPath, cardBytes := file("card.jpg", sizes[1])
			jobID := fmt.Sprintf("own-transport-%d", i)
			_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{
				PartnerParams: smileid.PartnerParams{UserID: "u", JobID: jobID, JobType: smileid.BiometricKYC},
				IDInfo:        smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000", Entered: smileid.EnteredTrue},
				Images: []smileid.Image{smileid.SelfieFile(selfiePath), smileid.IDCardFile(cardPath),
					smileid.LivenessBase64(base64.StdEncoding.EncodeToString(selfie))},
			})
			require.NoError(t, err)
			for name, want := range map[string][]byte{"selfie.jpg": selfieBytes, "card.jpg": cardBytes} {
				got, ok := srv.Image(jobID, name)
				require.True(t, ok, name)
				require.Equal(t, want, got, name)
			}
			j, ok := srv.Job(jobID)
			require.True(t, ok)
			require.Empty(t, j.ZipProblem)
			// net/http may close the request body just after the round trip returned.
			require.Eventually(t, func() bool { return smileid.HeldBytesForTest() == 0 }, 5*time.Second, time.Millisecond, "every buffer given back")
		})
	}
}
