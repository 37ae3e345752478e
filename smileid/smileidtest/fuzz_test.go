package smileidtest_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// fuzzPaths are the operations FuzzFakeRequests sends to, by index.
var fuzzPaths = []struct{ method, path, partnerField string }{
	{"POST", "/upload", "smile_client_id"},
	{"POST", "/job_status", "partner_id"},
	{"POST", "/id_verification", "partner_id"},
	{"POST", "/async_id_verification", "partner_id"},
	{"POST", "/business_verification", "partner_id"},
	{"POST", "/async_business_verification", "partner_id"},
	{"POST", "/token", "partner_id"},
	{"GET", "/services", ""},
	{"POST", "/valid_documents", "partner_id"},
	{"POST", "/aml", "partner_id"},
	{"POST", "/async-verify-address", ""},
	{"POST", "/nope", "partner_id"},
}

// zipOf builds a zip: info.json first, then the named entries.
func zipOf(info []byte, entries ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("info.json")
	_, _ = w.Write(info)
	for i := 0; i+1 < len(entries); i += 2 {
		w, _ := zw.Create(entries[i])
		_, _ = io.WriteString(w, entries[i+1])
	}
	_ = zw.Close()
	return buf.Bytes()
}

// FuzzFakeRequests sends random requests (signed or not) to every operation of the fake,
// and for prep uploads it accepts, a random zip (or a zip around a random info.json),
// then polls the job with history and image links. The fake must answer every request
// without an internal error (a panic, or an answer that breaks the spec) and within a
// few seconds: a crash or a lock left held would show here.
//
//	go test ./smileid/smileidtest -run '^$' -fuzz FuzzFakeRequests -fuzztime 1m
func FuzzFakeRequests(f *testing.F) {
	selfie, err := os.ReadFile(fixtures + "selfie.jpg")
	if err != nil {
		f.Fatal(err)
	}
	info := func(jobType int, images string, idInfo string) []byte {
		return []byte(`{"package_information":{"apiVersion":{"buildNumber":0,"majorVersion":2,"minorVersion":0},"language":"go"},` +
			`"misc_information":{"retry":"false","partner_params":{"user_id":"u","job_id":"JOB","job_type":` + fmt.Sprint(jobType) + `},` +
			`"timestamp":"2026-01-01T00:00:00.000Z","file_name":"selfie.zip","smile_client_id":"212"},` +
			`"id_info":` + idInfo + `,"images":` + images + `,"server_information":"x"}`)
	}
	f.Add(uint8(0), []byte(`{"file_name":"selfie.zip","model_parameters":{},"partner_params":{"user_id":"u","job_id":"j","job_type":4}}`), true,
		info(4, `[{"image_type_id":0,"image":"","file_name":"selfie.jpg"}]`, `{}`))
	f.Add(uint8(0), []byte(`{"file_name":"selfie.zip","model_parameters":{},"callback_url":null,"partner_params":{"user_id":"u","job_id":"j","job_type":1}}`), true,
		info(1, `[{"image_type_id":0,"image":"","file_name":"selfie.jpg"},{"image_type_id":2,"image":"/9j/Z","file_name":""}]`,
			`{"country":"NG","id_type":"BVN","id_number":"00000000000","entered":true,"dob":null}`))
	f.Add(uint8(0), []byte(`{"file_name":"selfie.zip","model_parameters":{},"partner_params":{"user_id":"u","job_id":"j","job_type":6}}`), true,
		zipOf(info(6, `[{"image_type_id":0,"image":"","file_name":"selfie.jpg"},{"image_type_id":1,"image":"","file_name":"missing.jpg"}]`, `{"country":"KE"}`),
			"selfie.jpg", string(selfie), "base64imgString", "Z", "base64imgString", "Z"))
	f.Add(uint8(0), []byte(`{"file_name":"selfie.zip","model_parameters":{},"partner_params":{"user_id":"u","job_id":"j","job_type":4}}`), true, []byte("PK\x03\x04garbage"))
	f.Add(uint8(1), []byte(`{"user_id":"u","job_id":"j","history":null}`), true, []byte(nil))
	f.Add(uint8(1), []byte(`{"user_id":"u","job_id":"j","history":true,"image_links":true}`), false, []byte(nil))
	f.Add(uint8(2), []byte(`{"partner_params":{"user_id":"u","job_id":"j","job_type":"5"},"country":"NG","id_type":"BVN","id_number":"00000000000","entered":true}`), true, []byte(nil))
	f.Add(uint8(3), []byte(`{"partner_params":{"user_id":"u","job_id":"j","job_type":5},"country":"NG","id_type":"BVN","id_number":"1","callback_url":"https://127.0.0.1:1/cb"}`), true, []byte(nil))
	f.Add(uint8(4), []byte(`{"partner_params":{"user_id":"u","job_id":"j","job_type":7},"country":"NG","id_type":"BUSINESS_REGISTRATION","id_number":"0"}`), true, []byte(nil))
	f.Add(uint8(6), []byte(`{"user_id":"u","job_id":"j","product":"biometric_kyc","callback_url":"https://127.0.0.1:1/cb"}`), true, []byte(nil))
	f.Add(uint8(7), []byte(nil), false, []byte(nil))
	f.Add(uint8(8), []byte(`{}`), true, []byte(nil))
	f.Add(uint8(9), []byte(`{"user_id":"u","job_id":"j","full_name":"John Doe","countries":["NG"],"birth_year":"1960"}`), true, []byte(nil))
	f.Add(uint8(10), []byte(`{"country":"NG","address":"1 Road","utility_number":"0000000000","utility_provider":"IKEDC","callback_url":"https://127.0.0.1:1/cb"}`), true, []byte(nil))
	f.Add(uint8(11), []byte(`[[[[[`), false, []byte(nil))

	// Callbacks go nowhere: the fuzzer writes their URLs.
	nowhere := &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no callbacks while fuzzing")
	}}}
	var mu sync.Mutex
	var internal []string
	srv, err := smileidtest.Start(smileidtest.WithCompletion(1, time.Hour), smileidtest.WithCallbackClient(nowhere),
		smileidtest.WithLogf(func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			internal = append(internal, fmt.Sprintf(format, args...))
		}))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	hc := srv.Client()
	hc.Timeout = 10 * time.Second
	sig := smileid.NewSignature(srv.PartnerID, srv.APIKey)
	var seq atomic.Int64

	f.Fuzz(func(t *testing.T, opIndex uint8, body []byte, sign bool, zipBody []byte) {
		op := fuzzPaths[int(opIndex)%len(fuzzPaths)]
		jobID := fmt.Sprintf("fz-%d", seq.Add(1))
		// Signed requests get past authentication; a job ID of their own keeps them from
		// colliding (2215) with earlier inputs.
		var obj map[string]any
		if sign && json.Unmarshal(body, &obj) == nil && obj != nil {
			ts, s := sig.Now()
			if op.partnerField != "" {
				obj[op.partnerField] = srv.PartnerID
			}
			obj["timestamp"], obj["signature"] = ts, s
			if pp, ok := obj["partner_params"].(map[string]any); ok {
				pp["job_id"] = jobID
			} else if _, ok := obj["job_id"]; ok && op.path != "/job_status" {
				obj["job_id"] = jobID
			}
			body, _ = json.Marshal(obj)
		}
		req, err := http.NewRequest(op.method, srv.URL+op.path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if op.path == "/async-verify-address" && sign {
			ts, s := sig.Now()
			req.Header.Set("smileid-partner-id", srv.PartnerID)
			req.Header.Set("smileid-timestamp", ts)
			req.Header.Set("smileid-request-signature", s)
		}
		status, answer := do(t, hc, req)
		if status == http.StatusInternalServerError {
			t.Fatalf("%s %s: HTTP 500: %s", op.method, op.path, answer)
		}
		var up struct {
			UploadURL string `json:"upload_url"`
		}
		if op.path == "/upload" && status == 200 && json.Unmarshal(answer, &up) == nil && up.UploadURL != "" {
			z := zipBody
			if !bytes.HasPrefix(z, []byte("PK")) {
				z = zipOf(bytes.ReplaceAll(z, []byte("JOB"), []byte(jobID)), "selfie.jpg", string(selfie), "base64imgString", "Z")
			}
			put, err := http.NewRequest(http.MethodPut, up.UploadURL, bytes.NewReader(z))
			if err != nil {
				t.Fatal(err)
			}
			put.Header.Set("Content-Type", "application/zip")
			if status, answer := do(t, hc, put); status != http.StatusOK {
				t.Fatalf("PUT of the zip: HTTP %d: %s", status, answer)
			}
			for i := 0; i < 2; i++ {
				ts, s := sig.Now()
				poll, _ := json.Marshal(map[string]any{"partner_id": srv.PartnerID, "timestamp": ts, "signature": s,
					"user_id": obj["partner_params"].(map[string]any)["user_id"], "job_id": jobID, "history": true, "image_links": true})
				preq, _ := http.NewRequest(http.MethodPost, srv.URL+"/job_status", bytes.NewReader(poll))
				preq.Header.Set("Content-Type", "application/json")
				if status, answer := do(t, hc, preq); status == http.StatusInternalServerError {
					t.Fatalf("job status after the zip: HTTP 500: %s", answer)
				}
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(internal) > 0 {
			t.Fatalf("the fake reported an internal error: %s", strings.Join(internal, "\n"))
		}
	})
}

// do sends a request and returns the status and body; a transport error (a hang, a
// dropped connection) fails the test.
func do(t *testing.T, hc *http.Client, req *http.Request) (int, []byte) {
	t.Helper()
	rsp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer rsp.Body.Close()
	b, _ := io.ReadAll(rsp.Body)
	return rsp.StatusCode, b
}
