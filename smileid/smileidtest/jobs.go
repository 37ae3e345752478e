package smileidtest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/smileidentity/smile-identity-core-go/generated"
	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// testPanicJobID, set by this package's tests only, is a job ID whose status makes the
// fake panic, to test its recovery.
var testPanicJobID string

// job is the fake's record of a job.
type job struct {
	Job
	uploadToken string
	timer       *time.Timer
	images      map[string][]byte // zip entries by name
	zips        int               // zips accepted: which one images came from (WithRetention)
	idInfo      generated.IDInfo
	useEnrolled bool
}

// Job is what the fake knows of a job.
type Job struct {
	SmileJobID    string
	PartnerParams generated.PartnerParams
	CallbackURL   string
	// Manifest is the info.json of the zip, once received.
	Manifest *generated.UploadManifest
	// ZipEntries are the names of the zip's entries, in order.
	ZipEntries []string
	// ZipProblem says why the fake refused the zip ("" when it was accepted). A refused
	// zip completes the job as failed, as Smile ID does.
	ZipProblem string
	// ImagesDropped says the zip's images (Image) and the manifest's base64 images were
	// dropped to keep within WithRetention.
	ImagesDropped bool
	// Polls counts the job status requests for the job.
	Polls int
	// Complete is true once the job has its result.
	Complete bool
	Result   *generated.JobResult
	Success  bool
}

// dropImages forgets the job's images (WithRetention) if they still are those of its
// zip number zip: a later zip's images stay until that zip's turn.
func (j *job) dropImages(zip int) {
	if zip != j.zips {
		return
	}
	j.images = nil
	if j.Manifest != nil {
		imgs := append([]generated.ManifestImage(nil), j.Manifest.Images...)
		for i := range imgs {
			imgs[i].Image = ""
		}
		m := *j.Manifest
		m.Images = imgs
		j.Manifest = &m
	}
	j.ImagesDropped = true
}

// Jobs returns every job, in creation order.
func (s *Server) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.jobs[id].Job)
	}
	return out
}

// Job returns the job of that partner_params.job_id.
func (s *Server) Job(jobID string) (Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[jobID]
	if !ok {
		return Job{}, false
	}
	return j.Job, true
}

// Image returns the bytes of a zip entry of a job.
func (s *Server) Image(jobID, name string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[jobID]
	if !ok {
		return nil, false
	}
	b, ok := j.images[name]
	return b, ok
}

// CallbackDelivery is a callback the fake POSTed.
type CallbackDelivery struct {
	URL        string
	JobID      string
	Body       []byte
	StatusCode int   // the receiver's answer; 0 if the POST failed
	Err        error // why the POST failed
}

// Callbacks returns the callbacks POSTed so far.
func (s *Server) Callbacks() []CallbackDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackDelivery(nil), s.callbacks...)
}

