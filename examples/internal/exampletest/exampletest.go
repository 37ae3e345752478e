// Package exampletest holds what the examples' tests share: running an example's run
// function against a fake that fails the test on any request breaking the API spec, and
// checking that a report leaks no secret.
package exampletest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// Context returns a context for one example run, ending with the test or after a minute.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Run runs an example offline against srv (a new smileidtest.NewServer(t) when nil),
// polling fast, requires it to succeed and returns its report and the fake.
func Run(t testing.TB, run exampleutil.RunFunc, srv *smileidtest.Server, args ...string) (string, *smileidtest.Server) {
	t.Helper()
	report, srv, err := RunErr(t, run, srv, args...)
	require.NoError(t, err, report)
	return report, srv
}

// RunErr is Run returning the example's error.
func RunErr(t testing.TB, run exampleutil.RunFunc, srv *smileidtest.Server, args ...string) (string, *smileidtest.Server, error) {
	t.Helper()
	if srv == nil {
		srv = smileidtest.NewServer(t)
	}
	var out bytes.Buffer
	err := run(Context(t), &out, exampleutil.Offline, args, exampleutil.WithFake(srv), exampleutil.FastPolls())
	return out.String(), srv, err
}

// Env returns a getenv reading m.
func Env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// signatureLike matches a base64 HMAC-SHA256 (44 characters, one "=").
var signatureLike = regexp.MustCompile(`[A-Za-z0-9+/]{43}=`)

// NoSecrets fails the test if the report shows the API key, something shaped like a
// signature, or a presigned upload or image URL.
func NoSecrets(t testing.TB, report, apiKey string) {
	t.Helper()
	require.NotContains(t, report, apiKey, "the API key is printed")
	require.False(t, signatureLike.MatchString(report), "a signature is printed:\n%s", report)
	for _, s := range []string{"X-Amz", "/uploads/", "/images/"} {
		require.NotContains(t, report, s, "a presigned URL is printed")
	}
}

// Buffer is a bytes.Buffer safe for concurrent use, for reports read while the example
// runs.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// WaitFor waits until the report contains s, failing the test after 20 seconds.
func (b *Buffer) WaitFor(t testing.TB, s string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(b.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("the report never showed %q:\n%s", s, b.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return b.String()
}

// Credentials of RealServer's fake, standing in for a partner's.
const (
	PartnerID = "0421"
	APIKey    = "env-api-key-7f3c9a1e5b"
)

// RealServer starts a plain-HTTP fake with the credentials above and returns it with the
// environment that points an example at it as at a real server (SMILEID_SERVER set to its
// URL), to test the examples' non-offline branch.
func RealServer(t testing.TB, opts ...smileidtest.Option) (*smileidtest.Server, map[string]string) {
	t.Helper()
	srv := smileidtest.NewServer(t, append([]smileidtest.Option{smileidtest.WithPlainHTTP(), smileidtest.WithCredentials(PartnerID, APIKey)}, opts...)...)
	return srv, map[string]string{exampleutil.EnvPartnerID: PartnerID, exampleutil.EnvAPIKey: APIKey, exampleutil.EnvServer: srv.URL}
}

// SampleFile writes a built-in sample image to a file of the test and returns its path.
func SampleFile(t testing.TB, kind exampleutil.ImageKind) string {
	t.Helper()
	b, err := exampleutil.SampleImage(kind)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), kind.SampleName())
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}
