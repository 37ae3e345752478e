package smileid

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// Job is a job to submit: the partner params (with the job type), the ID information, the
// images and the options. Which fields a job needs depends on its type:
//
//   - 1 Biometric KYC: a selfie, and an ID card image or IDInfo with Entered: EnteredTrue
//     and the country, ID type and ID number to look up;
//   - 2 SmartSelfie Authentication and 4 SmartSelfie Registration: a selfie (liveness
//     frames recommended);
//   - 6 Document Verification: a selfie (or Options.UseEnrolledImage), the ID document's
//     front (and back when it has one) and IDInfo.Country; 11 Enhanced Document
//     Verification also needs IDInfo.IDType;
//   - 5 Enhanced KYC and 7 Business Verification: no images; IDInfo with the country, ID
//     type and ID number. They go to the ID API.
type Job struct {
	PartnerParams PartnerParams
	IDInfo        IDInfo
	Images        []Image
	Options       JobOptions
}

// JobOptions are a job's options (the other SDKs' options_params).
type JobOptions struct {
	// ReturnJobStatus makes SubmitJob poll until the job is complete and return its status.
	// Without it, a callback URL is required.
	ReturnJobStatus bool
	// ReturnHistory and ReturnImageLinks add the job's history and image links to the
	// status returned with ReturnJobStatus.
	ReturnHistory    bool
	ReturnImageLinks bool
	// UseEnrolledImage compares the document with the selfie already enrolled for the user
	// instead of a new selfie (job types 6 and 11 only).
	UseEnrolledImage bool
	// CallbackURL overrides the client's default callback URL for this job.
	CallbackURL string
	// SkipValidationAPI skips the check against the services document for this job (see
	// WithValidationAPI). Local checks always run.
	SkipValidationAPI bool
}

// SubmitResult is the outcome of WebAPI.SubmitJob.
type SubmitResult struct {
	// SmileJobID is Smile ID's number for the job; quote it in support requests.
	SmileJobID string
	// Status is the job's complete status, when Options.ReturnJobStatus was set.
	Status *JobStatus
	// Verification is the result of a job type 5 or 7, sent to the ID API.
	Verification *Verification
}

// uploadFileName is the name every SDK declares for the job's zip.
const uploadFileName = "selfie.zip"

// SubmitJob submits a job, as the other SDKs' WebApi.submit_job does. Image jobs (1, 2,
// 4, 6, 11) go through prep upload, then their zip (info.json and the image files) is
// uploaded to the presigned URL, then, with Options.ReturnJobStatus, the job's status is
// polled until it is complete. Job types 5 and 7 go to the ID API (IDAPI.SubmitJob).
// Call options change this call only: WithPolling, WithPollBudget, WithAttemptTimeout,
// WithRetry.
//
// Everything is checked before the first request: bad input is a *ValidationError and
// nothing is created on the server. Prep upload is retried only when that cannot create
// a second job (see RetryPolicy); the upload of the zip is retried (per WithRetry when it
// is given, as is the fetch of the services document). The result is nil whenever the
// error is not: an error once the job was created (or may have been: see ErrJobMayExist)
// is a *JobError naming it (user_id, job_id, SmileJobID, the stage that failed), so
// returning the error loses nothing. A job whose upload failed is resumed with ResumeJob.
func (w *WebAPI) SubmitJob(ctx context.Context, job Job, opts ...CallOption) (*SubmitResult, error) {
	cc, err := w.c.callConfig(opts)
	if err != nil {
		return nil, err
	}
	return w.submit(ctx, job, cc)
}

