package smileid_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// The inputs of every recorded scenario (testdata/conformance/README.md).
const (
	confPartnerID = "212"
	confAPIKey    = "oracle-api-key-3f1c9d2e-7a64-4b8e-9c51-2d0e8f6a1b73"
	confCallback  = "https://partner.example.invalid/smile/callback"
	fixtures      = "../testdata/conformance/fixtures/"
)

// recorded is one request of the official Node SDK.
type recorded struct {
	Scenario string         `json:"scenario"`
	Method   string         `json:"method"`
	Path     string         `json:"path"`
	Body     map[string]any `json:"body"`
	Zip      *struct {
		Entries []struct {
			Name     string         `json:"name"`
			Method   string         `json:"method"`
			Size     int            `json:"size"`
			SHA256   string         `json:"sha256"`
			InfoJSON map[string]any `json:"info_json"`
		} `json:"entries"`
	} `json:"zip"`
}

func recordings(t *testing.T) map[string][]recorded {
	t.Helper()
	f, err := os.Open("../testdata/conformance/node-sdk-requests.jsonl")
	require.NoError(t, err)
	defer f.Close()
	out := map[string][]recorded{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r recorded
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		out[r.Scenario] = append(out[r.Scenario], r)
	}
	require.NoError(t, sc.Err())
	return out
}

// captured is one request the Go SDK sent to the recording server.
type captured struct {
	method, path string
	header       http.Header
	body         []byte
}

// recorder answers like the mock the Node SDK was recorded against, and keeps what it
// receives.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []captured
	sig  *smileid.Signature
}

// The mock's prep-upload answer; its upload_url points back at the recorder.
const mockUploadPath = "/upload-bucket/job-0001.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=mock"

func newRecorder(t *testing.T) *recorder {
	rec := &recorder{sig: smileid.NewSignature(confPartnerID, confAPIKey)}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, captured{r.Method, r.URL.Path, r.Header.Clone(), body})
		rec.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		ts := smileid.Timestamp(time.Now().Add(time.Second)) // the server's own clock, never the request's timestamp
		switch r.URL.Path {
		case "/v1/upload":
			json.NewEncoder(w).Encode(map[string]any{
				"upload_url": rec.URL + mockUploadPath, "ref_id": "ref-job-0001",
				"smile_job_id": "0000001111", "camera_config": "null", "code": "2202",
			})
		case "/upload-bucket/job-0001.zip":
			w.WriteHeader(http.StatusOK)
		case "/v1/job_status":
			json.NewEncoder(w).Encode(map[string]any{
				"job_complete": true, "job_success": true, "code": "2302", "timestamp": ts, "signature": rec.sig.Generate(ts),
				"result": map[string]any{"ResultCode": "1210", "ResultText": "Enroll User", "SmileJobID": "0000001111"},
			})
		case "/v1/token":
			json.NewEncoder(w).Encode(map[string]any{"success": true, "token": "mock-token"})
		case "/v1/id_verification":
			json.NewEncoder(w).Encode(map[string]any{
				"ResultCode": "1012", "ResultText": "ID Number Validated", "SmileJobID": "0000001111",
				"timestamp": ts, "signature": rec.sig.Generate(ts),
			})
		default:
			http.Error(w, `{"code":"2213","error":"unexpected"}`, http.StatusNotFound)
		}
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *recorder) captured() []captured {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]captured(nil), rec.reqs...)
}

func (rec *recorder) client(t *testing.T) *smileid.Client {
	c, err := smileid.NewClient(confPartnerID, confAPIKey, smileid.WithBaseURL(rec.URL+"/v1"),
		smileid.WithCallbackURL(confCallback), smileid.WithValidationAPI(false))
	require.NoError(t, err)
	return c
}

// Inputs of the scenarios.
func bkycInfo() smileid.IDInfo {
	return smileid.IDInfo{FirstName: "Joe", MiddleName: "Leo", LastName: "Bloggs", Country: "NG", IDType: "BVN",
		IDNumber: "00000000000", DOB: "2000-09-20", PhoneNumber: "0123456789", Entered: smileid.EnteredTrue}
}

func ekycInfo() smileid.IDInfo {
	info := bkycInfo()
	info.Entered = ""
	return info
}

func params(jt smileid.JobType) smileid.PartnerParams {
	return smileid.PartnerParams{UserID: "user-0001", JobID: "job-0001", JobType: jt}
}

