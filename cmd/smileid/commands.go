package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// writeJSON prints a JSON document on stdout, indented, with every "signature" value
// redacted (see redactSignatures) and control characters escaped.
func (e *env) writeJSON(v any) error { return e.writeJSONDoc(v, true) }

// writeJSONDoc prints a JSON document on stdout, indented; redact says whether to
// redact signatures (only sign prints one, its purpose).
func (e *env) writeJSONDoc(v any, redact bool) error {
	b, ok := v.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(v); err != nil {
			return failure("encoding the output: %v", err)
		}
	}
	if redact {
		b = redactSignatures(b)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		out.Reset()
		out.Write(stripControls(bytes.TrimSpace(b)))
	} else {
		// Control characters a server put in strings are printed escaped.
		clean := escapeJSONControls(out.Bytes())
		out.Reset()
		out.Write(clean)
	}
	out.WriteByte('\n')
	_, err := e.stdout.Write(out.Bytes())
	return err
}

// ---------------------------------------------------------------- sign, verify-signature

func cmdSign(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "sign", "[--timestamp T]")
	server := serverFlag(fs)
	ts := fs.String("timestamp", "", "sign `T` exactly as given (default: now, RFC 3339 UTC with milliseconds)")
	if err := fs.parse(args); err != nil {
		return err
	}
	given := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "timestamp" {
			given = true
		}
	})
	if given && *ts == "" {
		return usageError("--timestamp must not be empty")
	}
	sig, err := e.signer(*server)
	if err != nil {
		return err
	}
	var out struct {
		Timestamp string `json:"timestamp"`
		Signature string `json:"signature"`
	}
	if given {
		out.Timestamp, out.Signature = *ts, sig.Generate(*ts)
	} else {
		out.Timestamp, out.Signature = sig.Now()
	}
	return e.writeJSONDoc(out, false)
}

func cmdVerifySignature(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "verify-signature", "--timestamp T --signature S")
	server := serverFlag(fs)
	ts := fs.String("timestamp", "", "the timestamp `T` that was signed")
	signature := fs.String("signature", "", "the signature `S` to check")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := required(fs, "timestamp", "signature"); err != nil {
		return err
	}
	sig, err := e.signer(*server)
	if err != nil {
		return err
	}
	if !sig.Confirm(*ts, strings.TrimSpace(*signature)) {
		return failure("the signature does not match the timestamp and the partner's API key")
	}
	fmt.Fprintln(e.stdout, "signature valid")
	return nil
}

// ---------------------------------------------------------------- submit

func cmdSubmit(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "submit", "--job FILE")
	server := serverFlag(fs)
	jobPath := fs.String("job", "", "the job, a JSON `file` in the Python SDK's shape (- for stdin)")
	callbackURL := fs.String("callback-url", "", "the job's default callback `URL` (the job file's top-level callback_url; options.optional_callback wins)")
	async := fs.Bool("async", false, "send a job type 5 or 7 to the asynchronous ID API (options.async): the result goes to the callback")
	maxWait, interval := pollFlags(fs)
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := required(fs, "job"); err != nil {
		return err
	}
	var data []byte
	var err error
	dir := "."
	if *jobPath == "-" {
		data, err = io.ReadAll(io.LimitReader(e.stdin, 64<<20))
	} else {
		data, err = os.ReadFile(*jobPath)
		dir = filepath.Dir(*jobPath)
	}
	if err != nil {
		return usageError("reading the job file: %v", unwrapPathError(err))
	}
	pj, err := parseJobFile(data, dir, jobDefaults{callbackURL: *callbackURL, async: *async})
	if err != nil {
		return usageError("%s: %v", *jobPath, err)
	}
	switch pj.Job.PartnerParams.JobType {
	case smileid.AMLScreening:
		return usageError("%s: job type 10 (AML screening) has its own command: smileid aml (see smileid aml -h)", *jobPath)
	case smileid.AddressVerification:
		return usageError("%s: job type 12 (address verification) has its own command: smileid address (see smileid address -h)", *jobPath)
	}
	for _, n := range pj.Notes {
		fmt.Fprintf(e.stderr, "smileid submit: note: %s\n", n)
	}
	policy, err := e.pollPolicy(*maxWait, *interval)
	if err != nil {
		return err
	}
	client, done, err := e.client(*server, smileid.WithPollPolicy(policy))
	if err != nil {
		return err
	}
	defer done()

	job := pj.Job
	if pj.Async {
		if err := client.IDAPI.SubmitJobAsync(ctx, job.PartnerParams, job.IDInfo, job.Options.CallbackURL); err != nil {
			var ve *smileid.ValidationError
			if errors.As(err, &ve) && ve.Field == "callback_url" {
				return usageError("%s (in the job file: set callback_url or options.optional_callback, or pass --callback-url)", oneLine(err))
			}
			return err
		}
		fmt.Fprintf(e.stderr, "smileid submit: job %s accepted; its result goes to the callback URL\n", job.PartnerParams.JobID)
		return e.writeJSON(map[string]any{"success": true, "job_id": job.PartnerParams.JobID, "user_id": job.PartnerParams.UserID})
	}
	res, err := client.WebAPI.SubmitJob(ctx, job)
	var ve *smileid.ValidationError
	if errors.As(err, &ve) && ve.Field == "options" {
		return usageError("%s (in the job file: set options.return_job_status or options.optional_callback)", oneLine(err))
	}
	if err != nil {
		return err // a *smileid.JobError names a created job (job_id, SmileJobID) itself
	}
	switch {
	case res.Verification != nil:
		if err := e.writeJSON([]byte(res.Verification.Raw)); err != nil {
			return err
		}
		return verificationOutcome(job.PartnerParams.JobType, res.Verification)
	case res.Status != nil:
		if err := e.writeJSON([]byte(res.Status.Raw)); err != nil {
			return err
		}
		return statusOutcome(job.PartnerParams.JobID, res.Status)
	}
	return e.writeJSON(map[string]any{"success": true, "smile_job_id": res.SmileJobID})
}