// ResumeJob finishes an image job whose submission failed after prep upload, or may have
// (a *JobError at stage OpUpload or OpUploadZip, ErrJobMayExist, or a duplicate-job refusal,
// IsDuplicateJob): pass it the same Job, with the same user_id and job_id. It is the
// reconciliation path of an interrupted submission, safe to call whatever happened:
//
//   - it first gets the job's status;
//   - a job Smile ID does not know (HTTP 404 from job status) was never created: it is
//     submitted as SubmitJob would;
//   - a job that awaits its zip (CodeNoZipReceived) is prepared again with prep upload's
//     retry flag set to true, as the official mobile SDKs resume a job, and its zip is
//     uploaded to the new presigned URL;
//   - a job whose zip arrived is not uploaded again: its SubmitResult has the status
//     received (polled to completion with Options.ReturnJobStatus).
//
// Job types 5 and 7 have no upload to resume: get their status instead.
func (w *WebAPI) ResumeJob(ctx context.Context, job Job, opts ...CallOption) (*SubmitResult, error) {
	c := w.c
	cc, err := c.callConfig(opts)
	if err != nil {
		return nil, err
	}
	if err := validatePartnerParams(job.PartnerParams); err != nil {
		return nil, err
	}
	if isIDAPIJob(job.PartnerParams.JobType) {
		return nil, invalid("partner_params.job_type", "job type %d goes to the ID API and has no upload to resume: get its status", int(job.PartnerParams.JobType))
	}
	q := JobStatusQuery{UserID: job.PartnerParams.UserID, JobID: job.PartnerParams.JobID,
		History: job.Options.ReturnHistory, ImageLinks: job.Options.ReturnImageLinks}
	st, err := c.getJobStatus(ctx, q, &cc)
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
		return w.submit(ctx, job, cc) // never created
	case err != nil:
		return nil, err
	case st.SmileCode() == CodeNoZipReceived:
		cc.resume = true
		return w.submit(ctx, job, cc)
	}
	res := &SubmitResult{SmileJobID: statusSmileJobID(st)}
	if st.JobComplete || !job.Options.ReturnJobStatus {
		res.Status = st
		return res, nil
	}
	st, err = c.poll(ctx, q, res.SmileJobID, cc)
	if err != nil {
		return nil, pollJobError(job.PartnerParams, res.SmileJobID, err)
	}
	res.Status = st
	return res, nil
}

// statusSmileJobID returns the SmileJobID of a status' latest result, "" when it has none.
func statusSmileJobID(st *JobStatus) string {
	if st == nil {
		return ""
	}
	if r := st.LatestResult(); r != nil {
		return r.SmileJobID
	}
	return ""
}

// pollJobError wraps a failed poll of a created job in a *JobError, with the last status'
// body when there is one.
func pollJobError(pp PartnerParams, smileJobID string, err error) error {
	var body []byte
	var pte *PollTimeoutError
	if errors.As(err, &pte) && pte.Last != nil {
		body = pte.Last.Raw
	}
	return jobError(pp, smileJobID, OpJobStatus, body, err)
}

