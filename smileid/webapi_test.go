package smileid_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestEveryJobTypeEndToEnd submits each job type against the fake (which validates every
// request against the spec and every zip against the job type's rules) and checks the
// signed result.
func TestEveryJobTypeEndToEnd(t *testing.T) {
	ctx := context.Background()
	entered := smileid.IDInfo{FirstName: "Joe", LastName: "Bloggs", Country: "NG", IDType: "BVN", IDNumber: "00000000000", DOB: "2000-09-20", Entered: smileid.EnteredTrue}
	status := smileid.JobOptions{ReturnJobStatus: true, ReturnHistory: true, ReturnImageLinks: true}
	cases := []struct {
		name    string
		job     smileid.Job
		code    string
		entries []string
	}{
		{"biometric kyc with id lookup", smileid.Job{PartnerParams: jobParams("1a", smileid.BiometricKYC), IDInfo: entered,
			Images: []smileid.Image{selfie, liveness}, Options: status}, "1210", []string{"info.json", "selfie.jpg", "liveness.jpg"}},
		{"biometric kyc with id card", smileid.Job{PartnerParams: jobParams("1b", smileid.BiometricKYC),
			Images: []smileid.Image{selfie, idCard, idBack}, Options: status}, "1210", []string{"info.json", "selfie.jpg", "id_card.jpg", "id_card_back.jpg"}},
		{"smartselfie registration", smileid.Job{PartnerParams: jobParams("4", smileid.SmartSelfieRegistration),
			Images: []smileid.Image{selfie, liveness}, Options: status}, "0810", []string{"info.json", "selfie.jpg", "liveness.jpg"}},
		{"smartselfie authentication", smileid.Job{PartnerParams: jobParams("2", smileid.SmartSelfieAuthentication),
			Images: []smileid.Image{selfie}, Options: status}, "1220", []string{"info.json", "selfie.jpg"}},
		{"document verification", smileid.Job{PartnerParams: jobParams("6", smileid.DocumentVerification), IDInfo: smileid.IDInfo{Country: "NG", IDType: "PASSPORT"},
			Images: []smileid.Image{selfie, idCard, idBack}, Options: status}, "0810", []string{"info.json", "selfie.jpg", "id_card.jpg", "id_card_back.jpg"}},
		{"document verification with the enrolled selfie", smileid.Job{PartnerParams: jobParams("6e", smileid.DocumentVerification), IDInfo: smileid.IDInfo{Country: "NG"},
			Images: []smileid.Image{idCard}, Options: smileid.JobOptions{ReturnJobStatus: true, ReturnHistory: true, ReturnImageLinks: true, UseEnrolledImage: true}}, "0810", []string{"info.json", "id_card.jpg"}},
		{"enhanced document verification", smileid.Job{PartnerParams: jobParams("11", smileid.EnhancedDocumentVerification), IDInfo: smileid.IDInfo{Country: "KE", IDType: "NATIONAL_ID"},
			Images: []smileid.Image{selfie, idCard}, Options: status}, "0900", []string{"info.json", "selfie.jpg", "id_card.jpg"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := fake(t, nil)
			res, err := c.WebAPI.SubmitJob(ctx, tc.job)
			require.NoError(t, err)
			require.NotEmpty(t, res.SmileJobID)
			st := res.Status
			require.NotNil(t, st)
			require.True(t, st.JobComplete)
			require.True(t, st.JobSuccess)
			require.Equal(t, "2302", st.SmileCode())
			result := st.LatestResult()
			require.NotNil(t, result)
			require.Equal(t, tc.code, result.ResultCode)
			require.Equal(t, tc.job.PartnerParams.JobID, result.PartnerParams.JobID)
			require.Len(t, st.History, 1)
			require.NotNil(t, st.ImageLinks)
			require.True(t, smileid.NewSignature(srv.PartnerID, srv.APIKey).Confirm(st.SignedTimestamp(), st.Signature))
			var raw map[string]any
			require.NoError(t, json.Unmarshal(st.Raw, &raw))
			require.Equal(t, true, raw["job_complete"])

			job, ok := srv.Job(tc.job.PartnerParams.JobID)
			require.True(t, ok)
			require.Empty(t, job.ZipProblem)
			require.Equal(t, tc.entries, job.ZipEntries, "info.json first, then every image file, liveness and ID back included")
			require.Equal(t, []smileid.Operation{smileid.OpUpload, smileid.OpUploadZip}, ops(srv)[len(ops(srv))-2-job.Polls:len(ops(srv))-job.Polls])
			for i, img := range job.Manifest.Images {
				if img.FileName != "" {
					require.Empty(t, img.Image, "image %d", i)
					require.NotContains(t, img.FileName, "/", "no local paths are sent")
				}
			}
		})
	}
}

// TestEveryImageType sends the eight image types, from files, bytes, readers and base64,
// and checks where each lands: file types in the zip (the same bytes) and base64 types in
// info.json.
func TestEveryImageType(t *testing.T) {
	srv, c := fake(t, nil)
	selfieBytes, cardBytes := readFixture(t, "selfie.jpg"), readFixture(t, "id_card.jpg")
	backBytes, liveBytes := readFixture(t, "id_card_back.jpg"), readFixture(t, "liveness.jpg")
	images := []smileid.Image{
		smileid.SelfieFile(fixtures + "selfie.jpg"),                             // 0
		smileid.ImageBytes(smileid.ImageIDCardFile, "card.jpg", cardBytes),      // 1
		smileid.SelfieBase64(base64.StdEncoding.EncodeToString(selfieBytes)),    // 2
		smileid.IDCardBase64(base64.StdEncoding.EncodeToString(cardBytes)),      // 3
		smileid.LivenessFile(fixtures + "liveness.jpg"),                         // 4
		smileid.IDCardBackFile(fixtures + "id_card_back.jpg"),                   // 5
		smileid.ImageFile(smileid.ImageLivenessBase64, fixtures+"liveness.jpg"), // 6, a file sent as base64
		smileid.ImageBytes(smileid.ImageIDCardBackBase64, "", backBytes),        // 7, bytes sent as base64
	}
	_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{
		PartnerParams: jobParams("img", smileid.BiometricKYC), Images: images, Options: smileid.JobOptions{ReturnJobStatus: true},
	})
	require.NoError(t, err)
	job, _ := srv.Job("job-img")
	require.Equal(t, []string{"info.json", "selfie.jpg", "card.jpg", "liveness.jpg", "id_card_back.jpg"}, job.ZipEntries)
	wantInline := map[int][]byte{2: selfieBytes, 3: cardBytes, 6: liveBytes, 7: backBytes}
	require.Len(t, job.Manifest.Images, 8)
	for i, img := range job.Manifest.Images {
		require.Equal(t, i, int(img.ImageTypeID))
		if want, ok := wantInline[i]; ok {
			require.Empty(t, img.FileName)
			got, err := base64.StdEncoding.DecodeString(img.Image)
			require.NoError(t, err)
			require.Equal(t, want, got, "image %d", i)
			continue
		}
		require.Empty(t, img.Image)
		got, ok := srv.Image("job-img", img.FileName)
		require.True(t, ok)
		require.Equal(t, map[int][]byte{0: selfieBytes, 1: cardBytes, 4: liveBytes, 5: backBytes}[i], got, "image %d", i)
	}
}

