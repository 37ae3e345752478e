package smileid_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// Receiving Smile ID's callbacks: the client's CallbackHandler checks each callback's
// signature, confirms it with the job's signed status from the API, and only then calls
// your function with that status. Here the fake server sends the callback of a job
// submitted without polling.
func ExampleClient_CallbackHandler() {
	srv, err := smileidtest.Start(smileidtest.WithCompletion(0, 0))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := smileid.NewClient(srv.PartnerID, srv.APIKey, srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}

	confirmed := make(chan *smileid.ConfirmedCallback, 1)
	handler := client.CallbackHandler(func(ctx context.Context, cb *smileid.ConfirmedCallback) error {
		// cb.Status is the job's status from the API, not the callback body.
		confirmed <- cb
		return nil
	})
	receiver := httptest.NewServer(handler) // in production: your https endpoint
	defer receiver.Close()

	_, err = client.WebAPI.SubmitJob(context.Background(), smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "user-0002", JobID: "job-0002", JobType: smileid.BiometricKYC},
		IDInfo: smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000",
			FirstName: "Joe", LastName: "Bloggs", Entered: smileid.EnteredTrue},
		Images:  []smileid.Image{smileid.SelfieFile("../testdata/conformance/fixtures/selfie.jpg")},
		Options: smileid.JobOptions{CallbackURL: receiver.URL + "/smile/callback"},
	})
	if err != nil {
		log.Fatal(err)
	}
	select {
	case cb := <-confirmed:
		d := smileid.DecideStatus(smileid.BiometricKYC, cb.Status)
		fmt.Println(cb.JobID, cb.Status.JobSuccess, cb.Result.ResultCode, d.Outcome)
	case <-time.After(30 * time.Second):
		fmt.Println("no callback")
	}
	// Output:
	// job-0002 true 1210 approved
}

// Deciding what a result means: only the ResultCodes Smile ID documents for the job's
// product decide; anything else is unknown, never approved.
func ExampleDecide() {
	for _, r := range []*smileid.JobResult{
		{ResultCode: "1012", ResultText: "ID Number Validated"},
		{ResultCode: "1013", ResultText: "Unable to validate ID"},
		{ResultCode: "1015", ResultText: "ID authority unavailable"},
		{ResultCode: "1099", ResultText: "Something new"},
	} {
		d := smileid.Decide(smileid.EnhancedKYC, r)
		fmt.Println(r.ResultCode, d.Outcome, d.Retryable)
	}
	// Output:
	// 1012 approved false
	// 1013 rejected false
	// 1015 error true
	// 1099 unknown false
}
