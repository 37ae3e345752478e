package smileid_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// BenchmarkSubmitJob runs the whole Biometric KYC flow against the fake (which completes
// the job when its zip arrives): validation, image checks, prep upload, zip, upload, one
// poll with the signature verified. Most of the time is the fake's spec validation.
func BenchmarkSubmitJob(b *testing.B) {
	srv := smileidtest.NewServer(b, smileidtest.WithCompletion(0, 0))
	c, err := srv.NewClient(smileid.WithValidationAPI(false))
	if err != nil {
		b.Fatal(err)
	}
	info := smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000", Entered: smileid.EnteredTrue}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, err := c.WebAPI.SubmitJob(context.Background(), smileid.Job{
			PartnerParams: smileid.PartnerParams{UserID: "bench", JobID: fmt.Sprintf("bench-%d", i), JobType: smileid.BiometricKYC},
			IDInfo:        info,
			Images:        []smileid.Image{selfie, idCard, liveness},
			Options:       smileid.JobOptions{ReturnJobStatus: true},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// The benchmarks below are the cases of the side-by-side comparison in BENCHMARKS.md:
// Biometric KYC jobs with a callback and no polling, against the fake over TLS on
// loopback, with the SDK's own transport (no WithHTTPClient). The fake keeps every job and
// every request it received, so it is replaced (timer stopped) every benchFakeJobs jobs.
// Allocation figures include the fake's, which run in the same process.

const benchFakeJobs = 200

var benchInfo = smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000", Entered: smileid.EnteredTrue}

// benchImage writes a file of size bytes that starts like a JPEG.
func benchImage(b *testing.B, size int) string {
	b.Helper()
	data := make([]byte, size)
	_, _ = rand.Read(data)
	copy(data, []byte{0xFF, 0xD8, 0xFF, 0xE0})
	path := filepath.Join(b.TempDir(), fmt.Sprintf("img-%d.jpg", size))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// benchFake is a fake and a client of it, replaced every benchFakeJobs jobs.
type benchFake struct {
	b    *testing.B
	srv  *smileidtest.Server
	c    *smileid.Client
	jobs int
	// handshakes counts the TLS handshakes the client started.
	handshakes atomic.Int64
}

func newBenchFake(b *testing.B) *benchFake {
	f := &benchFake{b: b}
	f.restart()
	return f
}

func (f *benchFake) restart() {
	if f.srv != nil {
		f.srv.Close()
	}
	srv, err := smileidtest.Start(smileidtest.WithCompletion(1, time.Hour))
	if err != nil {
		f.b.Fatal(err)
	}
	c, err := smileid.NewClient(srv.PartnerID, srv.APIKey, benchClientOptions(srv)...)
	if err != nil {
		f.b.Fatal(err)
	}
	f.srv, f.c, f.jobs = srv, c, 0
}

func (f *benchFake) close() {
	if f.srv != nil {
		f.srv.Close()
	}
}

// maybeRestart replaces the fake (with the timer stopped) once it has held n more jobs.
func (f *benchFake) maybeRestart(n int) {
	if f.jobs+n > benchFakeJobs {
		f.b.StopTimer()
		f.restart()
		f.b.StartTimer()
	}
	f.jobs += n
}

func (f *benchFake) ctx() context.Context {
	return httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		TLSHandshakeStart: func() { f.handshakes.Add(1) },
	})
}

func (f *benchFake) submit(ctx context.Context, id string, images []smileid.Image) {
	_, err := f.c.WebAPI.SubmitJob(ctx, smileid.Job{
		PartnerParams: smileid.PartnerParams{UserID: "bench", JobID: id, JobType: smileid.BiometricKYC},
		IDInfo:        benchInfo,
		Images:        images,
		Options:       smileid.JobOptions{CallbackURL: "https://127.0.0.1:9/callback"},
	})
	if err != nil {
		f.b.Error(err)
	}
}

// BenchmarkJob2x1MiB is case a: one job at a time, a selfie and an ID card of 1 MiB each.
func BenchmarkJob2x1MiB(b *testing.B) {
	images := []smileid.Image{smileid.SelfieFile(benchImage(b, 1<<20)), smileid.IDCardFile(benchImage(b, 1<<20+1))}
	f := newBenchFake(b)
	defer f.close()
	ctx := f.ctx()
	b.SetBytes(2 << 20)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.maybeRestart(1)
		f.submit(ctx, fmt.Sprintf("job-%d", i), images)
	}
}

// BenchmarkJobBase64_4x8MiB is case d: one job with four base64 images of 8 MiB each
// (42.7 MiB of base64 text inside info.json).
func BenchmarkJobBase64_4x8MiB(b *testing.B) {
	var images []smileid.Image
	for i, t := range []smileid.ImageType{smileid.ImageSelfieBase64, smileid.ImageIDCardBase64, smileid.ImageLivenessBase64, smileid.ImageIDCardBackBase64} {
		raw, err := os.ReadFile(benchImage(b, 8<<20-i))
		if err != nil {
			b.Fatal(err)
		}
		images = append(images, smileid.ImageBase64(t, base64.StdEncoding.EncodeToString(raw)))
	}
	f := newBenchFake(b)
	defer f.close()
	ctx := f.ctx()
	b.SetBytes(int64(4 * base64.StdEncoding.EncodedLen(8<<20)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.maybeRestart(benchFakeJobs) // a fresh fake each time: it keeps every zip
		f.submit(ctx, fmt.Sprintf("job-%d", i), images)
	}
}

// BenchmarkJobs16InFlight is case b: jobs of a selfie and an ID card (64 KiB each here, so
// that the fake's memory stays small), 16 in flight against one host. It reports the TLS
// handshakes per job: with connections reused, a batch of benchFakeJobs jobs costs at most
// 16 handshakes (0.08 per job).
func BenchmarkJobs16InFlight(b *testing.B) {
	images := []smileid.Image{smileid.SelfieFile(benchImage(b, 64<<10)), smileid.IDCardFile(benchImage(b, 64<<10+1))}
	f := newBenchFake(b)
	defer f.close()
	ctx := f.ctx()
	b.ReportAllocs()
	b.ResetTimer()
	const inFlight = 16
	for done := 0; done < b.N; {
		n := min(b.N-done, benchFakeJobs)
		f.maybeRestart(n)
		var wg sync.WaitGroup
		next := atomic.Int64{}
		for w := 0; w < inFlight; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= n {
						return
					}
					f.submit(ctx, fmt.Sprintf("job-%d", done+i), images)
				}
			}()
		}
		wg.Wait()
		done += n
	}
	b.ReportMetric(float64(f.handshakes.Load())/float64(b.N), "handshakes/op")
}

// benchClientOptions points a client at the fake with the SDK's own transport (trusting
// the fake's certificate), as a partner's client without WithHTTPClient. (Before the SDK
// had its own transport the benchmarks used the fake's client: http.DefaultTransport's
// settings, 2 idle connections per host.)
func benchClientOptions(srv *smileidtest.Server) []smileid.Option {
	return []smileid.Option{smileid.WithBaseURL(srv.URL), trustFake(srv), smileid.WithValidationAPI(false)}
}
