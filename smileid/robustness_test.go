package smileid_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// idServer answers /v1/id_verification with status, content type and body.
func idServer(t *testing.T, status int, ctype, body string) *smileid.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := smileid.NewClient(confPartnerID, confAPIKey, smileid.WithBaseURL(srv.URL+"/v1"), smileid.WithValidationAPI(false))
	require.NoError(t, err)
	return c
}

func signedResult(t *testing.T, extra map[string]any) string {
	// Signed a second before the request: a server clock a little behind (an answer signed
	// long before its request is refused as a replay).
	ts := smileid.Timestamp(time.Now().Add(-time.Second))
	m := map[string]any{"ResultCode": "1012", "ResultText": "ID Number Validated", "FullName": "Joe Bloggs",
		"timestamp": ts, "signature": smileid.NewSignature(confPartnerID, confAPIKey).Generate(ts)}
	for k, v := range extra {
		m[k] = v
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// TestIDAPIAnswersAreCheckedAndNeverLost covers what a billed ID API answer can be: it is
// decoded whatever its Content-Type, kept (Raw) when it does not decode, refused when it is
// an error envelope or unsigned.
func TestIDAPIAnswersAreCheckedAndNeverLost(t *testing.T) {
	ctx := context.Background()
	pp := smileid.PartnerParams{UserID: "u", JobID: "j", JobType: smileid.EnhancedKYC}
	info := smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000"}

	for _, ctype := range []string{"application/json", "text/plain", ""} {
		v, err := idServer(t, 200, ctype, signedResult(t, nil)).IDAPI.SubmitJob(ctx, pp, info)
		require.NoError(t, err, "Content-Type %q", ctype)
		require.Equal(t, "Joe Bloggs", v.FullName)
	}

	drifted := signedResult(t, map[string]any{"IDNumberPreviouslyRegistered": "false", "Photo": strings.Repeat("A", 100<<10)})
	v, err := idServer(t, 200, "application/json", drifted).IDAPI.SubmitJob(ctx, pp, info)
	var apiErr *smileid.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 200, apiErr.StatusCode)
	require.Nil(t, v, "no result with an error")
	var je *smileid.JobError
	require.ErrorAs(t, err, &je, "the billed result is not lost: it travels in the error")
	require.Equal(t, drifted, string(je.Body), "the whole body is kept")
	require.Equal(t, pp.JobID, je.JobID)
	require.Equal(t, smileid.OpIDVerification, je.Stage)

	_, err = idServer(t, 200, "application/json", `{"code":"2213","error":"missing parameter"}`).IDAPI.SubmitJob(ctx, pp, info)
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "2213", apiErr.Code)
	require.Equal(t, "missing parameter", apiErr.Message)

	for _, body := range []string{
		`{"ResultCode":"1012","ResultText":"x","FullName":"Forged"}`,
		`{"ResultCode":"1012","ResultText":"x","FullName":"Forged","signature":"` + smileid.NewSignature(confPartnerID, confAPIKey).Generate("t") + `"}`,
		`{"ResultCode":"1012","ResultText":"x","FullName":"Forged","timestamp":"t"}`,
	} {
		v, err := idServer(t, 200, "application/json", body).IDAPI.SubmitJob(ctx, pp, info)
		require.ErrorIs(t, err, smileid.ErrSignatureMismatch, body)
		require.Nil(t, v)
	}
}

func TestRedirectsAreNotFollowedWithPersonalData(t *testing.T) {
	var stolen []string
	var mu sync.Mutex
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		stolen = append(stolen, string(b))
		mu.Unlock()
	}))
	defer thief.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, thief.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer api.Close()
	c, err := smileid.NewClient(confPartnerID, confAPIKey, smileid.WithBaseURL(api.URL+"/v1"), smileid.WithValidationAPI(false),
		smileid.WithHTTPClient(&http.Client{}))
	require.NoError(t, err)
	_, err = c.IDAPI.SubmitJob(context.Background(), smileid.PartnerParams{UserID: "u", JobID: "j", JobType: smileid.EnhancedKYC},
		smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "12345678901", FirstName: "Ada"})
	var apiErr *smileid.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode)
	mu.Lock()
	require.Empty(t, stolen, "the body never reaches the redirect's target")
	mu.Unlock()
}

func TestUploadRedirects(t *testing.T) {
	ctx := context.Background()
	job := smileid.Job{PartnerParams: jobParams("redir", smileid.SmartSelfieRegistration), Images: []smileid.Image{selfie},
		Options: smileid.JobOptions{CallbackURL: "https://partner.example.com/cb"}}

	// To https (S3's regional redirects): followed, with the whole zip.
	var final []byte
	s3 := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/upload":
			json.NewEncoder(w).Encode(map[string]any{"upload_url": "https://" + r.Host + "/us-east/selfie.zip?X-Amz-Signature=s", "smile_job_id": "0000000008", "code": "2202"})
		case "/us-east/selfie.zip":
			http.Redirect(w, r, "https://"+r.Host+"/eu-west/selfie.zip?X-Amz-Signature=s", http.StatusTemporaryRedirect)
		case "/eu-west/selfie.zip":
			final, _ = io.ReadAll(r.Body)
		}
	}))
	defer s3.Close()
	c, err := smileid.NewClient("212", "k", smileid.WithBaseURL(s3.URL+"/v1"), smileid.WithHTTPClient(s3.Client()))
	require.NoError(t, err)
	res, err := c.WebAPI.SubmitJob(ctx, job)
	require.NoError(t, err)
	require.Equal(t, "0000000008", res.SmileJobID)
	zr, err := zip.NewReader(bytes.NewReader(final), int64(len(final)))
	require.NoError(t, err, "the redirected upload carries the whole zip")
	require.Equal(t, "info.json", zr.File[0].Name)

	// To plain http: refused, not retried.
	var hits int
	var mu sync.Mutex
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
	}))
	defer plain.Close()
	redirecting := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/upload":
			json.NewEncoder(w).Encode(map[string]any{"upload_url": "https://" + r.Host + "/bucket/selfie.zip?X-Amz-Signature=s", "smile_job_id": "0000000009", "code": "2202"})
		default:
			http.Redirect(w, r, "http://partner.example.invalid/collect", http.StatusTemporaryRedirect)
		}
	}))
	defer redirecting.Close()
	c2, err := smileid.NewClient("212", "k", smileid.WithBaseURL(redirecting.URL+"/v1"), smileid.WithHTTPClient(redirecting.Client()),
		smileid.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	res, err = c2.WebAPI.SubmitJob(ctx, job)
	require.Error(t, err)
	require.Contains(t, err.Error(), "redirect")
	require.NotContains(t, err.Error(), "X-Amz-Signature=s")
	require.Nil(t, res)
	var je *smileid.JobError
	require.ErrorAs(t, err, &je)
	require.Equal(t, "0000000009", je.SmileJobID)
	require.Equal(t, smileid.OpUploadZip, je.Stage)
	require.Zero(t, hits)
}