// unwrapPathError drops the operation of an *os.PathError ("open x: no such file").
func unwrapPathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Path + ": " + pe.Err.Error()
	}
	return err.Error()
}

// statusOutcome is a failure when the job is complete without success.
func statusOutcome(jobID string, st *smileid.JobStatus) error {
	if st.JobComplete && !st.JobSuccess {
		return failure("job %s completed without success (job_success false%s)", jobID, resultText(st.LatestResult()))
	}
	return nil
}

// verificationOutcome is a failure when an ID API job did not verify the ID number (job
// type 5) or the business (7).
func verificationOutcome(jt smileid.JobType, v *smileid.Verification) error {
	if v.Actions == nil {
		return nil
	}
	action, name := v.Actions.VerifyIDNumber, "Verify_ID_Number"
	if jt == smileid.BusinessVerification {
		action, name = v.Actions.VerifyBusiness, "Verify_Business"
	}
	if action != nil && *action != smileid.ActionVerified {
		return failure("the job was not verified (%s %q%s)", name, string(*action), resultText(&v.JobResult))
	}
	return nil
}

// ---------------------------------------------------------------- status, wait

func jobFlags(fs *flagSet) (userID, jobID *string, history, images *bool) {
	userID = fs.String("user-id", "", "the job's partner_params.user_id")
	jobID = fs.String("job-id", "", "the job's partner_params.job_id")
	history = fs.Bool("history", false, "include the job's history")
	images = fs.Bool("images", false, "include links to the job's images")
	return
}

func cmdStatus(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "status", "--user-id U --job-id J [--history] [--images]")
	server := serverFlag(fs)
	userID, jobID, history, images := jobFlags(fs)
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := required(fs, "user-id", "job-id"); err != nil {
		return err
	}
	client, done, err := e.client(*server)
	if err != nil {
		return err
	}
	defer done()
	st, err := client.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: *userID, JobID: *jobID, History: *history, ImageLinks: *images})
	if err != nil {
		return err
	}
	if err := e.writeJSON([]byte(st.Raw)); err != nil {
		return err
	}
	if !st.JobComplete {
		fmt.Fprintf(e.stderr, "smileid status: job %s is not complete yet (code %s)\n", *jobID, st.SmileCode())
	}
	return statusOutcome(*jobID, st)
}

func cmdWait(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "wait", "--user-id U --job-id J [--history] [--images] [--max-wait D]")
	server := serverFlag(fs)
	userID, jobID, history, images := jobFlags(fs)
	maxWait, interval := pollFlags(fs)
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := required(fs, "user-id", "job-id"); err != nil {
		return err
	}
	policy, err := e.pollPolicy(*maxWait, *interval)
	if err != nil {
		return err
	}
	client, done, err := e.client(*server, smileid.WithPollPolicy(policy))
	if err != nil {
		return err
	}
	defer done()
	st, err := client.WebAPI.PollJobStatus(ctx, smileid.JobStatusQuery{UserID: *userID, JobID: *jobID, History: *history, ImageLinks: *images})
	if err != nil {
		return err
	}
	if err := e.writeJSON([]byte(st.Raw)); err != nil {
		return err
	}
	return statusOutcome(*jobID, st)
}

// ---------------------------------------------------------------- services, token

