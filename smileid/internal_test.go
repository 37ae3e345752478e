package smileid

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	p := RetryPolicy{MaxRetries: 5, InitialBackoff: 100 * time.Millisecond, MaxBackoff: 350 * time.Millisecond}
	for n, want := range []time.Duration{100, 200, 350, 350, 350} {
		want *= time.Millisecond
		for i := 0; i < 50; i++ {
			d := p.backoff(n)
			require.LessOrEqual(t, d, want, "retry %d", n)
			require.GreaterOrEqual(t, d, want-want/4, "retry %d: at most 25 %% jitter", n)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	h := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	require.Equal(t, 7*time.Second, parseRetryAfter(h("7"), now))
	require.Equal(t, 90*time.Second, parseRetryAfter(h(now.Add(90*time.Second).Format(http.TimeFormat)), now))
	require.Zero(t, parseRetryAfter(h(now.Add(-time.Minute).Format(http.TimeFormat)), now))
	require.Zero(t, parseRetryAfter(h("-3"), now))
	require.Zero(t, parseRetryAfter(h("soon"), now))
	require.Zero(t, parseRetryAfter(http.Header{}, now))
}

func TestPolicyValidation(t *testing.T) {
	require.NoError(t, DefaultRetryPolicy().validate())
	require.NoError(t, DefaultPollPolicy().validate())
	require.NoError(t, RetryPolicy{}.validate(), "no retries")
	require.Error(t, RetryPolicy{MaxRetries: -1}.validate())
	require.Error(t, RetryPolicy{MaxRetries: 11, InitialBackoff: 1, MaxBackoff: 1}.validate())
	require.Error(t, RetryPolicy{MaxRetries: 1}.validate())
	require.Error(t, PollPolicy{InitialInterval: 2, MaxInterval: 1, MaxWait: 1, MaxErrors: 1}.validate())
	require.Error(t, PollPolicy{InitialInterval: 1, MaxInterval: 1, MaxErrors: 1}.validate())
	require.Error(t, PollPolicy{InitialInterval: 1, MaxInterval: 1, MaxWait: 1}.validate())
}

func TestNewAPIError(t *testing.T) {
	e := newAPIError(OpUpload, 400, []byte(`{"code":2215,"error":"Job already exists"}`), 0)
	require.Equal(t, "2215", e.Code)
	require.Equal(t, "smileid: upload: HTTP 400 Bad Request: code 2215: Job already exists", e.Error())
	e = newAPIError(OpJobStatus, 400, []byte(`{"code":"2213","message":"missing"}`), 0)
	require.Equal(t, "2213", e.Code)
	require.Equal(t, "missing", e.Message)
	// A proxy's HTML page is not pasted into the error: the status line says it all.
	e = newAPIError(OpJobStatus, 502, []byte("<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>"), 0)
	require.Empty(t, e.Message)
	require.Equal(t, "smileid: job_status: HTTP 502 Bad Gateway", e.Error())
	require.True(t, e.Temporary())
	e = newAPIError(OpUpload, 503, []byte("upstream connect error\x1b[31m"), 0)
	require.Equal(t, "smileid: upload: HTTP 503 Service Unavailable", e.Error())
	xmlBody := []byte(`<Error><Code>SignatureDoesNotMatch</Code><Message>The signature</Message><StringToSign>SECRET</StringToSign><AWSAccessKeyId>AKIA</AWSAccessKeyId></Error>`)
	e = newAPIError(OpUploadZip, 403, xmlBody, 0)
	require.Equal(t, "SignatureDoesNotMatch", e.Code)
	require.Empty(t, e.Body, "S3 error bodies can echo credentials")
	require.NotContains(t, e.Error(), "SECRET")
	long := append(append([]byte(`{"error":"`), bytes.Repeat([]byte("é"), 1000)...), `"}`...)
	e = newAPIError(OpToken, 500, long, 0)
	require.LessOrEqual(t, len(e.Message), 304)
	require.True(t, len(e.Message) > 0 && e.Message[len(e.Message)-3:] == "...")
}

func TestRedaction(t *testing.T) {
	u, _ := url.Parse("https://user:pw@bucket.s3.amazonaws.com/a/selfie.zip?X-Amz-Signature=abc&X-Amz-Credential=def#frag")
	require.Equal(t, "https://bucket.s3.amazonaws.com/a/selfie.zip?[REDACTED]", redactURL(u))
	err := sanitizeTransportError(&url.Error{Op: "Put", URL: u.String(), Err: errors.New("connection reset")})
	require.Equal(t, `Put "https://bucket.s3.amazonaws.com/a/selfie.zip?[REDACTED]": connection reset`, err.Error())
	require.NotContains(t, fmt.Sprint(err), "X-Amz")
}

// writeImages writes n JPEG-shaped files of size bytes.
func writeImages(t testing.TB, n int, size int) []preparedImage {
	t.Helper()
	dir := t.TempDir()
	var out []preparedImage
	for i := 0; i < n; i++ {
		b := make([]byte, size)
		copy(b, jpegMagic)
		for j := len(jpegMagic); j < size; j++ {
			b[j] = byte(j * (i + 7))
		}
		path := filepath.Join(dir, fmt.Sprintf("img%d.jpg", i))
		require.NoError(t, os.WriteFile(path, b, 0o600))
		p, err := prepareImage(context.Background(), "x", ImageFile(ImageLivenessFile, path))
		require.NoError(t, err)
		out = append(out, p)
	}
	t.Cleanup(func() { releaseImages(out) })
	return out
}

// streamed returns files read from disk for the upload, as files too large to be kept
// in memory are (their buffers given back).
func streamed(files []preparedImage) []preparedImage {
	releaseImages(files)
	return files
}

// TestZipSizeIsExact checks that the announced Content-Length is the zip's length, and
// that the zip reads back: info.json first, STORE, the same bytes.
func TestZipSizeIsExact(t *testing.T) {
	plan := &zipPlan{info: rawInfoJSON([]byte(`{"images":[]}`)), files: writeImages(t, 3, 5000), modTime: time.Date(2026, 11, 25, 18, 33, 7, 0, time.UTC)}
	var buf bytes.Buffer
	require.NoError(t, plan.writeTo(&buf))
	require.Equal(t, plan.size(), int64(buf.Len()))
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	require.Equal(t, "info.json", zr.File[0].Name)
	for i, f := range zr.File {
		require.Equal(t, zip.Store, f.Method)
		require.Equal(t, time.Date(2026, 11, 25, 18, 33, 6, 0, time.UTC), f.Modified.UTC().Truncate(2*time.Second), "DOS time has 2 s steps")
		if i > 0 {
			rc, err := f.Open()
			require.NoError(t, err)
			got, err := io.ReadAll(rc) // the reader checks the CRC
			require.NoError(t, err)
			require.Len(t, got, 5000)
		}
	}
}

func TestZipDetectsAChangedFile(t *testing.T) {
	files := streamed(writeImages(t, 1, 4000))
	plan := &zipPlan{info: rawInfoJSON([]byte(`{}`)), files: files}
	r, err := files[0].open()
	require.NoError(t, err)
	path := r.(*os.File).Name()
	r.Close()
	require.NoError(t, os.WriteFile(path, append(jpegMagic, bytes.Repeat([]byte{1}, 3997)...), 0o600))
	require.ErrorIs(t, plan.writeTo(io.Discard), errImageChanged)
	require.False(t, retryableTransportError(fmt.Errorf("wrapped: %w", errImageChanged)))
}

// TestZipMemoryDoesNotGrowWithImageSize: checking a job's images (the CRC pass) and
// producing its zip allocate the same number of times and a few kilobytes, whatever the
// images' size: 1 and 2 MiB files kept in memory from the check to the upload (in pooled
// buffers), 8 and 16 MiB files streamed from disk both times.
func TestZipMemoryDoesNotGrowWithImageSize(t *testing.T) {
	job := func(files []preparedImage, kept bool) func() {
		images := make([]Image, len(files))
		for i, f := range files {
			r, err := f.open()
			require.NoError(t, err)
			images[i] = ImageFile(ImageLivenessFile, r.(*os.File).Name())
			r.Close()
		}
		return func() {
			prepared, err := prepareImages(context.Background(), images)
			require.NoError(t, err)
			for _, p := range prepared {
				require.Equal(t, kept, p.held != nil, "kept in memory")
			}
			plan := &zipPlan{info: rawInfoJSON([]byte(`{}`)), files: prepared}
			require.NoError(t, plan.writeTo(io.Discard))
			plan.release()
		}
	}
	jobs := map[string]func(){
		"1 MiB":  job(streamed(writeImages(t, 2, 1<<20)), true),
		"2 MiB":  job(streamed(writeImages(t, 2, 2<<20)), true),
		"8 MiB":  job(writeImages(t, 2, 8<<20), false),
		"16 MiB": job(writeImages(t, 2, 16<<20), false),
	}
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers at random")
	}
	// A garbage collection during a run empties the buffer pools and adds allocations
	// that have nothing to do with image size: no collection while counting.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	allocs := map[string]float64{}
	for name, run := range jobs {
		run() // warm the buffer pools
		allocs[name] = testing.AllocsPerRun(3, run)
		require.Less(t, allocs[name], 60.0, name)
		require.Less(t, totalAlloc(run), uint64(64<<10), "bytes allocated for two %s images", name)
	}
	require.Equal(t, allocs["1 MiB"], allocs["2 MiB"], "allocations of kept files: %v", allocs)
	require.Equal(t, allocs["8 MiB"], allocs["16 MiB"], "allocations of streamed files: %v", allocs)
	require.Zero(t, heldBytes.Load(), "every buffer given back")
}