func (w *WebAPI) submit(ctx context.Context, job Job, cc callConfig) (*SubmitResult, error) {
	c := w.c
	if err := validatePartnerParams(job.PartnerParams); err != nil {
		return nil, err
	}
	jt := job.PartnerParams.JobType
	if isIDAPIJob(jt) {
		if len(job.Images) > 0 {
			return nil, invalid("images", "job type %d goes to the ID API and takes no images", int(jt))
		}
		v, err := c.IDAPI.submit(ctx, job.PartnerParams, job.IDInfo, !job.Options.SkipValidationAPI, &cc)
		if err != nil {
			return nil, err
		}
		return &SubmitResult{SmileJobID: v.SmileJobID, Verification: v}, nil
	}
	if !isUploadJob(jt) {
		return nil, invalid("partner_params.job_type", "%d is not a job type SubmitJob runs", int(jt))
	}
	callback := job.Options.CallbackURL
	if callback == "" {
		callback = c.cfg.callbackURL
	}
	if err := validateImageJob(&job, callback); err != nil {
		return nil, err
	}
	images, err := prepareImages(ctx, job.Images)
	if err != nil {
		return nil, err
	}
	plan := &zipPlan{modTime: c.cfg.now()}
	for _, img := range images {
		if img.name != "" {
			plan.files = append(plan.files, img)
		}
	}
	defer plan.release()
	info := job.IDInfo
	if info.Entered == "" {
		info.Entered = EnteredFalse
	}
	if c.cfg.useValidationAPI && !job.Options.SkipValidationAPI {
		if err := c.checkServices(ctx, info, job.PartnerParams, &cc); err != nil {
			return nil, err
		}
	}
	// The zip has no zip64 records, so it must stay under 4 GiB and 65 535 entries; its
	// exact size is known only once prep upload answered (info.json repeats that answer,
	// which is capped at maxResponseBody). Checked here, with info.json as it will be but
	// for that answer, so that nothing is created for a job whose zip cannot be written.
	draft, err := manifest(c.sig.partnerID, job, info, images, callback, Timestamp(c.cfg.now()), []byte("{}"))
	if err != nil {
		return nil, err
	}
	plan.info = draft
	if err := plan.checkLimits(maxResponseBody); err != nil {
		return nil, err
	}

	pp := job.PartnerParams
	up, upRaw, ts, err := c.prepUpload(ctx, job, info, callback, &cc)
	if err != nil {
		var je *JobError
		if errors.Is(err, ErrJobMayExist) && !errors.As(err, &je) {
			err = jobError(pp, "", OpUpload, nil, err)
		}
		return nil, err
	}
	plan.info, err = manifest(c.sig.partnerID, job, info, images, callback, ts, upRaw)
	if err == nil && plan.size() > zipMaxSize {
		err = errors.New("smileid: the job's zip would exceed 4 GiB") // excluded above; never sent wrong
	}
	if err != nil {
		return nil, jobError(pp, up.SmileJobID, OpUploadZip, nil, err)
	}
	err = c.uploadZip(ctx, up.UploadURL, plan, &cc)
	plan.release() // the kept images, not while the job is polled (the deferred call is a no-op then)
	if err != nil {
		return nil, jobError(pp, up.SmileJobID, OpUploadZip, nil, err)
	}
	res := &SubmitResult{SmileJobID: up.SmileJobID}
	if !job.Options.ReturnJobStatus {
		return res, nil
	}
	st, err := c.poll(ctx, JobStatusQuery{
		UserID: pp.UserID, JobID: pp.JobID,
		History: job.Options.ReturnHistory, ImageLinks: job.Options.ReturnImageLinks,
	}, up.SmileJobID, cc)
	if err != nil {
		return nil, pollJobError(pp, up.SmileJobID, err)
	}
	res.Status = st
	return res, nil
}

// prepUpload registers the job (POST /upload), or with cc.resume re-opens the upload of
// an existing one (retry: true). It is signed afresh for each attempt and repeated only
// when that cannot create a second job (see do); it returns the timestamp of the attempt
// answered, which info.json repeats.
func (c *Client) prepUpload(ctx context.Context, job Job, info IDInfo, callback string, cc *callConfig) (*generated.UploadResponse, []byte, string, error) {
	var body generated.UploadRequest
	if err := remarshal(info, &body); err != nil {
		return nil, nil, "", err
	}
	body.SmileClientID = c.sig.partnerID
	body.PartnerParams = job.PartnerParams
	body.FileName = uploadFileName
	body.ModelParameters = map[string]any{}
	body.UseEnrolledImage = ptr(job.Options.UseEnrolledImage)
	body.SourceSDK, body.SourceSDKVersion = sdkFields()
	if callback != "" {
		body.CallbackURL = ptr(callback)
	}
	if cc.resume {
		body.Retry = ptr(true)
	}
	v, raw, err := do(ctx, c, call[generated.UploadResponse]{
		op: OpUpload, createsJob: true, cfg: cc,
		send: func(ctx context.Context) (*http.Response, error) {
			body.Timestamp, body.Signature = c.sign()
			return sendJSON(ctx, c.gen.UploadWithBody, body)
		},
	})
	switch {
	case err != nil && raw != nil:
		// Answered 2xx with a body that does not decode: the job may exist (ErrJobMayExist).
		return nil, nil, "", jobError(job.PartnerParams, answeredSmileJobID(raw), OpUpload, raw, err)
	case err != nil:
		return nil, nil, "", err
	case v.UploadURL == "" || v.SmileJobID == "":
		if refused := answeredRefusal(OpUpload, raw); refused != nil {
			return nil, nil, "", refused
		}
		return nil, nil, "", jobError(job.PartnerParams, v.SmileJobID, OpUpload, raw, &mayExistError{op: OpUpload, err: &APIError{
			Operation: OpUpload, StatusCode: http.StatusOK, Code: codeText(v.Code), Message: "the response has no upload_url or smile_job_id",
			Body: clipBytes(raw, maxErrorBody)}})
	}
	return v, raw, body.Timestamp, nil
}