func TestSubmitWithCallbackOnly(t *testing.T) {
	received := make(chan *smileid.ConfirmedCallback, 1)
	srv := smileidtest.NewServer(t, smileidtest.WithCompletion(1, 10*time.Millisecond))
	var h http.Handler
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer receiver.Close()
	c, err := srv.NewClient(smileid.WithCallbackURL(receiver.URL + "/smile"))
	require.NoError(t, err)
	h = c.CallbackHandler(func(_ context.Context, cb *smileid.ConfirmedCallback) error {
		received <- cb
		return nil
	})
	pp := jobParams("cb", smileid.SmartSelfieRegistration)
	pp.Set("optional_info", "kept")
	res, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{PartnerParams: pp, Images: []smileid.Image{selfie}})
	require.NoError(t, err)
	require.Nil(t, res.Status, "no polling without ReturnJobStatus")
	require.Equal(t, []smileid.Operation{smileid.OpUpload, smileid.OpUploadZip}, ops(srv)[:2], "no services check: a SmartSelfie job has no ID to look up")
	select {
	case cb := <-received:
		require.Equal(t, "job-cb", cb.JobID)
		require.Equal(t, "user-cb", cb.UserID)
		require.Equal(t, "0810", cb.Result.ResultCode)
		require.Equal(t, []smileid.Operation{smileid.OpUpload, smileid.OpUploadZip, smileid.OpJobStatus}, ops(srv), "the callback was confirmed with the job's status")
		v, _ := cb.Result.PartnerParams.Get("optional_info")
		require.Equal(t, "kept", v)
	case <-time.After(5 * time.Second):
		t.Fatal("no callback")
	}
	var up map[string]any
	require.NoError(t, json.Unmarshal(srv.RequestsFor(smileid.OpUpload)[0].Body, &up))
	require.Equal(t, receiver.URL+"/smile", up["callback_url"])
}