func BenchmarkZipStream(b *testing.B) {
	for _, size := range []int{1 << 20, 16 << 20} {
		plan := &zipPlan{info: rawInfoJSON(bytes.Repeat([]byte("x"), 2000)), files: writeImages(b, 3, size)}
		b.Run(fmt.Sprintf("3x%dMiB", size>>20), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(plan.size())
			for i := 0; i < b.N; i++ {
				if err := plan.writeTo(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestDosTime(t *testing.T) {
	d, c := dosTime(time.Date(2026, 11, 25, 18, 33, 7, 0, time.UTC))
	require.Equal(t, uint16((2026-1980)<<9|11<<5|25), d)
	require.Equal(t, uint16(18<<11|33<<5|3), c)
	d, _ = dosTime(time.Unix(0, 0))
	require.Equal(t, uint16(1<<5|1), d, "times before 1980 become 1980-01-01")
}

func TestUserAgent(t *testing.T) {
	ua := userAgent(nil)
	require.Contains(t, ua, "smileid-go/"+Version+" (go")
	ua = userAgent(&appInfo{"acme-kyc", "2.1.0", "https://acme.example"})
	require.Contains(t, ua, " acme-kyc/2.1.0 (https://acme.example)")
}

func TestRetryAfterBounds(t *testing.T) {
	now := time.Now()
	huge := parseRetryAfter(http.Header{"Retry-After": {"18446744074"}}, now)
	require.Greater(t, huge, DefaultRetryPolicy().maxRetryAfter(), "a huge Retry-After is over any cap, not wrapped around")
	require.Equal(t, 30*time.Second, RetryPolicy{MaxRetries: 1}.maxRetryAfter(), "zero means the default cap")
	require.Equal(t, time.Second, RetryPolicy{MaxRetryAfter: time.Second}.maxRetryAfter())
}

// BenchmarkBase64Zip is the SDK's own work for a job of four 8 MiB base64 images, without
// a server: checking the images, building info.json and writing the zip.
func BenchmarkBase64Zip(b *testing.B) {
	var images []Image
	for i, t := range []ImageType{ImageSelfieBase64, ImageIDCardBase64, ImageLivenessBase64, ImageIDCardBackBase64} {
		raw := bytes.Repeat([]byte{byte(i), 0x55, 0xAA}, (8<<20)/3)
		copy(raw, jpegMagic)
		images = append(images, ImageBase64(t, base64.StdEncoding.EncodeToString(raw)))
	}
	job := Job{PartnerParams: PartnerParams{UserID: "u", JobID: "j", JobType: BiometricKYC}, Images: images}
	upload := []byte(`{"upload_url":"https://127.0.0.1/upload","smile_job_id":"0000000001"}`)
	b.SetBytes(int64(4 * base64.StdEncoding.EncodedLen(8<<20)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := jobZipOnce(job, upload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFileJobZip is the SDK's own work for a job of two 1 MiB files, without a
// server: checking them (the CRC pass), building info.json and producing the zip.
func BenchmarkFileJobZip(b *testing.B) {
	files := writeImages(b, 2, 1<<20)
	var images []Image
	for i, f := range files {
		r, err := f.open()
		if err != nil {
			b.Fatal(err)
		}
		images = append(images, ImageFile([]ImageType{ImageSelfieFile, ImageIDCardFile}[i], r.(*os.File).Name()))
		r.Close()
	}
	job := Job{PartnerParams: PartnerParams{UserID: "u", JobID: "j", JobType: BiometricKYC}, Images: images}
	upload := []byte(`{"upload_url":"https://127.0.0.1/upload","smile_job_id":"0000000001"}`)
	b.SetBytes(2 << 20)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := jobZipOnce(job, upload); err != nil {
			b.Fatal(err)
		}
	}
}