// manifest builds info.json. Its server_information is the prep-upload response exactly as
// received, as the official Node SDK sends it. The document is the JSON encoding of a
// generated.UploadManifest holding the images (TestManifestIsTheEncodedStruct), built in
// pieces: the base64 images are not copied into it but written into the zip from the
// caller's strings, which prepareImage checked to hold only base64 characters (and line
// breaks, escaped here as encoding/json escapes them).
func manifest(partnerID string, job Job, info IDInfo, images []preparedImage, callback, ts string, upload []byte) (infoJSON, error) {
	m := generated.UploadManifest{
		PackageInformation: generated.PackageInformation{Language: SourceSDK},
		MiscInformation: generated.MiscInformation{
			Retry:         generated.MiscInformationRetryRetryFalse,
			PartnerParams: job.PartnerParams,
			Timestamp:     ts,
			FileName:      uploadFileName,
			SmileClientID: partnerID,
		},
		IDInfo: info,
	}
	m.PackageInformation.APIVersion.MajorVersion = 2
	if callback != "" {
		m.MiscInformation.CallbackURL = ptr(callback)
	}
	if err := m.ServerInformation.UnmarshalJSON(upload); err != nil {
		return infoJSON{}, err
	}
	// The members in the order encoding/json writes the struct's fields.
	var text []byte
	var cuts []int // text[cuts[i-1]:cuts[i]] comes before images[i]'s base64
	member := func(prefix string, v any) error {
		b, err := json.Marshal(v)
		text = append(append(text, prefix...), b...)
		return err
	}
	if err := member(`{"id_info":`, m.IDInfo); err != nil {
		return infoJSON{}, err
	}
	text = append(text, `,"images":[`...)
	var inline []string
	for i, img := range images {
		if i > 0 {
			text = append(text, ',')
		}
		b, err := json.Marshal(generated.ManifestImage{ImageTypeID: img.typ, FileName: img.name})
		if err != nil {
			return infoJSON{}, err
		}
		if img.base64 == "" {
			text = append(text, b...)
			continue
		}
		const empty = `"image":""`
		at := bytes.Index(b, []byte(empty)) + len(empty) - 1 // between the quotes
		text = append(text, b[:at]...)
		cuts = append(cuts, len(text))
		inline = append(inline, jsonBase64(img.base64))
		text = append(text, b[at:]...)
	}
	text = append(text, ']')
	if err := member(`,"misc_information":`, m.MiscInformation); err != nil {
		return infoJSON{}, err
	}
	if err := member(`,"package_information":`, m.PackageInformation); err != nil {
		return infoJSON{}, err
	}
	if err := member(`,"server_information":`, m.ServerInformation); err != nil {
		return infoJSON{}, err
	}
	text = append(text, '}')
	parts := make([]jsonPart, 0, 2*len(cuts)+1)
	prev := 0
	for i, cut := range cuts {
		parts = append(parts, jsonPart{b: text[prev:cut]}, jsonPart{s: inline[i]})
		prev = cut
	}
	parts = append(parts, jsonPart{b: text[prev:]})
	return newInfoJSON(parts), nil
}

// jsonBase64 returns checked base64 text as it is inside a JSON string: as it is, but for
// line breaks (which base64 decoders skip), escaped.
func jsonBase64(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}