// TestPollingOutcomes covers the end of polling: completion after pending polls, a typed
// timeout, bounded errors, bad signatures and the sandbox's rejected and provisional
// results.
func TestPollingOutcomes(t *testing.T) {
	ctx := context.Background()
	job := func(id string, sandbox string) smileid.Job {
		pp := jobParams(id, smileid.SmartSelfieRegistration)
		if sandbox != "" {
			pp.Set("sandbox_result", sandbox)
		}
		return smileid.Job{PartnerParams: pp, Images: []smileid.Image{selfie}, Options: smileid.JobOptions{ReturnJobStatus: true}}
	}

	t.Run("completes after pending polls", func(t *testing.T) {
		var events []smileid.PollEvent
		p := fastPoll
		p.OnPoll = func(e smileid.PollEvent) { events = append(events, e) }
		srv, c := fake(t, []smileidtest.Option{smileidtest.WithCompletion(3, time.Hour)}, smileid.WithPollPolicy(p))
		res, err := c.WebAPI.SubmitJob(ctx, job("p", ""))
		require.NoError(t, err)
		require.True(t, res.Status.JobComplete)
		require.Len(t, srv.RequestsFor(smileid.OpJobStatus), 4)
		require.Len(t, events, 4)
		require.False(t, events[0].Status.JobComplete)
		require.True(t, events[3].Status.JobComplete)
		var stamps []string
		for _, r := range srv.RequestsFor(smileid.OpJobStatus) {
			var b map[string]any
			require.NoError(t, json.Unmarshal(r.Body, &b))
			stamps = append(stamps, b["signature"].(string))
		}
		require.Len(t, dedupe(stamps), len(stamps), "every poll is signed afresh")
	})

	t.Run("times out with the last status", func(t *testing.T) {
		p := fastPoll
		p.MaxWait = 400 * time.Millisecond // well past one poll, even under -race on a busy machine
		srv, c := fake(t, []smileidtest.Option{smileidtest.WithCompletion(1000, time.Hour)}, smileid.WithPollPolicy(p))
		res, err := c.WebAPI.SubmitJob(ctx, job("t", ""))
		require.ErrorIs(t, err, smileid.ErrPollTimeout)
		var pte *smileid.PollTimeoutError
		require.ErrorAs(t, err, &pte)
		require.NotNil(t, pte.Last)
		require.False(t, pte.Last.JobComplete)
		// Polls counts the answered polls; one more may have reached the fake and been cut
		// off by the deadline.
		sent := len(srv.RequestsFor(smileid.OpJobStatus))
		require.True(t, sent == pte.Polls || sent == pte.Polls+1, "%d polls sent, %d counted", sent, pte.Polls)
		require.GreaterOrEqual(t, pte.Polls, 2)
		require.Nil(t, res)
		var je *smileid.JobError
		require.ErrorAs(t, err, &je, "the submitted job is reported in the error")
		require.Equal(t, srv.Jobs()[0].SmileJobID, je.SmileJobID)
		require.Equal(t, pte.SmileJobID, je.SmileJobID)
		require.Equal(t, "job-t", pte.JobID)
	})

	t.Run("gives up after consecutive failures", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpJobStatus, 100, smileidtest.Fault{Status: 500})
		_, err := c.WebAPI.SubmitJob(ctx, job("e", ""))
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, 500, apiErr.StatusCode)
		// MaxErrors (3) polls, each tried 1 + MaxRetries (2) times.
		require.Len(t, srv.RequestsFor(smileid.OpJobStatus), 9)
	})

	t.Run("bad signatures are failures", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpJobStatus, 100, smileidtest.Fault{BadSignature: true})
		_, err := c.WebAPI.SubmitJob(ctx, job("s", ""))
		require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
		require.Len(t, srv.RequestsFor(smileid.OpJobStatus), 3, "a bad signature is not retried within a poll")
	})

	t.Run("an error that repeating cannot fix stops at once", func(t *testing.T) {
		srv, c := fake(t, nil)
		_, err := c.WebAPI.PollJobStatus(ctx, smileid.JobStatusQuery{UserID: "nobody", JobID: "nothing"})
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, http.StatusNotFound, apiErr.StatusCode)
		require.Len(t, srv.RequestsFor(smileid.OpJobStatus), 1)
	})

	t.Run("a few failures are survived", func(t *testing.T) {
		srv, c := fake(t, nil)
		srv.InjectFault(smileid.OpJobStatus, 1, smileidtest.Fault{BadSignature: true})
		srv.InjectFault(smileid.OpJobStatus, 1, smileidtest.Fault{DropConnection: true})
		res, err := c.WebAPI.SubmitJob(ctx, job("f", ""))
		require.NoError(t, err)
		require.True(t, res.Status.JobComplete)
	})

	t.Run("rejected", func(t *testing.T) {
		_, c := fake(t, nil)
		res, err := c.WebAPI.SubmitJob(ctx, job("r", "1"))
		require.NoError(t, err, "a rejected job is a result, not an error")
		require.True(t, res.Status.JobComplete)
		require.False(t, res.Status.JobSuccess)
		require.Equal(t, smileid.ActionFailed, *res.Status.LatestResult().Actions.LivenessCheck)
	})

	t.Run("provisional", func(t *testing.T) {
		_, c := fake(t, nil)
		res, err := c.WebAPI.SubmitJob(ctx, job("v", "2"))
		require.NoError(t, err)
		require.Equal(t, "false", res.Status.LatestResult().IsFinalResult)
		require.Equal(t, smileid.ActionUnderReview, *res.Status.LatestResult().Actions.HumanReviewCompare)
	})

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p := fastPoll
		p.OnPoll = func(e smileid.PollEvent) {
			if e.Attempt == 2 {
				cancel()
			}
		}
		srv, c := fake(t, []smileidtest.Option{smileidtest.WithCompletion(1000, time.Hour)}, smileid.WithPollPolicy(p))
		_, err := c.WebAPI.SubmitJob(ctx, job("c", ""))
		require.ErrorIs(t, err, context.Canceled)
		require.Len(t, srv.RequestsFor(smileid.OpJobStatus), 2, "no poll after the context is done")
	})
}

