// Command job-status gets the status of a job with Utilities.GetJobStatus (POST
// /job_status, its signature verified) and, with -wait, polls it with
// WebAPI.PollJobStatus until the job is complete.
//
// Against a real server, name the job with -user-id and -job-id. The offline fake starts
// empty, so offline the example first submits a SmartSelfie registration without waiting
// for it (its result goes to a local callback receiver), then queries it: pending at
// first, then complete.
//
//	go run ./examples/job-status
//	SMILEID_PARTNER_ID=... SMILEID_API_KEY=... go run ./examples/job-status -user-id u-1 -job-id j-1 -history
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
)

func main() { exampleutil.Main("job-status", run) }

func run(ctx context.Context, out io.Writer, getenv func(string) string, args []string, opts ...exampleutil.Option) error {
	fs := flag.NewFlagSet("job-status", flag.ContinueOnError)
	var q smileid.JobStatusQuery
	fs.StringVar(&q.UserID, "user-id", "", "the job's `user_id` (required against a real server)")
	fs.StringVar(&q.JobID, "job-id", "", "the job's `job_id` (required against a real server)")
	fs.BoolVar(&q.History, "history", false, "include the job's history")
	fs.BoolVar(&q.ImageLinks, "image-links", false, "include links to the job's images (only their names are printed)")
	wait := fs.Bool("wait", false, "poll until the job is complete (always on offline)")
	if err := exampleutil.ParseFlags(fs, args, out); err != nil {
		return err
	}

	sess, err := exampleutil.Connect(out, getenv, "job status", opts...)
	if err != nil {
		return err
	}
	defer sess.Close()
	switch {
	case sess.Offline():
		if err := submitJobToQuery(ctx, sess, &q); err != nil {
			return err
		}
		*wait = true
	case q.UserID == "" || q.JobID == "":
		return errors.New("against a real server, name the job to query with -user-id and -job-id")
	}

	sess.Step("Utilities.GetJobStatus (POST /job_status) of job %s, user %s:", q.JobID, q.UserID)
	st, err := sess.Client.Utilities.GetJobStatus(ctx, q)
	if err != nil {
		return fmt.Errorf("job %s: %w", q.JobID, err)
	}
	sess.PrintStatus("Status:", st, exampleutil.HidePersonalInfo)
	if *wait && !st.JobComplete {
		sess.Step("WebAPI.PollJobStatus: polling until the job is complete...")
		if st, err = sess.Client.WebAPI.PollJobStatus(ctx, q); err != nil {
			return fmt.Errorf("job %s: %w", q.JobID, err)
		}
		sess.PrintStatus("Status:", st, exampleutil.HidePersonalInfo)
	}

	if st.JobComplete {
		sess.Finish("job status responses", st.JobSuccess)
		return nil
	}
	fmt.Fprintln(out)
	sess.PrintVerifiedSignature("job status response")
	sess.Field("Outcome", "pending: the job is not complete yet (run again, or with -wait)")
	sess.PrintElapsed()
	return nil
}

// submitJobToQuery submits a SmartSelfie registration to the offline fake without waiting
// for its result, which the fake POSTs to a local callback receiver.
func submitJobToQuery(ctx context.Context, sess *exampleutil.Session, q *smileid.JobStatusQuery) error {
	if q.UserID == "" {
		q.UserID = exampleutil.NewID("user")
	}
	if q.JobID == "" {
		q.JobID = exampleutil.NewID("job")
	}
	sess.Step("The fake starts empty: submitting a job to query (SmartSelfie registration, not waiting for it)")
	imgs, err := sess.SampleImages(exampleutil.Selfie, exampleutil.Liveness)
	if err != nil {
		return err
	}
	rcv, err := sess.StartReceiver("127.0.0.1:0")
	if err != nil {
		return err
	}
	pp := smileid.PartnerParams{UserID: q.UserID, JobID: q.JobID, JobType: smileid.SmartSelfieRegistration}
	res, err := sess.Client.WebAPI.SubmitJob(ctx, smileid.Job{
		PartnerParams: pp,
		Images:        imgs,
		// Without ReturnJobStatus, SubmitJob returns once the zip is uploaded, and Smile ID
		// POSTs the result to the callback URL.
		Options: smileid.JobOptions{CallbackURL: rcv.URL},
	})
	if err != nil {
		return exampleutil.SubmitError(pp, err)
	}
	sess.PrintJob(pp)
	sess.Field("Submitted", "SmileJobID "+res.SmileJobID+"; its callback goes to a local receiver")
	return nil
}
