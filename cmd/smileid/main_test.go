package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

const (
	vectorPartner   = "212"
	vectorKey       = "oracle-api-key-3f1c9d2e-7a64-4b8e-9c51-2d0e8f6a1b73"
	vectorTimestamp = "2024-01-01T00:00:00.000Z"
	vectorSignature = "W4xbxkl4kFGjTbiGeKf1l4BW1Mctbai6Zb9xEy3whJQ="

	fixtures = "../../testdata/conformance/fixtures"
)

// result is what one run of the CLI did.
type result struct {
	code           int
	stdout, stderr string
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader in different goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cli runs the CLI with the environment vars and stdin.
func cli(t *testing.T, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, func(k string) string { return vars[k] })
	r := result{code, out.String(), errOut.String()}
	t.Logf("smileid %s -> %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, r.stdout, r.stderr)
	return r
}

func (r result) want(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit status %d, want %d (stderr: %q)", r.code, code, r.stderr)
	}
	if code != 0 {
		// A failure always ends with a one-line reason.
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		last := lines[len(lines)-1]
		if !strings.HasPrefix(last, "smileid") || len(strings.TrimSpace(last)) < 15 {
			t.Fatalf("stderr does not end with a one-line reason: %q", r.stderr)
		}
	}
	return r
}

// json decodes stdout.
func (r result) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, r.stdout)
	}
	return m
}

func creds(partner, key string, more ...string) map[string]string {
	m := map[string]string{"SMILEID_PARTNER_ID": partner, "SMILEID_API_KEY": key}
	for i := 0; i+1 < len(more); i += 2 {
		m[more[i]] = more[i+1]
	}
	return m
}