func dedupe(ss []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// TestJobStatusAndPoll covers GetJobStatus (both groups), PollJobStatus and the job
// status' accessors.
func TestJobStatusAndPoll(t *testing.T) {
	ctx := context.Background()
	srv, c := fake(t, []smileidtest.Option{smileidtest.WithCompletion(2, time.Hour)})
	_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("q", smileid.SmartSelfieRegistration),
		Images: []smileid.Image{selfie}, Options: smileid.JobOptions{CallbackURL: "https://partner.example.com/cb"}})
	require.NoError(t, err)
	q := smileid.JobStatusQuery{UserID: "user-q", JobID: "job-q", History: true, ImageLinks: true}
	st, err := c.Utilities.GetJobStatus(ctx, q)
	require.NoError(t, err)
	require.False(t, st.JobComplete)
	st, err = c.WebAPI.PollJobStatus(ctx, q)
	require.NoError(t, err)
	require.True(t, st.JobComplete)
	require.Equal(t, "0810", st.LatestResult().ResultCode)
	require.Equal(t, "", st.Message())
	require.Contains(t, (*st.ImageLinks)["selfie_image"], "/images/")

	// A job whose zip never came: the result is a message.
	require.NoError(t, func() error {
		_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("nozip", smileid.SmartSelfieRegistration),
			Images: []smileid.Image{selfie}, Options: smileid.JobOptions{CallbackURL: "https://partner.example.com/cb"}})
		return err
	}())
	srv.InjectFault(smileid.OpUploadZip, 3, smileidtest.Fault{Status: 403, Body: "<Error><Code>AccessDenied</Code></Error>"})
	_, err = c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("lost", smileid.SmartSelfieRegistration),
		Images: []smileid.Image{selfie}, Options: smileid.JobOptions{CallbackURL: "https://partner.example.com/cb"}})
	var apiErr *smileid.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, smileid.OpUploadZip, apiErr.Operation)
	require.Equal(t, "AccessDenied", apiErr.Code)
	require.Len(t, srv.RequestsFor(smileid.OpUploadZip), 3, "a 403 is not retried")
	st, err = c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-lost", JobID: "job-lost"})
	require.NoError(t, err)
	require.Equal(t, "2314", st.SmileCode())
	require.Equal(t, "No zip file received", st.Message())
	require.Nil(t, st.LatestResult())

	// Unknown job, missing ids.
	_, err = c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "nobody", JobID: "nothing"})
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	_, err = c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "u"})
	var ve *smileid.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "job_id", ve.Field)
	_, err = c.WebAPI.PollJobStatus(ctx, smileid.JobStatusQuery{JobID: "j"})
	require.ErrorAs(t, err, &ve)
}

