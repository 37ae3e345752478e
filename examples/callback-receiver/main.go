// Command callback-receiver receives Smile ID's callbacks the recommended way, with the
// client's CallbackHandler. A callback's signature covers only its timestamp, never its
// body: anyone who saw one signed request of yours could forge a body with it. So the
// handler treats a callback as a notification: it checks the signature, then gets the
// job's signed status from Smile ID's API and hands your code that status, and only when
// it is complete with the outcome the callback claimed.
//
// Offline it shows the whole loop on this machine: it starts the fake and a receiver on a
// loopback port, shows that a callback signed with another key is refused, and that one
// carrying a genuine signature on a forged body is refused too, submits a job whose
// callback URL points at the receiver, prints the confirmed result, and exits.
//
// With -serve (and SMILEID_PARTNER_ID and SMILEID_API_KEY set: the API key checks the
// signatures and signs the job status requests) it keeps listening on -addr (default
// :8080) for real callbacks, printing each confirmed result, until interrupted. Smile ID needs an https URL that reaches it: put a TLS proxy or
// tunnel in front, and use its URL as SMILEID_CALLBACK_URL.
//
//	go run ./examples/callback-receiver
//	SMILEID_PARTNER_ID=... SMILEID_API_KEY=... go run ./examples/callback-receiver -serve -addr :8080
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
)

func main() { exampleutil.Main("callback-receiver", run) }

func run(ctx context.Context, out io.Writer, getenv func(string) string, args []string, opts ...exampleutil.Option) error {
	fs := flag.NewFlagSet("callback-receiver", flag.ContinueOnError)
	serve := fs.Bool("serve", false, "keep listening for Smile ID's callbacks until interrupted (needs "+exampleutil.EnvPartnerID+" and "+exampleutil.EnvAPIKey+")")
	addr := fs.String("addr", "", "the `address` to listen on (default: 127.0.0.1:0 offline, :8080 with -serve)")
	if err := exampleutil.ParseFlags(fs, args, out); err != nil {
		return err
	}
	if *serve && (getenv(exampleutil.EnvPartnerID) == "" || getenv(exampleutil.EnvAPIKey) == "") {
		return errors.New("-serve verifies callbacks with your API key: set " + exampleutil.EnvPartnerID + " and " + exampleutil.EnvAPIKey)
	}

	sess, err := exampleutil.Connect(out, getenv, "receiving Smile ID's callbacks, confirmed with the API (Client.CallbackHandler)", opts...)
	if err != nil {
		return err
	}
	defer sess.Close()
	if !sess.Offline() && !*serve {
		return errors.New("with credentials set, run with -serve to listen for Smile ID's callbacks (without them it runs an offline demo)")
	}
	if *serve {
		if *addr == "" {
			*addr = ":8080"
		}
		return serveCallbacks(ctx, sess, *addr)
	}
	if *addr == "" {
		*addr = "127.0.0.1:0"
	}
	return demo(ctx, sess, *addr)
}

// serveCallbacks prints every confirmed callback until ctx ends.
func serveCallbacks(ctx context.Context, sess *exampleutil.Session, addr string) error {
	rcv, err := sess.StartReceiver(addr)
	if err != nil {
		return err
	}
	sess.Field("Listening on", rcv.Addr)
	sess.Field("Path", exampleutil.CallbackPath+" (POST)")
	sess.More("Smile ID needs an https URL that reaches this path (put a TLS proxy or tunnel")
	sess.More("in front); use it as the callback URL of your jobs. A bad signature gets HTTP 401;")
	sess.More("a result Smile ID's job status does not confirm gets HTTP 409 and is not printed.")
	sess.More("Press Ctrl-C to stop.")
	for {
		cb, err := rcv.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				fmt.Fprintln(sess.Out, "\nStopped.")
				return nil
			}
			return err
		}
		sess.PrintCallback(fmt.Sprintf("Callback received at %s, confirmed with Smile ID, job_id %s:", time.Now().Format(time.TimeOnly), cb.JobID),
			cb, exampleutil.HidePersonalInfo)
	}
}

// demo runs the whole loop against the offline fake.
func demo(ctx context.Context, sess *exampleutil.Session, addr string) error {
	rcv, err := sess.StartReceiver(addr)
	if err != nil {
		return err
	}
	sess.Field("Receiver", rcv.URL)
	sess.More("Client.CallbackHandler checks each callback's signature, then confirms it")
	sess.More("with the job's signed status from Smile ID before your code sees it")

	sess.Step("1. A forged callback (signed with another API key) is refused:")
	status, err := postForgedCallback(ctx, rcv.URL, smileid.NewSignature(sess.Client.PartnerID(), "not-the-api-key"))
	if err != nil {
		return err
	}
	sess.Field("Receiver answered", fmt.Sprintf("HTTP %d %s", status, http.StatusText(status)))
	if status != http.StatusUnauthorized {
		return fmt.Errorf("the forged callback got HTTP %d, want 401", status)
	}

	sess.Step("2. A forged body carrying a genuine signature (as every request of yours does) is refused:")
	status, err = postForgedCallback(ctx, rcv.URL, sess.Client.Signature())
	if err != nil {
		return err
	}
	sess.Field("Receiver answered", fmt.Sprintf("HTTP %d %s (Smile ID does not confirm it)", status, http.StatusText(status)))
	if status != http.StatusConflict {
		return fmt.Errorf("the forged callback with a genuine signature got HTTP %d, want 409", status)
	}

	sess.Step("3. Submitting a SmartSelfie registration whose callback URL is the receiver's...")
	imgs, err := sess.SampleImages(exampleutil.Selfie, exampleutil.Liveness)
	if err != nil {
		return err
	}
	pp := smileid.PartnerParams{UserID: exampleutil.NewID("user"), JobID: exampleutil.NewID("job"), JobType: smileid.SmartSelfieRegistration}
	res, err := sess.Client.WebAPI.SubmitJob(ctx, smileid.Job{
		PartnerParams: pp,
		Images:        imgs,
		Options:       smileid.JobOptions{CallbackURL: rcv.URL}, // no ReturnJobStatus: the result comes by callback
	})
	if err != nil {
		return exampleutil.SubmitError(pp, res, err)
	}
	sess.PrintJob(pp)
	sess.Field("Submitted", "SmileJobID "+res.SmileJobID+"; waiting for its callback...")

	cb, err := rcv.WaitForJob(ctx, pp.JobID, 30*time.Second)
	if err != nil {
		return err
	}
	sess.PrintCallback("Callback received, confirmed with Smile ID's job status (Client.CallbackHandler):", cb, exampleutil.HidePersonalInfo)
	fmt.Fprintln(sess.Out)
	sess.PrintElapsed()
	return nil
}

// postForgedCallback POSTs an approval for a job that does not exist, with a timestamp
// and signature made by forger, to url and returns the HTTP status it gets.
func postForgedCallback(ctx context.Context, url string, forger *smileid.Signature) (int, error) {
	ts, sig := forger.Now()
	body, err := json.Marshal(map[string]any{
		"ResultCode": "1210", "ResultText": "Enroll User", "SmileJobID": "0000009999",
		"PartnerParams": map[string]any{"job_id": "forged-job", "user_id": "forged-user", "job_type": 1},
		"timestamp":     ts, "signature": sig,
	})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	rsp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("posting the forged callback: %w", err)
	}
	defer rsp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(rsp.Body, 1<<16))
	return rsp.StatusCode, nil
}
