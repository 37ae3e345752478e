package smileid_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// Call options change one call only: here this Document Verification may be polled for
// ten minutes, and each request attempt may take 90 s, on a client whose other calls keep
// their defaults. (Against the fake of package smileidtest, the job completes on its
// third poll.)
func ExampleWithPolling() {
	srv, err := smileidtest.Start(smileidtest.WithCompletion(2, time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := smileid.NewClient(srv.PartnerID, srv.APIKey, srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	job := smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "user-0002", JobID: "job-0002", JobType: smileid.DocumentVerification},
		IDInfo:        smileid.IDInfo{Country: "NG"},
		Images: []smileid.Image{
			smileid.SelfieFile("../testdata/conformance/fixtures/selfie.jpg"),
			smileid.IDCardFile("../testdata/conformance/fixtures/id_card.jpg"),
		},
		Options: smileid.JobOptions{ReturnJobStatus: true},
	}
	res, err := client.WebAPI.SubmitJob(context.Background(), job,
		smileid.WithPolling(smileid.PollPolicy{
			InitialInterval: 10 * time.Millisecond, // 5 * time.Second in production
			MaxInterval:     20 * time.Millisecond, // 30 * time.Second
			MaxWait:         10 * time.Minute,
			MaxErrors:       5,
		}),
		smileid.WithAttemptTimeout(90*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("complete:", res.Status.JobComplete, "polls:", len(srv.RequestsFor(smileid.OpJobStatus)))
	// Output:
	// complete: true polls: 3
}

// When the zip upload fails after prep upload created the job, the error names the job
// (a *JobError); ResumeJob finishes it: prep upload again with the retry flag, then the
// upload, under the same job_id.
func ExampleWebAPI_ResumeJob() {
	srv, err := smileidtest.Start(smileidtest.WithCompletion(0, 0))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := smileid.NewClient(srv.PartnerID, srv.APIKey, srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	// The presigned URL refuses the zip once.
	srv.InjectFault(smileid.OpUploadZip, 1, smileidtest.Fault{Status: 403,
		Body: "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"})

	ctx := context.Background()
	job := smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "user-0003", JobID: "job-0003", JobType: smileid.SmartSelfieRegistration},
		Images:        []smileid.Image{smileid.SelfieFile("../testdata/conformance/fixtures/selfie.jpg")},
		Options:       smileid.JobOptions{ReturnJobStatus: true},
	}
	_, err = client.WebAPI.SubmitJob(ctx, job)
	var je *smileid.JobError
	if errors.As(err, &je) {
		fmt.Println("failed at", je.Stage, "for job", je.JobID, "SmileJobID", je.SmileJobID)
	}
	_, err = client.WebAPI.SubmitJob(ctx, job)
	fmt.Println("resubmitted as new, a duplicate:", smileid.IsDuplicateJob(err))

	res, err := client.WebAPI.ResumeJob(ctx, job)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("resumed:", res.SmileJobID, res.Status.JobComplete, res.Status.JobSuccess)
	// Output:
	// failed at upload_zip for job job-0003 SmileJobID 0000000001
	// resubmitted as new, a duplicate: true
	// resumed: 0000000001 true true
}