// path returns a nested value of a decoded JSON object, nil when absent.
func path(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

// writeJob writes a job file into a new temporary directory, with a copy of the selfie
// next to it (referenced by a relative path) and the ID card by an absolute path.
func writeJob(t *testing.T, job map[string]any) string {
	t.Helper()
	dir := t.TempDir()
	selfie, err := os.ReadFile(filepath.Join(fixtures, "selfie.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "img"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "img", "selfie.jpg"), selfie, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(job, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "job.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func absFixture(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// seedJob is a Biometric KYC job in the Python SDK's shape.
func seedJob(t *testing.T, jobID string, extra map[string]any) map[string]any {
	pp := map[string]any{"user_id": "user-" + jobID, "job_id": jobID, "job_type": 1, "optional_info": "from the cli test"}
	for k, v := range extra {
		pp[k] = v
	}
	return map[string]any{
		"partner_params": pp,
		"image_details": []any{
			map[string]any{"image_type_id": 0, "image": "img/selfie.jpg"},
			map[string]any{"image_type_id": 1, "image": absFixture(t, "id_card.jpg")},
		},
		"id_info": map[string]any{"first_name": "Joe", "last_name": "Bloggs", "country": "NG", "id_type": "BVN",
			"id_number": "00000000000", "dob": "2000-09-20", "entered": true},
		"options": map[string]any{"return_job_status": true, "return_history": false, "return_image_links": false, "signature": true},
	}
}

// ---------------------------------------------------------------- sign, verify-signature

func TestSignKnownVector(t *testing.T) {
	t.Parallel()
	env := creds(vectorPartner, vectorKey)
	r := cli(t, env, "", "sign", "--timestamp", vectorTimestamp).want(t, 0)
	m := r.json(t)
	if m["timestamp"] != vectorTimestamp || m["signature"] != vectorSignature {
		t.Fatalf("sign = %v, want the vector %s", m, vectorSignature)
	}
	r = cli(t, env, "", "verify-signature", "--timestamp", vectorTimestamp, "--signature", vectorSignature).want(t, 0)
	if !strings.Contains(r.stdout, "signature valid") {
		t.Errorf("stdout %q", r.stdout)
	}
	// Another timestamp, another key or another signature does not verify.
	cli(t, env, "", "verify-signature", "--timestamp", "2024-01-01T00:00:00.001Z", "--signature", vectorSignature).want(t, 1)
	cli(t, creds(vectorPartner, vectorKey+"x"), "", "verify-signature", "--timestamp", vectorTimestamp, "--signature", vectorSignature).want(t, 1)
	cli(t, creds("213", vectorKey), "", "verify-signature", "--timestamp", vectorTimestamp, "--signature", vectorSignature).want(t, 1)
	r = cli(t, env, "", "verify-signature", "--timestamp", vectorTimestamp, "--signature", "garbage").want(t, 1)
	if strings.Contains(r.stderr, vectorKey) {
		t.Error("the API key was printed")
	}
}

func TestSignFreshRoundTrip(t *testing.T) {
	t.Parallel()
	env := creds(vectorPartner, vectorKey)
	m := cli(t, env, "", "sign").want(t, 0).json(t)
	ts, _ := m["timestamp"].(string)
	sig, _ := m["signature"].(string)
	when, err := time.Parse(smileid.TimestampLayout, ts)
	if err != nil || time.Since(when).Abs() > time.Minute {
		t.Fatalf("timestamp %q is not a fresh RFC 3339 UTC ms timestamp (%v)", ts, err)
	}
	if !smileid.NewSignature(vectorPartner, vectorKey).Confirm(ts, sig) {
		t.Fatal("the signature printed does not confirm")
	}
	cli(t, env, "", "verify-signature", "--timestamp", ts, "--signature", sig).want(t, 0)

	// --server fake signs with the fake's test credentials, without any in the environment.
	m = cli(t, nil, "", "--server", "fake", "sign", "--timestamp", vectorTimestamp).want(t, 0).json(t)
	if !smileid.NewSignature(smileidtest.DefaultPartnerID, smileidtest.DefaultAPIKey).Confirm(vectorTimestamp, m["signature"].(string)) {
		t.Fatal("sign --server fake did not use the fake's credentials")
	}
}

// ---------------------------------------------------------------- submit --server fake

func TestSubmitInProcessFake(t *testing.T) {
	t.Parallel()
	jobFile := writeJob(t, seedJob(t, "job-inproc", nil))
	// No credentials at all: --server fake uses the fake's.
	r := cli(t, nil, "", "submit", "--server", "fake", "--job", jobFile, "--poll-interval", "50ms").want(t, 0)
	m := r.json(t)
	if m["job_complete"] != true || m["job_success"] != true || m["code"] != "2302" {
		t.Fatalf("status = %v", m)
	}
	if path(m, "result", "ResultCode") != "1210" || path(m, "result", "PartnerParams", "optional_info") != "from the cli test" {
		t.Errorf("result = %v", m["result"])
	}
	// The raw job status body, its signature redacted: the CLI hands out no signature.
	if m["signature"] != "[REDACTED]" || m["timestamp"] == nil {
		t.Errorf("stdout is not the raw job status body with its signature redacted: signature %v", m["signature"])
	}
	if !strings.Contains(r.stderr, "poll 1 ") || !strings.Contains(r.stderr, "complete, job_success true") {
		t.Errorf("no progress on stderr: %q", r.stderr)
	}
	// --job - reads the job from stdin, image paths relative to the working directory.
	job := seedJob(t, "job-stdin", nil)
	job["image_details"].([]any)[0].(map[string]any)["image"] = filepath.Join(fixtures, "selfie.jpg")
	b, _ := json.Marshal(job)
	if m := cli(t, nil, string(b), "submit", "--server", "fake", "--job", "-", "--poll-interval", "50ms").want(t, 0).json(t); m["job_success"] != true {
		t.Fatalf("status = %v", m)
	}
	// The global flag works too, and so does SMILEID_SERVER.
	cli(t, nil, "", "--server", "fake", "submit", "--job", writeJob(t, seedJob(t, "job-inproc2", nil)), "--poll-interval", "50ms").want(t, 0)
	cli(t, map[string]string{"SMILEID_SERVER": "fake"}, "", "submit", "--job", writeJob(t, seedJob(t, "job-inproc3", nil)), "--poll-interval", "50ms").want(t, 0)
}

func TestSubmitRejectedJobExits1(t *testing.T) {
	t.Parallel()
	jobFile := writeJob(t, seedJob(t, "job-rejected", map[string]any{"sandbox_result": "1"}))
	r := cli(t, nil, "", "submit", "--server", "fake", "--job", jobFile, "--poll-interval", "50ms").want(t, 1)
	m := r.json(t)
	if m["job_complete"] != true || m["job_success"] != false || path(m, "result", "ResultCode") != "1212" {
		t.Fatalf("status = %v", m)
	}
	if !strings.Contains(r.stderr, "job job-rejected completed without success") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestSubmitIDAPI(t *testing.T) {
	t.Parallel()
	job := func(jobID string, pp map[string]any, info map[string]any) string {
		p := map[string]any{"user_id": "u-" + jobID, "job_id": jobID, "job_type": 5}
		for k, v := range pp {
			p[k] = v
		}
		i := map[string]any{"country": "NG", "id_type": "BVN", "id_number": "00000000000", "first_name": "Ada"}
		for k, v := range info {
			i[k] = v
		}
		return writeJob(t, map[string]any{"partner_params": p, "id_info": i, "image_details": []any{}})
	}
	r := cli(t, nil, "", "submit", "--server", "fake", "--job", job("id-ok", nil, nil)).want(t, 0)
	m := r.json(t)
	if m["ResultCode"] != "1012" || path(m, "Actions", "Verify_ID_Number") != "Verified" || m["FullName"] != "Ada" {
		t.Fatalf("result = %v", m)
	}
	// The Python SDK sends entered to the ID API too; the SDK leaves it out of the request.
	cli(t, nil, "", "submit", "--server", "fake", "--job", job("id-entered", nil, map[string]any{"entered": "true"})).want(t, 0)
	// An ID not found is a job failure.
	r = cli(t, nil, "", "submit", "--server", "fake", "--job", job("id-rejected", map[string]any{"sandbox_result": "1"}, nil)).want(t, 1)
	if r.json(t)["ResultCode"] != "1013" || !strings.Contains(r.stderr, `Verify_ID_Number "Not Verified"`) {
		t.Errorf("stdout %s stderr %q", r.stdout, r.stderr)
	}
	// An ID type the services document does not know is a ValidationError: exit 2.
	r = cli(t, nil, "", "submit", "--server", "fake", "--job", job("id-badtype", nil, map[string]any{"id_type": "NOPE"})).want(t, 2)
	if !strings.Contains(r.stderr, "invalid id_info.id_type") {
		t.Errorf("stderr %q", r.stderr)
	}
}

// ---------------------------------------------------------------- smileid fake, standalone

// standaloneFake runs `smileid fake` in a goroutine and returns the variables it printed.
func standaloneFake(t *testing.T, args ...string) (vars map[string]string, stop func() result) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"fake"}, args...), strings.NewReader(""), &out, &errOut, func(string) string {
			return "" // the fake must not depend on the environment's credentials
		})
	}()
	stopped := false
	var res result
	stop = func() result {
		if !stopped {
			stopped = true
			cancel()
			select {
			case code := <-done:
				res = result{code, out.String(), errOut.String()}
			case <-time.After(10 * time.Second):
				t.Fatal("smileid fake did not stop when its context was cancelled")
			}
		}
		return res
	}
	t.Cleanup(func() { stop() })
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "SMILEID_SERVER=") {
		select {
		case code := <-done:
			t.Fatalf("smileid fake exited with %d: %s", code, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("smileid fake printed no server URL: %q %q", out.String(), errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the last export lines arrive
	vars = map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if ok {
			vars[k] = strings.Trim(v, "'")
		}
	}
	return vars, stop
}

func TestStandaloneFake(t *testing.T) {
	t.Parallel()
	vars, stop := standaloneFake(t, "--addr", "127.0.0.1:0")
	base := vars["SMILEID_SERVER"]
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/v1") || vars["SMILEID_PARTNER_ID"] == "" || vars["SMILEID_API_KEY"] == "" {
		t.Fatalf("smileid fake printed %v", vars)
	}
	env := creds(vars["SMILEID_PARTNER_ID"], vars["SMILEID_API_KEY"])

	t.Run("submit returning the job status", func(t *testing.T) {
		r := cli(t, env, "", "submit", "--server", base, "--job", writeJob(t, seedJob(t, "sa-1", nil)), "--poll-interval", "50ms").want(t, 0)
		if m := r.json(t); m["job_complete"] != true || m["job_success"] != true {
			t.Fatalf("status %v", m)
		}
		// SMILEID_SERVER, as printed by the fake, selects it too.
		env2 := creds(vars["SMILEID_PARTNER_ID"], vars["SMILEID_API_KEY"], "SMILEID_SERVER", base)
		cli(t, env2, "", "submit", "--job", writeJob(t, seedJob(t, "sa-2", nil)), "--poll-interval", "50ms").want(t, 0)
	})

	t.Run("submit with a callback, then wait, status and verify-callback", func(t *testing.T) {
		bodies := make(chan []byte, 4)
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			bodies <- b
		}))
		defer receiver.Close()
		job := seedJob(t, "sa-cb", nil)
		job["options"] = map[string]any{"return_job_status": false, "callback_url": receiver.URL + "/smile"}
		r := cli(t, env, "", "submit", "--server", base, "--job", writeJob(t, job)).want(t, 0)
		m := r.json(t)
		if m["success"] != true || m["smile_job_id"] == "" || len(m) != 2 {
			t.Fatalf("submit printed %v", m)
		}

		r = cli(t, env, "", "wait", "--server", base, "--user-id", "user-sa-cb", "--job-id", "sa-cb", "--poll-interval", "50ms").want(t, 0)
		if m := r.json(t); m["job_complete"] != true || m["job_success"] != true || path(m, "result", "PartnerParams", "job_id") != "sa-cb" {
			t.Fatalf("wait printed %v", m)
		}
		if !strings.Contains(r.stderr, "poll 1 ") {
			t.Errorf("wait showed no progress: %q", r.stderr)
		}

		r = cli(t, env, "", "status", "--server", base, "--user-id", "user-sa-cb", "--job-id", "sa-cb", "--history", "--images").want(t, 0)
		m = r.json(t)
		if links, _ := m["image_links"].(map[string]any); links["selfie_image"] == nil {
			t.Errorf("status --images has no image links: %v", m)
		}
		if hist, _ := m["history"].([]any); len(hist) == 0 {
			t.Errorf("status --history has no history: %v", m)
		}
		if strings.Contains(r.stderr, "X-Amz") {
			t.Errorf("a presigned URL reached stderr: %q", r.stderr)
		}

		var body []byte
		select {
		case body = <-bodies:
		case <-time.After(10 * time.Second):
			t.Fatal("no callback arrived")
		}
		// By default the callback is confirmed with the job's signed status from the API,
		// and that status is what is printed.
		r = cli(t, env, string(body), "verify-callback", "--server", base).want(t, 0)
		if m := r.json(t); path(m, "result", "ResultCode") != "1210" || path(m, "result", "PartnerParams", "job_id") != "sa-cb" || m["job_complete"] != true {
			t.Fatalf("verify-callback printed %v", m)
		}
		if !strings.Contains(r.stderr, "confirmed by the job's signed status") {
			t.Errorf("stderr %q", r.stderr)
		}
		// --offline checks only the signature, prints the body, and says it is not
		// authenticated.
		r = cli(t, env, string(body), "verify-callback", "--offline").want(t, 0)
		if m := r.json(t); m["ResultCode"] != "1210" || path(m, "PartnerParams", "job_id") != "sa-cb" {
			t.Fatalf("verify-callback --offline printed %v", m)
		}
		if !strings.Contains(r.stderr, "NOT authenticated") {
			t.Errorf("stderr %q", r.stderr)
		}
		// A forged body under the genuine signature: the signature alone passes it, Smile ID
		// does not confirm it.
		var forged map[string]any
		if err := json.Unmarshal(body, &forged); err != nil {
			t.Fatal(err)
		}
		forged["ResultCode"], forged["ResultText"] = "0000", "Forged approval"
		forgedBody, _ := json.Marshal(forged)
		cli(t, env, string(forgedBody), "verify-callback", "--offline").want(t, 0)
		r = cli(t, env, string(forgedBody), "verify-callback", "--server", base).want(t, 1)
		if !strings.Contains(r.stderr, "does not confirm this callback") || r.stdout != "" {
			t.Errorf("forged callback: stdout %q stderr %q", r.stdout, r.stderr)
		}
		// The same callback with its timestamp changed, or checked with another key, does
		// not verify.
		var cb map[string]any
		if err := json.Unmarshal(body, &cb); err != nil {
			t.Fatal(err)
		}
		cb["timestamp"] = "2020-01-01T00:00:00.000Z"
		tampered, _ := json.Marshal(cb)
		r = cli(t, env, string(tampered), "verify-callback").want(t, 1)
		if !strings.Contains(r.stderr, "signature does not match") || r.stdout != "" {
			t.Errorf("tampered callback: stdout %q stderr %q", r.stdout, r.stderr)
		}
		cli(t, creds(vars["SMILEID_PARTNER_ID"], "another-key"), string(body), "verify-callback").want(t, 1)
	})

	t.Run("services and token", func(t *testing.T) {
		m := cli(t, env, "", "services", "--server", base).want(t, 0).json(t)
		if path(m, "id_types", "NG", "BVN") == nil {
			t.Errorf("services printed %v", m)
		}
		m = cli(t, env, "", "token", "--server", base, "--user-id", "u1", "--job-id", "j1", "--product", "biometric_kyc",
			"--callback-url", "https://example.com/cb").want(t, 0).json(t)
		if tok, _ := m["token"].(string); !strings.HasPrefix(tok, "smileidtest-token-") {
			t.Errorf("token printed %v", m)
		}
	})

	t.Run("wrong API key", func(t *testing.T) {
		key := "wrong-api-key-5f0e7d1c"
		r := cli(t, creds(vars["SMILEID_PARTNER_ID"], key), "", "submit", "--server", base, "--job", writeJob(t, seedJob(t, "sa-badkey", nil))).want(t, 1)
		if !strings.Contains(r.stderr, "HTTP 401") || strings.Contains(r.stderr+r.stdout, key) {
			t.Errorf("stderr %q", r.stderr)
		}
	})

	t.Run("unknown job", func(t *testing.T) {
		r := cli(t, env, "", "status", "--server", base, "--user-id", "nobody", "--job-id", "nothing").want(t, 1)
		if !strings.Contains(r.stderr, "HTTP 404") {
			t.Errorf("stderr %q", r.stderr)
		}
	})

	if res := stop(); res.code != 0 || !strings.Contains(res.stderr, "stopped") {
		t.Fatalf("smileid fake ended with %d: %q", res.code, res.stderr)
	}
}

