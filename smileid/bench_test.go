package smileid_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// BenchmarkSubmitJob runs the whole Biometric KYC flow against the fake (which completes
// the job when its zip arrives): validation, image checks, prep upload, zip, upload, one
// poll with the signature verified. Most of the time is the fake's spec validation.
func BenchmarkSubmitJob(b *testing.B) {
	srv := smileidtest.NewServer(b, smileidtest.WithCompletion(0, 0))
	c, err := srv.NewClient(smileid.WithValidationAPI(false))
	if err != nil {
		b.Fatal(err)
	}
	info := smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000", Entered: smileid.EnteredTrue}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{
			PartnerParams: smileid.PartnerParams{UserID: "bench", JobID: fmt.Sprintf("bench-%d", i), JobType: smileid.BiometricKYC},
			IDInfo:        info,
			Images:        []smileid.Image{selfie, idCard, liveness},
			Options:       smileid.JobOptions{ReturnJobStatus: true},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