func cmdServices(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "services", "")
	server := serverFlag(fs)
	if err := fs.parse(args); err != nil {
		return err
	}
	client, done, err := e.client(*server)
	if err != nil {
		return err
	}
	defer done()
	doc, err := client.Utilities.GetServices(ctx)
	if err != nil {
		return err
	}
	return e.writeJSON(doc)
}

func cmdToken(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "token", "--user-id U --job-id J --product P [--callback-url URL]")
	server := serverFlag(fs)
	userID := fs.String("user-id", "", "the user's ID")
	jobID := fs.String("job-id", "", "the job's ID")
	product := fs.String("product", "", "the hosted web `product`: "+strings.Join(productNames(), ", "))
	callback := fs.String("callback-url", "", "where Smile ID POSTs the result (`URL`, https)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := required(fs, "user-id", "job-id", "product", "callback-url"); err != nil {
		return err
	}
	if !smileid.Product(*product).Valid() {
		return usageError("unknown product %q (want one of %s)", *product, strings.Join(productNames(), ", "))
	}
	client, done, err := e.client(*server)
	if err != nil {
		return err
	}
	defer done()
	token, err := client.WebAPI.GetWebToken(ctx, smileid.WebTokenRequest{
		UserID: *userID, JobID: *jobID, Product: smileid.Product(*product), CallbackURL: *callback,
	})
	if err != nil {
		return err
	}
	return e.writeJSON(map[string]string{"token": token})
}

func productNames() []string {
	var out []string
	for _, p := range []smileid.Product{
		smileid.ProductAuthentication, smileid.ProductBasicKYC, smileid.ProductSmartSelfie, smileid.ProductBiometricKYC,
		smileid.ProductEnhancedKYC, smileid.ProductDocVerification, smileid.ProductEKYCSmartSelfie,
		smileid.ProductIdentityVerification, smileid.ProductEnhancedDocumentVerification,
	} {
		out = append(out, string(p))
	}
	return out
}

// ---------------------------------------------------------------- verify-callback

func cmdVerifyCallback(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "verify-callback", "[--offline] < body.json")
	server := serverFlag(fs)
	offline := fs.Bool("offline", false, "only check the signature, without asking Smile ID (the body stays unauthenticated)")
	if err := fs.parse(args); err != nil {
		return err
	}
	sig, err := e.signer(*server)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(e.stdin, smileid.MaxCallbackSize+1))
	if err != nil {
		return usageError("reading the callback body from stdin: %v", err)
	}
	if len(body) > smileid.MaxCallbackSize {
		return usageError("the callback body is larger than %d bytes", smileid.MaxCallbackSize)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return usageError("no callback body on stdin")
	}
	// The signature first, offline: a body that fails it is refused without a request.
	// No age limit: this command checks callbacks after the fact.
	cb, err := sig.CheckCallbackSignature(body, smileid.WithoutCallbackAgeLimit())
	switch {
	case errors.Is(err, smileid.ErrSignatureMismatch):
		return failure("the callback's signature does not match the partner's API key: do not trust it")
	case err != nil:
		return usageError("%s", oneLine(err))
	}
	if *offline {
		// Print the result as received: the SDK's decoded JobResult drops fields it does
		// not model. A callback in the job status shape carries it under "result".
		result := json.RawMessage(body)
		if cb.Status != nil {
			var env struct {
				Result json.RawMessage `json:"result"`
			}
			if json.Unmarshal(body, &env) == nil && len(env.Result) > 0 {
				result = env.Result
			}
		}
		fmt.Fprintf(e.stderr, "smileid verify-callback: signature valid (job_id %q, user_id %q); the body is NOT authenticated (the signature covers only the timestamp): run without --offline to confirm it with Smile ID\n", cb.JobID(), cb.UserID())
		return e.writeJSON([]byte(result))
	}
	// The signature covers only the timestamp, not the body: confirm the claim with the
	// job's signed status from the API, and print that status, not the body.
	client, done, err := e.client(*server)
	if err != nil {
		return err
	}
	defer done()
	conf, err := client.ConfirmCallback(ctx, body, smileid.WithoutCallbackAgeLimit())
	var nc *smileid.CallbackNotConfirmedError
	switch {
	case errors.As(err, &nc) && nc.Pending:
		return failure("the job is not complete yet: the callback cannot be confirmed now (%s)", oneLine(err))
	case errors.As(err, &nc):
		return failure("Smile ID does not confirm this callback, do not trust it: %s", oneLine(err))
	case err != nil:
		return err
	}
	fmt.Fprintf(e.stderr, "smileid verify-callback: confirmed by the job's signed status from Smile ID (job_id %q, user_id %q); printing that status\n", conf.JobID, conf.UserID)
	return e.writeJSON([]byte(conf.Status.Raw))
}