func TestFailuresWithoutAnAnswerMayHaveCreatedTheJob(t *testing.T) {
	ctx := context.Background()
	srv, c := fake(t, nil, smileid.WithCallbackURL("https://partner.example.com/cb"))
	srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{DropConnection: true})
	_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("m", smileid.SmartSelfieRegistration), Images: []smileid.Image{selfie}})
	require.ErrorIs(t, err, smileid.ErrJobMayExist)
	srv.InjectFault(smileid.OpIDVerification, 1, smileidtest.Fault{DropConnection: true})
	_, err = c.IDAPI.SubmitJob(ctx, jobParams("n", smileid.EnhancedKYC), smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "1"})
	require.ErrorIs(t, err, smileid.ErrJobMayExist)
	srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{Status: 500})
	_, err = c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("o", smileid.SmartSelfieRegistration), Images: []smileid.Image{selfie}})
	require.ErrorIs(t, err, smileid.ErrJobMayExist, "a 500 may come after the job was created")
	srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{Status: 400})
	_, err = c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: jobParams("o2", smileid.SmartSelfieRegistration), Images: []smileid.Image{selfie}})
	require.NotErrorIs(t, err, smileid.ErrJobMayExist, "a 4xx says what happened")
	srv.InjectFault(smileid.OpJobStatus, 3, smileidtest.Fault{DropConnection: true})
	_, err = c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "u", JobID: "j"})
	require.NotErrorIs(t, err, smileid.ErrJobMayExist, "job status creates nothing")
}

func TestPollingStopsAtMaxWaitEvenWhenPollsHang(t *testing.T) {
	p := fastPoll
	p.MaxWait = 100 * time.Millisecond
	srv, c := fake(t, []smileidtest.Option{smileidtest.WithCompletion(1000, time.Hour)}, smileid.WithPollPolicy(p))
	srv.InjectFault(smileid.OpJobStatus, 100, smileidtest.Fault{Delay: time.Hour})
	_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{PartnerParams: jobParams("h", smileid.SmartSelfieRegistration),
		Images: []smileid.Image{selfie}, Options: smileid.JobOptions{ReturnJobStatus: true}})
	require.ErrorIs(t, err, smileid.ErrPollTimeout)
	require.Len(t, srv.RequestsFor(smileid.OpJobStatus), 1, "the hanging poll is cut off, not retried")
}

// TestConcurrentUse shares one client between goroutines (run with -race): the services
// document is fetched once.
func TestConcurrentUse(t *testing.T) {
	srv, c := fake(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := 0; i < 8; i++ {
		wg.Add(3)
		go func() {
			defer wg.Done()
			_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{PartnerParams: jobParams(fmt.Sprintf("c%d", i), smileid.BiometricKYC),
				IDInfo: smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000", Entered: smileid.EnteredTrue},
				Images: []smileid.Image{selfie, liveness}, Options: smileid.JobOptions{ReturnJobStatus: true}})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := c.IDAPI.SubmitJob(context.Background(), jobParams(fmt.Sprintf("i%d", i), smileid.EnhancedKYC),
				smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000"})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := c.Utilities.GetValidDocuments(context.Background())
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, srv.RequestsFor(smileid.OpServices), 1)
	require.Len(t, srv.Jobs(), 16)
}

func TestSignatureValueDoesNotPrintTheKey(t *testing.T) {
	s := smileid.NewSignature("212", "secret-api-key")
	for _, out := range []string{fmt.Sprintf("%v %+v %#v %s %x %q", *s, *s, *s, *s, *s, *s), fmt.Sprint(s), fmt.Sprintf("%#v", s)} {
		require.NotContains(t, out, "secret-api-key")
		require.NotContains(t, out, fmt.Sprintf("%x", "secret-api-key"))
		require.NotContains(t, out, "115 101 99") // the key's bytes
	}
}

func TestLongZipEntryNameIsRefused(t *testing.T) {
	srv, c := fake(t, nil)
	_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{PartnerParams: jobParams("l", smileid.SmartSelfieRegistration),
		Images:  []smileid.Image{smileid.ImageBytes(smileid.ImageSelfieFile, strings.Repeat("a", 300)+".jpg", readFixture(t, "selfie.jpg"))},
		Options: smileid.JobOptions{ReturnJobStatus: true}})
	var ve *smileid.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Empty(t, srv.Requests())
}
