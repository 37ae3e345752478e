package smileid_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

func ExampleNewSignature() {
	sig := smileid.NewSignature("212", "oracle-api-key-3f1c9d2e-7a64-4b8e-9c51-2d0e8f6a1b73")
	s := sig.Generate("2024-01-01T00:00:00.000Z")
	fmt.Println(s)
	fmt.Println(sig.Confirm("2024-01-01T00:00:00.000Z", s))
	// Output:
	// W4xbxkl4kFGjTbiGeKf1l4BW1Mctbai6Zb9xEy3whJQ=
	// true
}

// Biometric KYC against the fake server of package smileidtest: prep upload, zip, upload
// and polling, with the result's signature verified.
func ExampleWebAPI_SubmitJob() {
	srv, err := smileidtest.Start(smileidtest.WithCompletion(0, 0))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := smileid.NewClient(srv.PartnerID, srv.APIKey, srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	res, err := client.WebAPI.SubmitJob(context.Background(), smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "user-0001", JobID: "job-0001", JobType: smileid.BiometricKYC},
		IDInfo: smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000",
			FirstName: "Joe", LastName: "Bloggs", Entered: smileid.EnteredTrue},
		Images: []smileid.Image{
			smileid.SelfieFile("../testdata/conformance/fixtures/selfie.jpg"),
			smileid.LivenessFile("../testdata/conformance/fixtures/liveness.jpg"),
		},
		Options: smileid.JobOptions{ReturnJobStatus: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	result := res.Status.LatestResult()
	fmt.Println(res.Status.JobComplete, res.Status.JobSuccess, result.ResultCode, result.ResultText)
	fmt.Println("Verify_ID_Number:", *result.Actions.VerifyIDNumber)
	// Output:
	// true true 1210 Enroll User
	// Verify_ID_Number: Verified
}

func ExampleIDAPI_SubmitJob() {
	srv, err := smileidtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	v, err := client.IDAPI.SubmitJob(context.Background(),
		smileid.PartnerParams{UserID: "user-0001", JobID: "job-0001", JobType: smileid.EnhancedKYC},
		smileid.IDInfo{Country: "NG", IDType: "NIN_V2", IDNumber: "00000000000", FirstName: "Joe", LastName: "Bloggs"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.ResultCode, v.ResultText, v.FullName)
	// Output:
	// 1012 ID Number Validated Joe Bloggs
}

func ExampleAPIError() {
	srv, err := smileidtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := smileid.NewClient(srv.PartnerID, "a-wrong-key", srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.Utilities.GetJobStatus(context.Background(), smileid.JobStatusQuery{UserID: "user-0001", JobID: "job-0001"})
	var apiErr *smileid.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Message)
	}
	// Output:
	// 401 2205 You are not authorized to do that.
}

func ExampleValidationError() {
	client, err := smileid.NewClient("212", "api-key")
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.WebAPI.SubmitJob(context.Background(), smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "user-0001", JobID: "job-0001", JobType: smileid.DocumentVerification},
		Images:        []smileid.Image{smileid.SelfieFile("../testdata/conformance/fixtures/selfie.jpg")},
		Options:       smileid.JobOptions{ReturnJobStatus: true},
	})
	var ve *smileid.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field)
		fmt.Println(err)
	}
	// Output:
	// images
	// smileid: invalid images: Document Verification needs the front of the ID document (image type 1 or 3)
}
