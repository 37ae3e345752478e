// Command biometric-kyc runs a Biometric KYC job (job type 1): it compares a selfie with
// the photo the ID authority holds for an ID number, checks liveness and returns the
// person's details. It submits image files (selfie, ID card front, a liveness frame) and
// ID information to look up (Entered: true), and asks the SDK to wait for the result:
// prep upload, zip, upload, then job status polled until the job is complete, its
// signature verified.
//
// Offline (SMILEID_PARTNER_ID and SMILEID_API_KEY unset) it runs against an in-process
// fake Smile ID server; with them set, against the sandbox (or SMILEID_SERVER).
//
//	go run ./examples/biometric-kyc
//	go run ./examples/biometric-kyc -selfie me.jpg -id-card card.jpg -liveness frame.jpg
package main

import (
	"context"
	"flag"
	"io"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
)

func main() { exampleutil.Main("biometric-kyc", run) }

func run(ctx context.Context, out io.Writer, getenv func(string) string, args []string, opts ...exampleutil.Option) error {
	fs := flag.NewFlagSet("biometric-kyc", flag.ContinueOnError)
	images := exampleutil.AddImageFlags(fs, exampleutil.Selfie, exampleutil.IDCard, exampleutil.Liveness)
	country := fs.String("country", "NG", "the ID's country (ISO 3166-1 alpha-2)")
	idType := fs.String("id-type", "BVN", "the ID type")
	idNumber := fs.String("id-number", "00000000000", "the ID number to look up (default: the sandbox's test number)")
	if err := exampleutil.ParseFlags(fs, args, out); err != nil {
		return err
	}

	sess, err := exampleutil.Connect(out, getenv, "Biometric KYC (job type 1)", opts...)
	if err != nil {
		return err
	}
	defer sess.Close()

	imgs, err := sess.Images(images)
	if err != nil {
		return err
	}
	job := smileid.Job{
		PartnerParams: smileid.PartnerParams{
			UserID:  exampleutil.NewID("user"),
			JobID:   exampleutil.NewID("job"),
			JobType: smileid.BiometricKYC,
		},
		IDInfo: smileid.IDInfo{
			Entered:            smileid.EnteredTrue, // look the ID number up with the ID authority
			Country:            *country,
			IDType:             *idType,
			IDNumber:           *idNumber,
			FirstName:          "John",
			LastName:           "Doe",
			DOB:                "1990-01-01",
			ConsentInformation: exampleutil.Consent(),
		},
		Images: imgs,
		Options: smileid.JobOptions{
			ReturnJobStatus:  true, // wait for the result instead of a callback
			ReturnHistory:    true,
			ReturnImageLinks: true,
		},
	}
	sess.PrintJob(job.PartnerParams)
	sess.Field("ID info", *country+" "+*idType+", entered: true, with names and date of birth (values not shown)")

	sess.Step("Submitting: prep upload, zip, upload, then job status until the job is complete...")
	res, err := sess.Client.WebAPI.SubmitJob(ctx, job)
	if err != nil {
		return exampleutil.SubmitError(job.PartnerParams, err)
	}

	sess.ReportStatus(res, smileid.BiometricKYC, exampleutil.HidePersonalInfo)
	return nil
}
