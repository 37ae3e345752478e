// Command enhanced-kyc verifies an ID number with the ID authority and returns the
// personal information on record (Enhanced KYC, job type 5, through the ID API, no
// images): first synchronously with IDAPI.SubmitJob, which returns the result, then
// asynchronously with IDAPI.SubmitJobAsync, whose result is POSTed to a callback URL.
//
// Offline, the callback goes to a local receiver (the client's CallbackHandler) that
// checks its signature and confirms it with the job's status. Against a real server the callback goes to SMILEID_CALLBACK_URL; without
// it the asynchronous part is skipped.
//
//	go run ./examples/enhanced-kyc
//	go run ./examples/enhanced-kyc -country KE -id-type NATIONAL_ID -id-number 00000000
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
)

func main() { exampleutil.Main("enhanced-kyc", run) }

func run(ctx context.Context, out io.Writer, getenv func(string) string, args []string, opts ...exampleutil.Option) error {
	fs := flag.NewFlagSet("enhanced-kyc", flag.ContinueOnError)
	country := fs.String("country", "NG", "the ID's country (ISO 3166-1 alpha-2)")
	idType := fs.String("id-type", "BVN", "the ID type")
	idNumber := fs.String("id-number", "00000000000", "the ID number to verify (default: the sandbox's test number)")
	async := fs.Bool("async", true, "also submit a job with SubmitJobAsync and receive its result by callback")
	if err := exampleutil.ParseFlags(fs, args, out); err != nil {
		return err
	}

	sess, err := exampleutil.Connect(out, getenv, "Enhanced KYC (job type 5) through the ID API", opts...)
	if err != nil {
		return err
	}
	defer sess.Close()
	info := smileid.IDInfo{Country: *country, IDType: *idType, IDNumber: *idNumber, ConsentInformation: exampleutil.Consent()}
	sess.Field("ID info", *country+" "+*idType+" (ID number not shown)")

	sess.Step("1. Synchronous: IDAPI.SubmitJob (POST /id_verification) returns the result")
	pp := smileid.PartnerParams{UserID: exampleutil.NewID("user"), JobID: exampleutil.NewID("job"), JobType: smileid.EnhancedKYC}
	sess.PrintJob(pp)
	v, err := sess.Client.IDAPI.SubmitJob(ctx, pp, info)
	if err != nil {
		return fmt.Errorf("job %s: %w", pp.JobID, err)
	}
	sess.PrintResult("Result:", &v.JobResult, exampleutil.ShowNameAndDOB)
	sess.PrintVerifiedSignature("ID API response")

	if *async {
		if err := submitAsync(ctx, sess, info); err != nil {
			return err
		}
	}
	fmt.Fprintln(out)
	sess.PrintElapsed()
	return nil
}

// submitAsync submits the job with SubmitJobAsync and, offline, waits for its callback.
func submitAsync(ctx context.Context, sess *exampleutil.Session, info smileid.IDInfo) error {
	sess.Step("2. Asynchronous: IDAPI.SubmitJobAsync (POST /async_id_verification); the result comes by callback")
	pp := smileid.PartnerParams{UserID: exampleutil.NewID("user"), JobID: exampleutil.NewID("job"), JobType: smileid.EnhancedKYC}
	sess.PrintJob(pp)
	var rcv *exampleutil.Receiver
	callbackURL := "" // "" uses the client's default: SMILEID_CALLBACK_URL
	switch {
	case sess.Offline():
		var err error
		if rcv, err = sess.StartReceiver("127.0.0.1:0"); err != nil {
			return err
		}
		callbackURL = rcv.URL
		sess.Field("Callback URL", rcv.URL+" (a local receiver: Client.CallbackHandler)")
	case sess.CallbackURL == "":
		sess.Field("Skipped", "set "+exampleutil.EnvCallbackURL+" to an https URL served by")
		sess.More("examples/callback-receiver -serve to submit asynchronously")
		return nil
	}

	if err := sess.Client.IDAPI.SubmitJobAsync(ctx, pp, info, callbackURL); err != nil {
		return fmt.Errorf("job %s: %w", pp.JobID, err)
	}
	sess.Field("Submitted", "accepted; Smile ID POSTs the result to the callback URL")
	if rcv == nil {
		sess.More("run examples/callback-receiver -serve behind " + exampleutil.EnvCallbackURL + " to see it verified")
		return nil
	}
	cb, err := rcv.WaitForJob(ctx, pp.JobID, 30*time.Second)
	if err != nil {
		return err
	}
	sess.PrintCallback("Callback (confirmed with Smile ID's job status by Client.CallbackHandler):", cb, exampleutil.ShowNameAndDOB)
	return nil
}