// uploadZip PUTs the zip to the presigned URL with its exact Content-Length, streaming the
// images from their sources, and no SDK credentials. Retried per the call's RetryPolicy
// (WithRetry, else the client's): the PUT overwrites the same object. Each attempt is
// bounded by WithUploadTimeout.
func (c *Client) uploadZip(ctx context.Context, uploadURL string, plan *zipPlan, cc *callConfig) error {
	if _, err := checkURL("upload URL", uploadURL); err != nil {
		return &APIError{Operation: OpUploadZip, Message: "the prep upload returned an unusable upload URL: " + err.Error()}
	}
	size := plan.size()
	_, _, err := do(ctx, c, call[struct{}]{
		op: OpUploadZip, retryable: true, noBody: true, timeout: c.cfg.uploadTimeout, cfg: cc,
		send: func(ctx context.Context) (*http.Response, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPut, uploadURL, http.NoBody)
			if err != nil {
				return nil, errors.New("invalid upload URL")
			}
			req.Body = plan.body(ctx)
			req.GetBody = func() (io.ReadCloser, error) { return plan.body(ctx), nil }
			req.ContentLength = size
			req.Header.Set("Content-Type", "application/zip")
			req.Header.Set("User-Agent", c.ua)
			return c.hc.Do(req)
		},
	})
	return err
}

// remarshal copies src into dst through JSON: the ID API and prep-upload bodies carry the
// id_info fields at their top level.
func remarshal(src, dst any) error {
	b, err := json.Marshal(src)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// WebTokenRequest asks for a hosted web token.
type WebTokenRequest struct {
	UserID      string
	JobID       string
	Product     Product
	CallbackURL string // defaults to the client's callback URL; one of the two is required
}

// GetWebToken returns a token for Smile ID's hosted web integration (POST /token): a
// browser can then run one product for this user and job without the API key. Repeated
// only when that cannot create a second job or token (see RetryPolicy). Once the request
// was sent, an error is a refusal (an *APIError) or a *JobError at stage OpToken naming
// the user_id and job_id and matching ErrJobMayExist: a token may have been issued.
func (w *WebAPI) GetWebToken(ctx context.Context, r WebTokenRequest, opts ...CallOption) (string, error) {
	c := w.c
	cc, err := c.callConfig(opts)
	if err != nil {
		return "", err
	}
	callback := r.CallbackURL
	if callback == "" {
		callback = c.cfg.callbackURL
	}
	switch {
	case r.UserID == "":
		return "", invalid("user_id", "is required to get a web token")
	case r.JobID == "":
		return "", invalid("job_id", "is required to get a web token")
	case r.Product == "":
		return "", invalid("product", "is required to get a web token")
	case callback == "":
		return "", invalid("callback_url", "is required to get a web token (set it here or with WithCallbackURL)")
	}
	if err := checkID("user_id", r.UserID); err != nil {
		return "", err
	}
	if err := checkID("job_id", r.JobID); err != nil {
		return "", err
	}
	if _, err := checkURL("callback URL", callback); err != nil {
		return "", &ValidationError{Field: "callback_url", Reason: err.Error(), Err: err}
	}
	v, raw, err := do(ctx, c, call[generated.TokenResponse]{
		op: OpToken, createsJob: true, cfg: &cc,
		send: func(ctx context.Context) (*http.Response, error) {
			ts, sig := c.sign()
			return sendJSON(ctx, c.gen.TokenWithBody, generated.TokenRequest{
				PartnerID: c.sig.partnerID, Timestamp: ts, Signature: sig,
				UserID: r.UserID, JobID: r.JobID, Product: r.Product, CallbackURL: callback,
			})
		},
	})
	pp := PartnerParams{UserID: r.UserID, JobID: r.JobID}
	switch {
	case err != nil && raw != nil:
		// Answered 2xx with a body that does not decode: the token may have been issued.
		return "", jobError(pp, "", OpToken, raw, err)
	case errors.Is(err, ErrJobMayExist):
		return "", jobError(pp, "", OpToken, nil, err)
	case err != nil:
		return "", err
	case v.Token == "":
		if refused := answeredRefusal(OpToken, raw); refused != nil {
			return "", refused
		}
		return "", jobError(pp, "", OpToken, raw, &mayExistError{op: OpToken, err: &APIError{Operation: OpToken,
			StatusCode: http.StatusOK, Message: "the response has no token"}})
	}
	return v.Token, nil
}
