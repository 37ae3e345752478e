// Command smartselfie registers a user with SmartSelfie (job type 4: enrols their selfie
// after a liveness check), then authenticates the same user_id with a new selfie (job
// type 2: compares it with the enrolled one). Two jobs, two job IDs, one user ID. Each
// waits for its result (ReturnJobStatus).
//
// With -user-id it only authenticates that already registered user.
//
//	go run ./examples/smartselfie
//	go run ./examples/smartselfie -selfie me.jpg -liveness frame.jpg
package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
)

func main() { exampleutil.Main("smartselfie", run) }

func run(ctx context.Context, out io.Writer, getenv func(string) string, args []string, opts ...exampleutil.Option) error {
	fs := flag.NewFlagSet("smartselfie", flag.ContinueOnError)
	images := exampleutil.AddImageFlags(fs, exampleutil.Selfie, exampleutil.Liveness)
	existing := fs.String("user-id", "", "authenticate this already registered `user_id` instead of registering a new user first")
	if err := exampleutil.ParseFlags(fs, args, out); err != nil {
		return err
	}

	sess, err := exampleutil.Connect(out, getenv, "SmartSelfie registration (job type 4) then authentication (job type 2)", opts...)
	if err != nil {
		return err
	}
	defer sess.Close()
	imgs, err := sess.Images(images)
	if err != nil {
		return err
	}

	userID := *existing
	if userID == "" {
		userID = exampleutil.NewID("user")
		reg, err := submit(ctx, sess, "1. Registering the user (SmartSelfie registration, job type 4)...",
			smileid.PartnerParams{UserID: userID, JobID: exampleutil.NewID("job"), JobType: smileid.SmartSelfieRegistration}, imgs)
		if err != nil {
			return err
		}
		if !reg.Status.JobSuccess {
			sess.Finish("job status response", false)
			fmt.Fprintln(out, "The registration was not approved, so there is no one to authenticate.")
			return nil
		}
	}
	// In a real application the authentication selfie is a new capture; the example sends
	// the same images again.
	auth, err := submit(ctx, sess, "2. Authenticating the same user_id (SmartSelfie authentication, job type 2)...",
		smileid.PartnerParams{UserID: userID, JobID: exampleutil.NewID("job"), JobType: smileid.SmartSelfieAuthentication}, imgs)
	if err != nil {
		return err
	}

	sess.Finish("job status responses", auth.Status.JobSuccess)
	return nil
}

// submit runs one SmartSelfie job and prints its result.
func submit(ctx context.Context, sess *exampleutil.Session, step string, pp smileid.PartnerParams, imgs []smileid.Image) (*smileid.SubmitResult, error) {
	sess.Step("%s", step)
	sess.PrintJob(pp)
	res, err := sess.Client.WebAPI.SubmitJob(ctx, smileid.Job{
		PartnerParams: pp,
		Images:        imgs,
		Options:       smileid.JobOptions{ReturnJobStatus: true},
	})
	if err != nil {
		return nil, exampleutil.SubmitError(pp, err)
	}
	sess.PrintStatus("Result (SmileJobID "+res.SmileJobID+"):", res.Status, exampleutil.HidePersonalInfo)
	return res, nil
}