// TestConformanceWithNodeSDK drives the Go SDK with the inputs of every recorded scenario
// of the official Node SDK and compares what it sends: endpoint, method, the JSON body's
// fields and values, the zip's entries and info.json. The only differences allowed are
// the fresh timestamp and signature (checked by recomputing them), source_sdk and its
// version, package_information.language, the User-Agent, and the bug fixes listed in the
// README (no userData block in info.json).
func TestConformanceWithNodeSDK(t *testing.T) {
	all := recordings(t)
	ctx := context.Background()
	scenarios := map[string]func(t *testing.T, c *smileid.Client) error{
		"web.jt1.files.callback_only": func(t *testing.T, c *smileid.Client) error {
			pp := params(smileid.BiometricKYC)
			pp.Set("optional_info", "partner free-form value")
			_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: pp, IDInfo: bkycInfo(),
				Images: []smileid.Image{smileid.SelfieFile(fixtures + "selfie.jpg"), smileid.IDCardFile(fixtures + "id_card.jpg")}})
			return err
		},
		"web.jt1.files.return_job_status_history_images": func(t *testing.T, c *smileid.Client) error {
			_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: params(smileid.BiometricKYC), IDInfo: bkycInfo(),
				Images:  []smileid.Image{smileid.SelfieFile(fixtures + "selfie.jpg"), smileid.IDCardFile(fixtures + "id_card.jpg")},
				Options: smileid.JobOptions{ReturnJobStatus: true, ReturnHistory: true, ReturnImageLinks: true}})
			return err
		},
		"web.jt1.base64_images": func(t *testing.T, c *smileid.Client) error {
			// The Node SDK was given two small base64 JPEGs; they are in its info.json.
			images := all["web.jt1.base64_images"][1].Zip.Entries[0].InfoJSON["images"].([]any)
			selfie := images[0].(map[string]any)["image"].(string)
			idCard := images[1].(map[string]any)["image"].(string)
			_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: params(smileid.BiometricKYC), IDInfo: bkycInfo(),
				Images: []smileid.Image{smileid.SelfieBase64(selfie), smileid.IDCardBase64(idCard)}})
			return err
		},
		"web.jt2.selfie_file.return_job_status": func(t *testing.T, c *smileid.Client) error {
			_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: params(smileid.SmartSelfieAuthentication),
				Images: []smileid.Image{smileid.SelfieFile(fixtures + "selfie.jpg")}, Options: smileid.JobOptions{ReturnJobStatus: true}})
			return err
		},
		"web.jt5.routed_to_id_api": func(t *testing.T, c *smileid.Client) error {
			_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: params(smileid.EnhancedKYC), IDInfo: ekycInfo()})
			return err
		},
		"web.jt6.files": func(t *testing.T, c *smileid.Client) error {
			_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{PartnerParams: params(smileid.DocumentVerification),
				IDInfo: smileid.IDInfo{Country: "NG", IDType: "PASSPORT"},
				Images: []smileid.Image{smileid.SelfieFile(fixtures + "selfie.jpg"), smileid.IDCardFile(fixtures + "id_card.jpg")}})
			return err
		},
		"utilities.get_job_status.defaults": func(t *testing.T, c *smileid.Client) error {
			_, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-0001", JobID: "job-0001"})
			return err
		},
		"utilities.get_job_status.history_images": func(t *testing.T, c *smileid.Client) error {
			_, err := c.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "user-0001", JobID: "job-0001", History: true, ImageLinks: true})
			return err
		},
		"web.get_web_token.explicit_callback": func(t *testing.T, c *smileid.Client) error {
			_, err := c.WebAPI.GetWebToken(ctx, smileid.WebTokenRequest{UserID: "user-0001", JobID: "job-0001",
				Product: smileid.ProductBiometricKYC, CallbackURL: "https://partner.example.invalid/smile/token-callback"})
			return err
		},
		"idapi.submit_job.enhanced_kyc": func(t *testing.T, c *smileid.Client) error {
			_, err := c.IDAPI.SubmitJob(ctx, params(smileid.EnhancedKYC), ekycInfo())
			return err
		},
		"idapi.submit_job.enhanced_kyc.non_ascii_and_html_chars": func(t *testing.T, c *smileid.Client) error {
			info := ekycInfo()
			info.FirstName, info.MiddleName, info.LastName = "Zoë", "Ọlá/Jr", `O'Brien <&> "Ngozi"`
			_, err := c.IDAPI.SubmitJob(ctx, params(smileid.EnhancedKYC), info)
			return err
		},
	}
	require.Len(t, all, len(scenarios), "every recorded scenario has a Go counterpart")
	for name, run := range scenarios {
		t.Run(name, func(t *testing.T) {
			want, ok := all[name]
			require.True(t, ok)
			rec := newRecorder(t)
			c := rec.client(t)
			require.NoError(t, run(t, c))
			got := rec.captured()
			require.Len(t, got, len(want), "requests sent")
			var uploadTimestamp string
			for i, w := range want {
				g := got[i]
				require.Equal(t, w.Method, g.method, "request %d", i)
				require.Equal(t, w.Path, g.path, "request %d", i)
				require.Contains(t, g.header.Get("User-Agent"), "smileid-go/"+smileid.Version)
				if w.Zip != nil {
					compareZip(t, rec, w, g, uploadTimestamp)
					continue
				}
				require.Equal(t, "application/json", g.header.Get("Content-Type"))
				var body map[string]any
				require.NoError(t, json.Unmarshal(g.body, &body))
				ts := checkSigned(t, body)
				if w.Path == "/v1/upload" {
					uploadTimestamp = ts
				}
				require.Equal(t, normalizeBody(w.Body, false), normalizeBody(body, true), "request %d %s", i, w.Path)
				if strings.Contains(name, "non_ascii") {
					require.Contains(t, string(g.body), `"last_name":"O'Brien <&> \"Ngozi\""`, "<>& are sent literally, as the official SDKs send them")
					require.Contains(t, string(g.body), "Zoë", "non-ASCII is sent as UTF-8")
				}
			}
		})
	}
}