func TestDuplicateJobIsRefusedByTheServer(t *testing.T) {
	srv, c := fake(t, nil)
	job := smileid.Job{PartnerParams: jobParams("dup", smileid.SmartSelfieRegistration), Images: []smileid.Image{selfie},
		Options: smileid.JobOptions{CallbackURL: "https://partner.example.com/cb"}}
	_, err := c.WebAPI.SubmitJob(context.Background(), job)
	require.NoError(t, err)
	_, err = c.WebAPI.SubmitJob(context.Background(), job)
	var apiErr *smileid.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "2215", apiErr.Code)
	require.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	require.Contains(t, apiErr.Error(), "Job already exists")
	require.Len(t, srv.Jobs(), 1)
}

func TestWebToken(t *testing.T) {
	ctx := context.Background()
	srv, c := fake(t, nil, smileid.WithCallbackURL("https://partner.example.com/cb"))
	tok, err := c.WebAPI.GetWebToken(ctx, smileid.WebTokenRequest{UserID: "u", JobID: "j", Product: smileid.ProductBiometricKYC})
	require.NoError(t, err)
	require.NotEmpty(t, tok)
	var body map[string]any
	require.NoError(t, json.Unmarshal(srv.RequestsFor(smileid.OpToken)[0].Body, &body))
	require.Equal(t, "https://partner.example.com/cb", body["callback_url"], "the client's default callback")
	require.Equal(t, "biometric_kyc", body["product"])

	_, c2 := fake(t, nil)
	for _, tc := range []struct {
		r     smileid.WebTokenRequest
		field string
	}{
		{smileid.WebTokenRequest{JobID: "j", Product: "smartselfie", CallbackURL: "https://x.example"}, "user_id"},
		{smileid.WebTokenRequest{UserID: "u", Product: "smartselfie", CallbackURL: "https://x.example"}, "job_id"},
		{smileid.WebTokenRequest{UserID: "u", JobID: "j", CallbackURL: "https://x.example"}, "product"},
		{smileid.WebTokenRequest{UserID: "u", JobID: "j", Product: "smartselfie"}, "callback_url"},
		{smileid.WebTokenRequest{UserID: "u", JobID: "j", Product: "smartselfie", CallbackURL: "ftp://x.example"}, "callback_url"},
	} {
		_, err := c2.WebAPI.GetWebToken(ctx, tc.r)
		var ve *smileid.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, tc.field, ve.Field)
	}
	// The fake refuses an unknown product as the spec does.
	srv3, c3 := fake(t, []smileidtest.Option{smileidtest.AllowSpecViolations()})
	_, err = c3.WebAPI.GetWebToken(ctx, smileid.WebTokenRequest{UserID: "u", JobID: "j", Product: "no_such_product", CallbackURL: "https://x.example"})
	var apiErr *smileid.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Contains(t, srv3.Requests()[0].Problem, "product")
	require.True(t, errors.As(err, &apiErr))
}
