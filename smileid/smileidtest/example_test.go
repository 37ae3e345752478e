package smileidtest_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// A test runs its code against the fake and then looks at what the fake received. In a
// test, use smileidtest.NewServer(t): it closes the fake when the test ends and fails the
// test on a request that breaks the spec.
func ExampleStart() {
	srv, err := smileidtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.NewClient() // trusts the fake, polls every few milliseconds
	if err != nil {
		log.Fatal(err)
	}
	res, err := client.WebAPI.SubmitJob(context.Background(), smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "user-1", JobID: "job-1", JobType: smileid.SmartSelfieRegistration},
		Images:        []smileid.Image{smileid.SelfieFile("../../testdata/conformance/fixtures/selfie.jpg")},
		Options:       smileid.JobOptions{ReturnJobStatus: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("result:", res.Status.LatestResult().ResultCode, res.Status.LatestResult().ResultText)

	job, _ := srv.Job("job-1")
	fmt.Println("zip entries:", job.ZipEntries)
	fmt.Println("polls:", job.Polls)
	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.Op)
	}
	// Output:
	// result: 0810 Enroll User
	// zip entries: [info.json selfie.jpg]
	// polls: 2
	// POST upload
	// PUT upload_zip
	// POST job_status
	// POST job_status
}

// A fault with AfterProcessing loses the answer of a request the fake has processed: here
// the prep upload creates the job, and the connection drops before the answer. The SDK
// reports that the job may exist (it cannot know), and the partner's code must reconcile;
// the fake shows that the job does exist.
func ExampleServer_InjectFault_afterProcessing() {
	srv, err := smileidtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.NewClient(smileid.WithRetryPolicy(smileid.RetryPolicy{})) // no retries
	if err != nil {
		log.Fatal(err)
	}
	srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{AfterProcessing: true, DropConnection: true})

	_, err = client.WebAPI.SubmitJob(context.Background(), smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "user-1", JobID: "job-1", JobType: smileid.SmartSelfieRegistration},
		Images:        []smileid.Image{smileid.SelfieFile("../../testdata/conformance/fixtures/selfie.jpg")},
		Options:       smileid.JobOptions{ReturnJobStatus: true},
	})
	fmt.Println("job may exist:", errors.Is(err, smileid.ErrJobMayExist))
	_, exists := srv.Job("job-1")
	fmt.Println("job exists on the server:", exists)
	fmt.Println("what the fake did:", srv.RequestsFor(smileid.OpUpload)[0].Problem)
	// Output:
	// job may exist: true
	// job exists on the server: true
	// what the fake did: injected after processing: connection dropped
}

// Transient failures, then success: the SDK retries job status, and the test checks how
// many requests it took.
func ExampleServer_InjectFault() {
	srv, err := smileidtest.Start(smileidtest.WithCompletion(0, 0))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	_, err = client.WebAPI.SubmitJob(ctx, smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "user-1", JobID: "job-1", JobType: smileid.SmartSelfieRegistration},
		Images:        []smileid.Image{smileid.SelfieFile("../../testdata/conformance/fixtures/selfie.jpg")},
		Options:       smileid.JobOptions{ReturnJobStatus: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	srv.InjectFault(smileid.OpJobStatus, 2, smileidtest.Fault{Status: 503})
	st, err := client.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-1", JobID: "job-1"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("complete:", st.JobComplete, "success:", st.JobSuccess)
	for _, r := range srv.RequestsFor(smileid.OpJobStatus)[1:] { // after SubmitJob's poll
		fmt.Printf("job status: %q\n", r.Problem)
	}
	// Output:
	// complete: true success: true
	// job status: "injected: HTTP 503"
	// job status: "injected: HTTP 503"
	// job status: ""
}
