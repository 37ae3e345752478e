package smileid_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// uploadHost is a Smile ID prep upload plus an upload host whose PUT is redirected with
// status to target (the final PUT lands on /final of the same server unless target is set).
type uploadHost struct {
	mu       sync.Mutex
	finals   []string // "METHOD bytes" of each request /final received
	redirect int
	target   string
}

func (h *uploadHost) start(t *testing.T, tls bool) *httptest.Server {
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("POST /v1/upload", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"code":"2202","ref_id":"212-0000000001-x","smile_job_id":"0000000001","upload_url":"`+srv.URL+`/up?X-Amz-Signature=PRESIGNED"}`)
	})
	mux.HandleFunc("/up", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		target := h.target
		if target == "" {
			target = srv.URL + "/final"
		}
		w.Header().Set("Location", target)
		w.WriteHeader(h.redirect)
	})
	mux.HandleFunc("/final", h.final)
	if tls {
		srv = httptest.NewTLSServer(mux)
	} else {
		srv = httptest.NewServer(mux)
	}
	t.Cleanup(srv.Close)
	return srv
}

func (h *uploadHost) final(w http.ResponseWriter, r *http.Request) {
	n, _ := io.Copy(io.Discard, r.Body)
	h.mu.Lock()
	h.finals = append(h.finals, r.Method+" "+strconv.FormatInt(n, 10))
	h.mu.Unlock()
}

func submitTo(t *testing.T, srv *httptest.Server) (*smileid.SubmitResult, error) {
	t.Helper()
	c, err := smileid.NewClient("212", "key", smileid.WithBaseURL(srv.URL+"/v1"), smileid.WithHTTPClient(srv.Client()),
		smileid.WithValidationAPI(false), smileid.WithRetryPolicy(smileid.RetryPolicy{}), smileid.WithCallbackURL("https://partner.example/cb"))
	require.NoError(t, err)
	return c.WebAPI.SubmitJob(context.Background(), smileid.Job{PartnerParams: jobParams("r", smileid.SmartSelfieRegistration), Images: []smileid.Image{selfie}})
}

// TestUploadRedirects: 307 and 308 keep the PUT and its body; 301, 302 and 303 would turn
// it into a bodiless GET that the old code counted as a stored zip: they are errors.
func TestUploadRedirectsKeepMethodAndBody(t *testing.T) {
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		h := &uploadHost{redirect: code}
		res, err := submitTo(t, h.start(t, false))
		require.NoError(t, err, code)
		require.Equal(t, "0000000001", res.SmileJobID)
		require.Len(t, h.finals, 1)
		require.True(t, strings.HasPrefix(h.finals[0], "PUT "), h.finals[0])
		require.NotEqual(t, "PUT 0", h.finals[0], "the zip went along")
	}
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, 300} {
		h := &uploadHost{redirect: code}
		_, err := submitTo(t, h.start(t, false))
		require.Error(t, err, code)
		require.Empty(t, h.finals, "the redirect is not followed (%d)", code)
		require.NotContains(t, err.Error(), "PRESIGNED")
	}
}

// TestUploadRedirectToPlainHTTPIsRefused: an https upload host may not send the zip (the
// selfie, the ID data) to plain http, even on loopback.
func TestUploadRedirectToPlainHTTPIsRefused(t *testing.T) {
	plain := &uploadHost{}
	plainSrv := httptest.NewServer(http.HandlerFunc(plain.final))
	t.Cleanup(plainSrv.Close)
	h := &uploadHost{redirect: http.StatusTemporaryRedirect, target: plainSrv.URL + "/final"}
	_, err := submitTo(t, h.start(t, true))
	require.ErrorContains(t, err, "not https")
	require.Empty(t, plain.finals)
}

// noRequestTransport answers like many partners' test doubles: a response without its
// Request.
type noRequestTransport struct{ body string }

func (t noRequestTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(t.body))}, nil
}

// TestDebugLogWithResponseWithoutRequest: the debug log used to dereference rsp.Request.
func TestDebugLogWithResponseWithoutRequest(t *testing.T) {
	var logs bytes.Buffer
	c, err := smileid.NewClient("212", "key", smileid.WithHTTPClient(&http.Client{Transport: noRequestTransport{`{"id_types":{}}`}}),
		smileid.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	_, err = c.Utilities.GetServices(context.Background())
	require.NoError(t, err)
	require.Contains(t, logs.String(), "status=200")
}

// TestUploadHostTextNeverReachesErrorsOrLogs: the upload host's non-XML error text, and a
// Location header that does not parse, both echo the presigned query. Neither reaches the
// error nor the retry and debug logs.
func TestUploadHostTextNeverReachesErrorsOrLogs(t *testing.T) {
	const secret = "SECRETSIG0123"
	for name, respond := range map[string]func(w http.ResponseWriter, r *http.Request){
		"plain-text body": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "upstream said: PUT "+r.URL.String()+" X-Amz-Security-Token="+secret+" failed")
		},
		"malformed Location header line": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			conn, buf, err := w.(http.Hijacker).Hijack()
			require.NoError(t, err)
			defer conn.Close()
			_, _ = buf.WriteString("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1/x?X-Amz-Signature=" + secret + "\x7f\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			_ = buf.Flush()
		},
		"unparsable Location": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Location", "http://[::1/x?X-Amz-Signature="+secret)
			w.WriteHeader(http.StatusTemporaryRedirect)
		},
	} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			mux := http.NewServeMux()
			var srv *httptest.Server
			mux.HandleFunc("POST /v1/upload", func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, `{"code":"2202","smile_job_id":"0000000001","upload_url":"`+srv.URL+`/up?X-Amz-Signature=`+secret+`"}`)
			})
			mux.HandleFunc("/up", respond)
			srv = httptest.NewServer(mux)
			defer srv.Close()
			c, err := smileid.NewClient("212", "key", smileid.WithBaseURL(srv.URL+"/v1"), smileid.WithValidationAPI(false),
				smileid.WithRetryPolicy(fastRetry), smileid.WithCallbackURL("https://partner.example/cb"),
				smileid.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			require.NoError(t, err)
			_, err = c.WebAPI.SubmitJob(context.Background(), smileid.Job{PartnerParams: jobParams("leak", smileid.SmartSelfieRegistration), Images: []smileid.Image{selfie}})
			require.Error(t, err)
			require.NotContains(t, err.Error(), secret)
			require.NotContains(t, logs.String(), secret)
			require.Contains(t, logs.String(), "smileid retry", "the failure was logged")
		})
	}
}