// checkSigned checks a body's timestamp format and signature, and returns the timestamp.
func checkSigned(t *testing.T, body map[string]any) string {
	t.Helper()
	ts, _ := body["timestamp"].(string)
	sig, _ := body["signature"].(string)
	_, err := time.Parse(smileid.TimestampLayout, ts)
	require.NoError(t, err, "timestamp %q", ts)
	require.True(t, smileid.NewSignature(confPartnerID, confAPIKey).Confirm(ts, sig), "the body's signature verifies")
	return ts
}

// normalizeBody drops the fields allowed to differ: the fresh timestamp and signature
// (checked apart), and source_sdk and its version (checked to be Go's).
func normalizeBody(body map[string]any, ours bool) map[string]any {
	out := map[string]any{}
	for k, v := range body {
		out[k] = v
	}
	delete(out, "timestamp")
	delete(out, "signature")
	if sdk, ok := out["source_sdk"]; ok {
		if ours && (sdk != smileid.SourceSDK || out["source_sdk_version"] != smileid.Version) {
			out["source_sdk"] = "wrong: " + sdk.(string)
		} else {
			out["source_sdk"], out["source_sdk_version"] = "<sdk>", "<version>"
		}
	}
	return out
}

func compareZip(t *testing.T, rec *recorder, want recorded, got captured, uploadTimestamp string) {
	t.Helper()
	require.Equal(t, "application/zip", got.header.Get("Content-Type"))
	require.Empty(t, got.header.Get("Authorization"))
	require.Empty(t, got.header.Get("Transfer-Encoding"))
	zr, err := zip.NewReader(bytes.NewReader(got.body), int64(len(got.body)))
	require.NoError(t, err)
	require.Len(t, zr.File, len(want.Zip.Entries))
	for i, we := range want.Zip.Entries {
		f := zr.File[i]
		require.Equal(t, we.Name, f.Name, "entry %d", i)
		require.Equal(t, zip.Store, f.Method, "entry %s is STORE", f.Name)
		require.Zero(t, f.Flags&0x8, "entry %s has no data descriptor", f.Name)
		rc, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		if we.Name != "info.json" {
			sum := sha256.Sum256(data)
			require.Equal(t, we.SHA256, hex.EncodeToString(sum[:]), "entry %s holds the same bytes", f.Name)
			continue
		}
		var info map[string]any
		require.NoError(t, json.Unmarshal(data, &info))
		misc := info["misc_information"].(map[string]any)
		require.Equal(t, uploadTimestamp, misc["timestamp"], "info.json carries the prep upload's timestamp")
		require.NotContains(t, misc, "userData", "no hard-coded userData block (a bug fix)")
		require.Equal(t, smileid.SourceSDK, info["package_information"].(map[string]any)["language"])
		server := info["server_information"].(map[string]any)
		require.Equal(t, rec.URL+mockUploadPath, server["upload_url"], "server_information is the prep-upload answer")
		require.Equal(t, normalizeInfo(we.InfoJSON), normalizeInfo(info))
	}
}

// normalizeInfo drops from info.json what may differ: the timestamp, the language, the
// userData block (Node's hard-coded placeholder, omitted by Go), and the upload URL's
// host (the recording server's address).
func normalizeInfo(info map[string]any) map[string]any {
	b, _ := json.Marshal(info)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	misc := out["misc_information"].(map[string]any)
	delete(misc, "timestamp")
	delete(misc, "userData")
	out["package_information"].(map[string]any)["language"] = "<language>"
	server := out["server_information"].(map[string]any)
	u := server["upload_url"].(string)
	server["upload_url"] = u[strings.Index(u, "/upload-bucket/"):]
	return out
}