func TestStandaloneFakeTLS(t *testing.T) {
	t.Parallel()
	certFile := filepath.Join(t.TempDir(), "ca.pem")
	vars, stop := standaloneFake(t, "--addr", "127.0.0.1:0", "--tls", "--cert-file", certFile)
	if vars["SSL_CERT_FILE"] != certFile || !strings.HasPrefix(vars["SMILEID_SERVER"], "https://127.0.0.1:") {
		t.Fatalf("smileid fake --tls printed %v", vars)
	}
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("the certificate file holds no PEM certificate")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer hc.CloseIdleConnections()
	client, err := smileid.NewClient(vars["SMILEID_PARTNER_ID"], vars["SMILEID_API_KEY"],
		smileid.WithBaseURL(vars["SMILEID_SERVER"]), smileid.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Utilities.GetServices(context.Background()); err != nil {
		t.Fatalf("a client trusting only the printed certificate cannot reach the fake: %v", err)
	}
	stop()

	// Without --cert-file the certificate goes to a temporary file, removed on exit.
	vars, stop = standaloneFake(t, "--addr", "127.0.0.1:0", "--tls")
	tmp := vars["SSL_CERT_FILE"]
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("SSL_CERT_FILE %q: %v", tmp, err)
	}
	stop()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("the temporary certificate %s was not removed: %v", tmp, err)
	}
}

