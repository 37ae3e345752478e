// Command document-verification runs a Document Verification job (job type 6): it checks
// that an ID document is genuine and that its photo matches a selfie. It submits the
// selfie and the document's front and back as image files, with the document's country
// and ID type, and waits for the result (ReturnJobStatus).
//
//	go run ./examples/document-verification
//	go run ./examples/document-verification -country KE -id-type NATIONAL_ID \
//		-selfie me.jpg -id-card front.jpg -id-card-back back.jpg
package main

import (
	"context"
	"flag"
	"io"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
)

func main() { exampleutil.Main("document-verification", run) }

func run(ctx context.Context, out io.Writer, getenv func(string) string, args []string, opts ...exampleutil.Option) error {
	fs := flag.NewFlagSet("document-verification", flag.ContinueOnError)
	images := exampleutil.AddImageFlags(fs, exampleutil.Selfie, exampleutil.IDCard, exampleutil.IDCardBack)
	country := fs.String("country", "NG", "the document's country (ISO 3166-1 alpha-2)")
	idType := fs.String("id-type", "DRIVERS_LICENSE", "the document type (see GET /valid_documents)")
	if err := exampleutil.ParseFlags(fs, args, out); err != nil {
		return err
	}

	sess, err := exampleutil.Connect(out, getenv, "Document Verification (job type 6)", opts...)
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
			JobType: smileid.DocumentVerification,
		},
		// Document Verification needs the country; the ID type is optional for job type 6
		// (Smile ID then classifies the document) and required for type 11.
		IDInfo:  smileid.IDInfo{Country: *country, IDType: *idType},
		Images:  imgs,
		Options: smileid.JobOptions{ReturnJobStatus: true},
	}
	sess.PrintJob(job.PartnerParams)
	sess.Field("Document", *country+" "+*idType)

	sess.Step("Submitting: prep upload, zip, upload, then job status until the job is complete...")
	res, err := sess.Client.WebAPI.SubmitJob(ctx, job)
	if err != nil {
		return exampleutil.SubmitError(job.PartnerParams, err)
	}
	sess.ReportStatus(res, smileid.DocumentVerification, exampleutil.HidePersonalInfo)
	return nil
}