// WaitForCallbacks waits until n callbacks have been POSTed or ctx is done.
func (s *Server) WaitForCallbacks(ctx context.Context, n int) ([]CallbackDelivery, error) {
	for {
		if cbs := s.Callbacks(); len(cbs) >= n {
			return cbs, nil
		}
		select {
		case <-ctx.Done():
			return s.Callbacks(), ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (s *Server) upload(w http.ResponseWriter, body []byte) {
	var req generated.UploadRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody("2204", err.Error()))
		return
	}
	pp := req.PartnerParams
	if !uploadJob(pp.JobType) {
		writeJSON(w, http.StatusBadRequest, errorBody("2212", fmt.Sprintf("Invalid job type %d for this endpoint", int(pp.JobType))))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, exists := s.jobs[pp.JobID]
	switch {
	case exists && !(req.Retry != nil && *req.Retry && j.Manifest == nil):
		writeJSON(w, http.StatusBadRequest, errorBody("2215", "Job already exists. Did you mean to set the retry flag to true?"))
		return
	case !exists:
		s.nextJob++
		j = &job{Job: Job{SmileJobID: fmt.Sprintf("%010d", s.nextJob), PartnerParams: pp}}
		s.jobs[pp.JobID] = j
		s.order = append(s.order, pp.JobID)
	}
	if req.CallbackURL != nil {
		j.CallbackURL = *req.CallbackURL
	}
	j.useEnrolled = req.UseEnrolledImage != nil && *req.UseEnrolledImage
	j.uploadToken = randomToken()
	var code generated.SmileCode
	_ = code.FromSmileCodeText("2202")
	fileName := req.FileName
	if fileName == "" {
		fileName = "selfie.zip" // the Android SDK sends none
	}
	writeJSON(w, http.StatusOK, generated.UploadResponse{
		UploadURL:    fmt.Sprintf("%s/uploads/%s/%s?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=%s", s.baseHost(), j.SmileJobID, url.PathEscape(fileName), j.uploadToken),
		SmileJobID:   j.SmileJobID,
		RefID:        s.PartnerID + "-" + j.SmileJobID + "-" + j.uploadToken[:8],
		CameraConfig: ptr("null"),
		Code:         &code,
	})
}

// jobTypeUpdatePhoto is job type 8, "update the enrolled photo": an upload job with a
// selfie, defined by the Node, Python, Ruby and PHP SDKs (aml-address-codes.md §3).
const jobTypeUpdatePhoto generated.JobType = 8

func uploadJob(jt generated.JobType) bool {
	switch jt {
	case smileid.BiometricKYC, smileid.SmartSelfieAuthentication, smileid.SmartSelfieRegistration,
		smileid.DocumentVerification, smileid.EnhancedDocumentVerification, jobTypeUpdatePhoto:
		return true
	}
	return false
}

// s3Error answers like S3 does.
func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>smileidtest</RequestId></Error>`, code, msg)
}

// serveUpload is the presigned upload URL: it accepts the zip as S3 would (a known
// Content-Length, Content-Type application/zip, the token of the URL) and checks it.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	idx := s.record(Request{Op: smileid.OpUploadZip, Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Time: time.Now()})
	if readErr != nil {
		// The client stopped sending before Content-Length bytes came (S3 stores nothing
		// then): an aborted upload, not a zip to check.
		s.setProblem(idx, "upload aborted: the body ended early ("+oneLine(readErr)+")")
		s3Error(w, http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header")
		return
	}
	f, faulty := s.takeFault(smileid.OpUploadZip)
	if faulty && !f.AfterProcessing && s.applyFault(w, r, f, idx) {
		return
	}
	j := s.jobBySmileID(r.PathValue("job"))
	refuse := func(status int, code, msg string) {
		s.setProblem(idx, code+": "+msg)
		s3Error(w, status, code, msg)
	}
	switch {
	case j == nil || r.URL.Query().Get("X-Amz-Signature") != j.uploadToken:
		refuse(http.StatusForbidden, "AccessDenied", "Request has expired or the signature does not match")
		return
	case r.ContentLength < 0 || len(r.TransferEncoding) > 0:
		refuse(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented (Transfer-Encoding)")
		return
	case r.Header.Get("Content-Type") != "application/zip":
		refuse(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided (Content-Type must be application/zip)")
		return
	case r.Header.Get("Authorization") != "":
		refuse(http.StatusBadRequest, "InvalidArgument", "Only one auth mechanism allowed")
		return
	}
	problem := s.acceptZip(j, body)
	if problem != "" {
		s.setProblem(idx, "zip refused: "+problem)
		s.fail("the zip of job %s is refused: %s", j.PartnerParams.JobID, problem)
	}
	if faulty && f.AfterProcessing && s.applyFault(w, r, f, idx) {
		return
	}
	w.WriteHeader(http.StatusOK)
}

// jobBySmileID returns the job of a Smile job ID, nil if there is none.
func (s *Server) jobBySmileID(id string) *job {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		if j.SmileJobID == id {
			return j
		}
	}
	return nil
}

// acceptZip opens the zip, checks info.json and the images against the job type's rules,
// and schedules the job's completion. It returns why the zip is refused, "" if accepted.
func (s *Server) acceptZip(j *job, body []byte) string {
	problem, manifest, entries, images := s.checkZip(j, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	j.Manifest, j.ZipEntries, j.images, j.ZipProblem = manifest, entries, images, problem
	if manifest != nil {
		j.idInfo = manifest.IDInfo
	}
	j.zips++
	j.ImagesDropped = false
	if images != nil || manifest != nil {
		s.retainLocked(retainedItem{job: j, zip: j.zips, n: int64(len(body))}) // about its images and info.json
	}
	if problem != "" {
		s.completeLocked(j)
		return problem
	}
	if s.cfg.pollsBeforeDone <= 0 || s.cfg.completeAfter <= 0 {
		s.completeLocked(j)
		return ""
	}
	j.timer = time.AfterFunc(s.cfg.completeAfter, func() {
		s.safely("completing job "+j.SmileJobID, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if !s.closed {
				s.completeLocked(j)
			}
		})
	})
	return ""
}

func (s *Server) checkZip(j *job, body []byte) (problem string, m *generated.UploadManifest, entries []string, images map[string][]byte) {
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return "not a zip: " + err.Error(), nil, nil, nil
	}
	images = map[string][]byte{}
	dups := map[string]bool{}
	var info []byte
	total := 0
	for i, f := range zr.File {
		entries = append(entries, f.Name)
		rc, err := f.Open()
		if err != nil {
			return fmt.Sprintf("entry %q: %v", f.Name, err), nil, entries, nil
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxEntry+1))
		rc.Close()
		if err != nil {
			return fmt.Sprintf("entry %q: %v", f.Name, err), nil, entries, nil
		}
		if total += len(b); len(b) > maxEntry || total > maxZip {
			return fmt.Sprintf("entry %q: the zip expands beyond %d MB", f.Name, maxZip>>20), nil, entries, nil
		}
		switch {
		case i == 0 && f.Name == "info.json":
			info = b
		case f.Name == "info.json":
			return "info.json must be the first entry", nil, entries, nil
		default:
			if _, dup := images[f.Name]; dup {
				// Python's SDK writes one "base64imgString" entry per base64 image; Smile ID
				// ignores entries info.json does not name. A duplicate name info.json uses
				// is ambiguous: refused below.
				dups[f.Name] = true
			}
			images[f.Name] = b
		}
	}
	defer func() {
		if problem == "" && m != nil {
			problem = s.checkEntries(m, images, dups)
		}
	}()
	if info == nil {
		return "no info.json", nil, entries, nil
	}
	var raw any
	if err := json.Unmarshal(info, &raw); err != nil {
		return "info.json is not JSON: " + err.Error(), nil, entries, images
	}
	schema := s.doc.Components.Schemas["UploadManifest"].Value
	if err := schema.VisitJSON(raw, openapi3.MultiErrors()); err != nil {
		return "info.json breaks the UploadManifest schema: " + oneLine(err), nil, entries, images
	}
	m = new(generated.UploadManifest)
	if err := json.Unmarshal(canonical(info), m); err != nil {
		return "info.json: " + err.Error(), nil, entries, images
	}
	if problem := s.checkManifest(j, m, images); problem != "" {
		return problem, m, entries, images
	}
	return "", m, entries, images
}

// Limits of a zip's expanded size, as a zip bomb must not take the fake down.
const (
	maxEntry = 32 << 20
	maxZip   = 64 << 20
)

// checkEntries checks the zip's entries against info.json: a name info.json uses must be
// unique in the zip; entries it does not name are ignored, as Smile ID does (Python's
// base64imgString entries), unless the fake is Strict.
func (s *Server) checkEntries(m *generated.UploadManifest, images map[string][]byte, dups map[string]bool) string {
	named := map[string]bool{}
	for _, img := range m.Images {
		if img.FileName != "" {
			named[img.FileName] = true
			if dups[img.FileName] {
				return fmt.Sprintf("duplicate entry %q, named in info.json", img.FileName)
			}
		}
	}
	if s.cfg.strict {
		names := make([]string, 0, len(images))
		for name := range images {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			switch {
			case dups[name]:
				return fmt.Sprintf("duplicate entry %q (strict)", name)
			case !named[name]:
				return fmt.Sprintf("zip entry %q is not named in info.json (strict)", name)
			}
		}
	}
	return ""
}

var (
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	pngMagic  = []byte{0x89, 'P', 'N', 'G'}
)

func (s *Server) checkManifest(j *job, m *generated.UploadManifest, images map[string][]byte) string {
	mi := m.MiscInformation
	pp := j.PartnerParams
	switch {
	case mi.SmileClientID != s.PartnerID:
		return "misc_information.smile_client_id is not the partner's ID"
	case mi.PartnerParams.JobID != pp.JobID || mi.PartnerParams.UserID != pp.UserID || mi.PartnerParams.JobType != pp.JobType:
		return "misc_information.partner_params differ from the prep upload's"
	}
	referenced := map[string]bool{}
	has := map[generated.ImageType]bool{}
	for i, img := range m.Images {
		has[img.ImageTypeID] = true
		var data []byte
		switch img.ImageTypeID {
		case smileid.ImageSelfieFile, smileid.ImageIDCardFile, smileid.ImageLivenessFile, smileid.ImageIDCardBackFile:
			if img.FileName == "" || img.Image != "" {
				return fmt.Sprintf("images[%d]: a file type needs file_name and an empty image", i)
			}
			b, ok := images[img.FileName]
			if !ok {
				return fmt.Sprintf("images[%d]: %q is not in the zip", i, img.FileName)
			}
			referenced[img.FileName], data = true, b
		default:
			if img.Image == "" || img.FileName != "" {
				return fmt.Sprintf("images[%d]: a base64 type needs image and an empty file_name", i)
			}
			if strings.HasPrefix(img.Image, "data:") {
				return fmt.Sprintf("images[%d]: base64 with a data: prefix", i)
			}
			b, err := base64.StdEncoding.DecodeString(img.Image)
			if err != nil {
				return fmt.Sprintf("images[%d]: invalid base64", i)
			}
			data = b
		}
		if !bytes.HasPrefix(data, jpegMagic) && !bytes.HasPrefix(data, pngMagic) {
			return fmt.Sprintf("images[%d]: not a JPEG or PNG", i)
		}
	}
	selfie := has[smileid.ImageSelfieFile] || has[smileid.ImageSelfieBase64]
	idCard := has[smileid.ImageIDCardFile] || has[smileid.ImageIDCardBase64]
	docV := pp.JobType == smileid.DocumentVerification || pp.JobType == smileid.EnhancedDocumentVerification
	info := m.IDInfo
	switch {
	case !selfie && !(docV && j.useEnrolled):
		return "no selfie (image type 0 or 2)"
	case docV && !idCard:
		return "Document Verification without the document's front (image type 1 or 3)"
	case docV && info.Country == "":
		return "Document Verification without id_info.country"
	case pp.JobType == smileid.EnhancedDocumentVerification && info.IDType == "":
		return "Enhanced Document Verification without id_info.id_type"
	case pp.JobType == smileid.BiometricKYC && !idCard && info.Entered != smileid.EnteredTrue:
		return "Biometric KYC without an ID card image or an entered ID number"
	case info.Entered == smileid.EnteredTrue && (info.Country == "" || info.IDType == "" || info.IDNumber == ""):
		return "entered id_info without country, id_type and id_number"
	}
	return ""
}

func (s *Server) jobStatus(w http.ResponseWriter, body []byte) {
	var req generated.JobStatusRequest
	_ = json.Unmarshal(body, &req)
	resp, found := s.jobStatusResponse(req)
	if !found {
		writeJSON(w, http.StatusNotFound, errorBody("2213", "No job found for this user_id and job_id"))
		return
	}
	ts := s.stamp()
	_ = resp.Timestamp.FromTimestampText(ts)
	resp.Signature = s.sig.Generate(ts)
	writeJSON(w, http.StatusOK, resp)
}

// jobStatusResponse is a job's status, unsigned; false when there is no such job.
func (s *Server) jobStatusResponse(req generated.JobStatusRequest) (generated.JobStatusResponse, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if testPanicJobID != "" && req.JobID == testPanicJobID {
		panic("smileidtest: a panic on purpose, with the lock held")
	}
	j, ok := s.jobs[req.JobID]
	if !ok || j.PartnerParams.UserID != req.UserID {
		return generated.JobStatusResponse{}, false
	}
	j.Polls++
	if j.Manifest != nil && !j.Complete && j.Polls > s.cfg.pollsBeforeDone {
		s.completeLocked(j)
	}
	resp := generated.JobStatusResponse{JobComplete: j.Complete, JobSuccess: j.Success}
	var code generated.SmileCode
	switch {
	case j.Complete && j.Result != nil:
		// Every complete job answers with its result: an upload job's, or the stored
		// answer of an ID API (5, 7, sync or async) or AML job.
		_ = code.FromSmileCodeText("2302")
		resp.Result = &generated.JobStatusResult{}
		_ = resp.Result.FromJobResult(*j.Result)
		if wanted(req.History) {
			resp.History = []generated.JobResult{*j.Result}
		}
		if wanted(req.ImageLinks) {
			resp.ImageLinks = s.imageLinksLocked(j)
		}
	case j.Manifest == nil && j.ZipProblem == "":
		_ = code.FromSmileCodeText("2314")
		resp.Result = &generated.JobStatusResult{}
		_ = resp.Result.FromResultMessage("No zip file received")
	default:
		_ = code.FromSmileCodeText("2302")
	}
	resp.Code = &code
	return resp, true
}

// imageLinksLocked links the job's image files; a job without a manifest (its zip refused
// before info.json was read, or an ID API job) has none. s.mu is held.
func (s *Server) imageLinksLocked(j *job) *generated.ImageLinks {
	links := generated.ImageLinks{}
	if j.Manifest == nil {
		return &links
	}
	keys := map[generated.ImageType]string{
		smileid.ImageSelfieFile: "selfie_image", smileid.ImageIDCardFile: "id_card_image",
		smileid.ImageIDCardBackFile: "id_card_back_image", smileid.ImageLivenessFile: "liveness_image",
	}
	for _, img := range j.Manifest.Images {
		if key, ok := keys[img.ImageTypeID]; ok && img.FileName != "" {
			if _, seen := links[key]; !seen {
				links[key] = s.baseHost() + "/images/" + j.SmileJobID + "/" + img.FileName + "?X-Amz-Signature=" + j.uploadToken
			}
		}
	}
	return &links
}

// serveImage serves image links.
func (s *Server) serveImage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		if j.SmileJobID == r.PathValue("job") && r.URL.Query().Get("X-Amz-Signature") == j.uploadToken {
			if b, ok := j.images[r.PathValue("file")]; ok {
				w.Header().Set("Content-Type", "image/jpeg")
				_, _ = w.Write(b)
				return
			}
		}
	}
	s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
}

// completeLocked gives the job its result and sends its callback. s.mu is held.
func (s *Server) completeLocked(j *job) {
	if j.Complete {
		return
	}
	if j.timer != nil {
		j.timer.Stop()
	}
	j.Complete = true
	if j.ZipProblem != "" {
		j.Success = false
		j.Result = &generated.JobResult{
			ResultCode: "0903", ResultText: "Zip corrupt or invalid: " + j.ZipProblem,
			SmileJobID: j.SmileJobID, PartnerParams: resultParams(j.PartnerParams), Source: "smileidtest",
		}
	} else {
		j.Result, j.Success = imageJobResult(j)
	}
	if j.CallbackURL != "" {
		s.sendCallbackLocked(j.CallbackURL, j.PartnerParams.JobID, *j.Result)
	}
}

// sendCallbackLocked POSTs a signed result to url in the background. s.mu is held.
func (s *Server) sendCallbackLocked(url, jobID string, result generated.JobResult) {
	ts := s.stamp()
	result.Timestamp = &generated.ResponseTimestamp{}
	_ = result.Timestamp.FromTimestampText(ts)
	result.Signature = ptr(s.sig.Generate(ts))
	body, _ := json.Marshal(result)
	s.postCallbackLocked(url, jobID, body)
}

// loopbackOnly is the callback transport of a fake in a test (NewServer) without
// WithCallbackClient: tests stay off the network, so a callback to another host (an
// example's partner.example.com) fails at once and is recorded as failed.
var loopbackOnly = &http.Transport{
	DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("smileidtest: a fake in a test POSTs callbacks to loopback addresses only, not %s (see WithCallbackClient)", host)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	},
}

// sendJSONCallbackLocked signs a callback body that is not a plain job result (address
// verification's) and POSTs it in the background. s.mu is held.
func (s *Server) sendJSONCallbackLocked(url, jobID string, body map[string]any) {
	ts := s.stamp()
	body["timestamp"], body["signature"] = ts, s.sig.Generate(ts)
	b, _ := json.Marshal(body)
	s.postCallbackLocked(url, jobID, b)
}

// postCallbackLocked POSTs a callback body in the background and records the delivery.
// s.mu is held.
func (s *Server) postCallbackLocked(url, jobID string, body []byte) {
	hc := s.cfg.callbackClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
		if s.tb != nil {
			hc.Transport = loopbackOnly
		}
	}
	s.cbWG.Add(1)
	go s.safely("sending the callback of job "+jobID, func() {
		defer s.cbWG.Done()
		d := CallbackDelivery{URL: url, JobID: jobID, Body: body}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			var rsp *http.Response
			if rsp, err = hc.Do(req); err == nil {
				d.StatusCode = rsp.StatusCode
				_, _ = io.Copy(io.Discard, rsp.Body)
				rsp.Body.Close()
			}
		}
		d.Err = err
		s.mu.Lock()
		s.callbacks = append(s.callbacks, d)
		s.mu.Unlock()
	})
}

func (s *Server) idVerification(w http.ResponseWriter, body []byte, async bool) {
	var req generated.AsyncIDVerificationRequest
	_ = json.Unmarshal(body, &req)
	pp := req.PartnerParams
	var info generated.IDInfo
	_ = json.Unmarshal(body, &info)
	if pp.JobType != smileid.EnhancedKYC && pp.JobType != smileid.BusinessVerification {
		writeJSON(w, http.StatusBadRequest, errorBody("2212", "Invalid job type: use 5 for ID verification or 7 for business verification"))
		return
	}
	if info.IDNumber == "" {
		writeJSON(w, http.StatusBadRequest, errorBody("2213", "Missing parameter: id_number"))
		return
	}
	if pp.JobType == smileid.EnhancedKYC {
		if _, ok := s.cfg.services.IDTypes[info.Country][info.IDType]; !ok {
			writeJSON(w, http.StatusBadRequest, errorBody("2413", "Unsupported id_type "+info.IDType+" for country "+info.Country))
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.jobs[pp.JobID]; exists {
		writeJSON(w, http.StatusBadRequest, errorBody("2215", "Job already exists. Did you mean to set the retry flag to true?"))
		return
	}
	s.nextJob++
	j := &job{Job: Job{SmileJobID: fmt.Sprintf("%010d", s.nextJob), PartnerParams: pp, Complete: true}, idInfo: info}
	s.jobs[pp.JobID] = j
	s.order = append(s.order, pp.JobID)
	res, biz, ok := idResult(j)
	j.Result, j.Success = &res, ok
	if async {
		j.CallbackURL = req.CallbackURL
		s.sendCallbackLocked(req.CallbackURL, pp.JobID, res)
		writeJSON(w, http.StatusOK, generated.AsyncSubmitResponse{Success: true})
		return
	}
	ts := s.stamp()
	res.Timestamp = &generated.ResponseTimestamp{}
	_ = res.Timestamp.FromTimestampText(ts)
	res.Signature = ptr(s.sig.Generate(ts))
	if pp.JobType == smileid.BusinessVerification {
		out := generated.BusinessVerificationJobResult{}
		b, _ := json.Marshal(res)
		_ = json.Unmarshal(b, &out)
		b, _ = json.Marshal(biz)
		_ = json.Unmarshal(b, &out)
		writeJSON(w, http.StatusOK, out)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) token(w http.ResponseWriter, body []byte) {
	var req generated.TokenRequest
	_ = json.Unmarshal(body, &req)
	writeJSON(w, http.StatusOK, generated.TokenResponse{Success: ptr(true), Token: "smileidtest-token-" + randomToken()})
}

func ptr[T any](v T) *T { return &v }

// wanted reports whether a job status option is set (history, image_links).
func wanted(v bool) bool { return v }