// ---------------------------------------------------------------- a controlled fake

func TestControlledFake(t *testing.T) {
	t.Parallel()
	// A fake that never completes jobs on its own, and fails the test on any request that
	// breaks the spec.
	srv := smileidtest.NewServer(t, smileidtest.WithPlainHTTP(), smileidtest.WithCompletion(1000, time.Hour))
	env := creds(srv.PartnerID, srv.APIKey, "SMILEID_SERVER", srv.URL)
	selfie, err := os.ReadFile(filepath.Join(fixtures, "selfie.jpg"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("what submit sends", func(t *testing.T) {
		job := seedJob(t, "ctl-1", map[string]any{"sandbox_result": "0"})
		job["image_details"] = append(job["image_details"].([]any),
			map[string]any{"image_type_id": 6, "image": base64.StdEncoding.EncodeToString(selfie)},
			map[string]any{"image_type_id": 4, "image": absFixture(t, "liveness.jpg")})
		job["id_info"].(map[string]any)["entered"] = "true"
		job["options"] = map[string]any{"optional_callback": "https://partner.example/cb", "use_validation_api": false}
		r := cli(t, env, "", "submit", "--job", writeJob(t, job)).want(t, 0)
		if m := r.json(t); m["success"] != true || m["smile_job_id"] == "" {
			t.Fatalf("submit printed %v", m)
		}
		j, ok := srv.Job("ctl-1")
		if !ok || j.Manifest == nil || j.ZipProblem != "" {
			t.Fatalf("the fake's job: %+v", j)
		}
		if j.CallbackURL != "https://partner.example/cb" {
			t.Errorf("callback %q", j.CallbackURL)
		}
		if v, _ := j.PartnerParams.Get("optional_info"); v != "from the cli test" {
			t.Errorf("partner params %+v", j.PartnerParams)
		}
		if j.Manifest.IDInfo.Entered != smileid.EnteredTrue || j.Manifest.IDInfo.IDNumber != "00000000000" {
			t.Errorf("id_info %+v", j.Manifest.IDInfo)
		}
		types := map[smileid.ImageType]string{}
		for _, img := range j.Manifest.Images {
			types[img.ImageTypeID] = img.FileName
		}
		if types[smileid.ImageSelfieFile] != "selfie.jpg" || types[smileid.ImageIDCardFile] != "id_card.jpg" ||
			types[smileid.ImageLivenessFile] != "liveness.jpg" || len(types) != 4 {
			t.Errorf("images %v", types)
		}
		if got, _ := srv.Image("ctl-1", "selfie.jpg"); !bytes.Equal(got, selfie) {
			t.Error("the selfie in the zip is not the file next to the job file")
		}
		// use_validation_api false: the services document was not fetched.
		if n := len(srv.RequestsFor(smileid.OpServices)); n != 0 {
			t.Errorf("%d services requests despite use_validation_api false", n)
		}
	})

	t.Run("status of a pending job", func(t *testing.T) {
		r := cli(t, env, "", "status", "--user-id", "user-ctl-1", "--job-id", "ctl-1").want(t, 0)
		if m := r.json(t); m["job_complete"] != false {
			t.Fatalf("status %v", m)
		}
		if !strings.Contains(r.stderr, "not complete yet") {
			t.Errorf("stderr %q", r.stderr)
		}
	})

	t.Run("wait times out", func(t *testing.T) {
		r := cli(t, env, "", "wait", "--user-id", "user-ctl-1", "--job-id", "ctl-1", "--max-wait", "300ms", "--poll-interval", "50ms").want(t, 1)
		if !strings.Contains(r.stderr, "timed out waiting for the job") || !strings.Contains(r.stderr, "pending") || r.stdout != "" {
			t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
		}
	})

	t.Run("a response signed with another key", func(t *testing.T) {
		srv.InjectFault(smileid.OpJobStatus, 1, smileidtest.Fault{BadSignature: true})
		r := cli(t, env, "", "status", "--user-id", "user-ctl-1", "--job-id", "ctl-1").want(t, 1)
		if !strings.Contains(r.stderr, "signature does not match") || r.stdout != "" {
			t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
		}
		// No signature reaches stderr.
		for _, req := range srv.RequestsFor(smileid.OpJobStatus) {
			var b struct{ Signature string }
			_ = json.Unmarshal(req.Body, &b)
			if b.Signature != "" && strings.Contains(r.stderr, b.Signature) {
				t.Error("a signature reached stderr")
			}
		}
	})

	t.Run("the prep upload fails", func(t *testing.T) {
		srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{Status: http.StatusServiceUnavailable})
		r := cli(t, env, "", "submit", "--job", writeJob(t, seedJob(t, "ctl-503", nil))).want(t, 1)
		if !strings.Contains(r.stderr, "upload: HTTP 503") {
			t.Errorf("stderr %q", r.stderr)
		}
	})

	t.Run("the zip upload fails after the job was created", func(t *testing.T) {
		srv.InjectFault(smileid.OpUploadZip, 3, smileidtest.Fault{Status: http.StatusForbidden, Body: "<Error><Code>AccessDenied</Code><Message>denied</Message></Error>"})
		r := cli(t, env, "", "submit", "--job", writeJob(t, seedJob(t, "ctl-zip", nil))).want(t, 1)
		if !strings.Contains(r.stderr, "smile_job_id") || !strings.Contains(r.stderr, "upload_zip: HTTP 403") || strings.Contains(r.stderr, "X-Amz") {
			t.Errorf("stderr %q", r.stderr)
		}
	})

	t.Run("a status-shaped callback", func(t *testing.T) {
		sig := smileid.NewSignature(srv.PartnerID, srv.APIKey)
		ts := smileid.Timestamp(time.Now())
		body, _ := json.Marshal(map[string]any{
			"job_complete": true, "job_success": true, "code": "2302", "timestamp": ts, "signature": sig.Generate(ts),
			"result": map[string]any{"ResultCode": "0810", "ResultText": "Enroll User", "Unmodelled": "kept",
				"PartnerParams": map[string]any{"job_id": "j9", "user_id": "u9", "job_type": 4}},
		})
		r := cli(t, env, string(body), "verify-callback", "--offline").want(t, 0)
		if m := r.json(t); m["ResultCode"] != "0810" || m["Unmodelled"] != "kept" {
			t.Errorf("verify-callback printed %v", m)
		}
		if !strings.Contains(r.stderr, `job_id "j9"`) {
			t.Errorf("stderr %q", r.stderr)
		}
	})
}

// ---------------------------------------------------------------- exit status 2

func TestBadUsageAndInput(t *testing.T) {
	t.Parallel()
	const key = "secret-test-key-9a8b7c6d"
	env := creds("212", key)
	// A server nothing listens on: each case must fail before sending anything.
	dead := "http://127.0.0.1:1/v1"
	good := seedJob(t, "bad-1", nil)
	with := func(mut func(m map[string]any)) string {
		b, _ := json.Marshal(good)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		mut(m)
		return writeJob(t, m)
	}
	rawJob := func(text string) string {
		p := filepath.Join(t.TempDir(), "job.json")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		want  string // in stderr
	}{
		{"no command", env, "", nil, "Usage: smileid"},
		{"unknown command", env, "", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown global flag", env, "", []string{"--verbose", "sign"}, "flag provided but not defined: -verbose"},
		{"unknown flag", env, "", []string{"status", "--user", "u"}, "flag provided but not defined: -user"},
		{"api key as a flag", env, "", []string{"sign", "--api-key", key}, "flag provided but not defined"},
		{"positional argument", env, "", []string{"services", "now"}, `unexpected argument "now"`},
		{"missing credentials", nil, "", []string{"sign"}, "missing credentials: set SMILEID_PARTNER_ID and SMILEID_API_KEY"},
		{"missing API key", map[string]string{"SMILEID_PARTNER_ID": "212"}, "", []string{"status", "--user-id", "u", "--job-id", "j"}, "set SMILEID_API_KEY"},
		{"missing credentials for submit", nil, "", []string{"submit", "--server", dead, "--job", with(func(map[string]any) {})}, "missing credentials"},
		{"plain http to another host", env, "", []string{"services", "--server", "http://example.com/v1"}, "plain http is allowed for loopback hosts only"},
		{"base URL without /v1", env, "", []string{"services", "--server", "http://127.0.0.1:1"}, "must end in /v1"},
		{"unknown server", env, "", []string{"services", "--server", "staging"}, `unknown server "staging"`},
		{"sign with an empty timestamp", env, "", []string{"sign", "--timestamp", ""}, "--timestamp must not be empty"},
		{"verify-signature without a signature", env, "", []string{"verify-signature", "--timestamp", "t"}, "missing --signature"},
		{"status without ids", env, "", []string{"status"}, "missing --user-id, --job-id"},
		{"wait with a zero max wait", env, "", []string{"wait", "--server", dead, "--user-id", "u", "--job-id", "j", "--max-wait", "0s"}, "--max-wait must be positive"},
		{"token with an unknown product", env, "", []string{"token", "--server", dead, "--user-id", "u", "--job-id", "j", "--product", "selfie", "--callback-url", "https://x.example/cb"}, `unknown product "selfie"`},
		{"token without a callback", env, "", []string{"token", "--server", dead, "--user-id", "u", "--job-id", "j", "--product", "biometric_kyc"}, "missing --callback-url"},
		{"token with an http callback", env, "", []string{"token", "--server", dead, "--user-id", "u", "--job-id", "j", "--product", "biometric_kyc", "--callback-url", "http://example.com/cb"}, "invalid callback_url"},
		{"submit without a job", env, "", []string{"submit", "--server", dead}, "missing --job"},
		{"unreadable job file", env, "", []string{"submit", "--server", dead, "--job", filepath.Join(t.TempDir(), "none.json")}, "reading the job file"},
		{"malformed job file", env, "", []string{"submit", "--server", dead, "--job", rawJob(`{"partner_params": {`)}, "not a valid job"},
		{"trailing data", env, "", []string{"submit", "--server", dead, "--job", rawJob(`{"partner_params": {"job_type": 1}} {}`)}, "unexpected data after the JSON object"},
		{"unknown top-level key", env, "", []string{"submit", "--server", dead, "--job", with(func(m map[string]any) { m["images"] = []any{} })}, `unknown field "images"`},
		{"unknown option", env, "", []string{"submit", "--server", dead, "--job", with(func(m map[string]any) {
			m["options"] = map[string]any{"return_job_stauts": true}
		})}, `unknown field "return_job_stauts"`},
		{"unknown id_info key", env, "", []string{"submit", "--server", dead, "--job", with(func(m map[string]any) {
			m["id_info"].(map[string]any)["idnumber"] = "1"
		})}, `unknown field "idnumber"`},
		{"entered neither true nor false", env, "", []string{"submit", "--server", dead, "--job", with(func(m map[string]any) {
			m["id_info"].(map[string]any)["entered"] = "maybe"
		})}, "id_info.entered must be true or false"},
		{"a non-string partner param", env, "", []string{"submit", "--server", dead, "--job", with(func(m map[string]any) {
			m["partner_params"].(map[string]any)["attempt"] = 2
		})}, "partner_params.attempt must be a string"},
		{"no job type", env, "", []string{"submit", "--server", dead, "--job", with(func(m map[string]any) {
			delete(m["partner_params"].(map[string]any), "job_type")
		})}, "partner_params.job_type is required"},
		{"conflicting aliases", env, "", []string{"submit", "--server", dead, "--job", with(func(m map[string]any) {
			m["options"] = map[string]any{"return_job_status": true, "return_images": true, "return_image_links": false}
		})}, "both options.return_images and its alias"},
		{"unknown image type", env, "", []string{"submit", "--server", dead, "--job", with(func(m map[string]any) {
			m["image_details"] = []any{map[string]any{"image_type_id": 9, "image": "x.jpg"}}
		})}, "image_type_id 9 is not an image type"},
		// *smileid.ValidationError, from the SDK, before anything is sent:
		{"missing image file", env, "", []string{"submit", "--server", dead, "--job", with(func(m map[string]any) {
			m["image_details"].([]any)[0].(map[string]any)["image"] = "img/missing.jpg"
		})}, "invalid images[0]: file does not exist"},
		{"no selfie", env, "", []string{"submit", "--server", dead, "--job", with(func(m map[string]any) {
			m["image_details"] = m["image_details"].([]any)[1:]
		})}, "invalid images: a selfie"},
		{"no way to get the result", env, "", []string{"submit", "--server", dead, "--job", with(func(m map[string]any) {
			delete(m, "options")
		})}, "invalid options: choose how to get the result"},
		{"bad base64 image", env, "", []string{"submit", "--server", dead, "--job", with(func(m map[string]any) {
			m["image_details"].([]any)[0].(map[string]any)["image_type_id"] = 2
		})}, "invalid images[0]: is not valid standard base64"},
		{"no job id", env, "", []string{"submit", "--server", dead, "--job", with(func(m map[string]any) {
			delete(m["partner_params"].(map[string]any), "job_id")
		})}, "invalid partner_params.job_id"},
		{"verify-callback without a body", env, "", []string{"verify-callback"}, "no callback body on stdin"},
		{"verify-callback with a body that is not JSON", env, "not json", []string{"verify-callback"}, "callback is not a signed Smile ID result"},
		{"verify-callback with an unsigned body", env, `{"ResultCode":"1210"}`, []string{"verify-callback"}, "no signature or timestamp"},
		{"fake with a certificate file but no TLS", env, "", []string{"fake", "--cert-file", "x.pem"}, "--cert-file needs --tls"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := cli(t, c.env, c.stdin, c.args...).want(t, 2)
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr %q does not contain %q", r.stderr, c.want)
			}
			if strings.Contains(r.stderr+r.stdout, key) {
				t.Error("the API key was printed")
			}
			if c.args != nil && strings.Count(strings.TrimRight(r.stderr, "\n"), "\n") != 0 {
				t.Errorf("the reason is not one line: %q", r.stderr)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"-h"}, {"submit", "-h"}, {"fake", "--help"}} {
		r := cli(t, nil, "", args...).want(t, 0)
		if !strings.Contains(r.stderr, "Usage: smileid") {
			t.Errorf("%v: stderr %q", args, r.stderr)
		}
	}
}

func TestFakePortInUse(t *testing.T) {
	t.Parallel()
	vars, _ := standaloneFake(t, "--addr", "127.0.0.1:0")
	addr := strings.TrimSuffix(strings.TrimPrefix(vars["SMILEID_SERVER"], "http://"), "/v1")
	r := cli(t, nil, "", "fake", "--addr", addr).want(t, 1)
	if !strings.Contains(r.stderr, "starting the fake on "+addr) {
		t.Errorf("stderr %q", r.stderr)
	}
}
