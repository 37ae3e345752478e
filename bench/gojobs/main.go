// Command gojobs submits Biometric KYC jobs (job type 1, a callback URL, no polling) with
// the Go SDK, as bench/node/jobs.js does with the official Node SDK, against a running
// `smileid fake --tls`. See BENCHMARKS.md for how the two are run side by side.
//
// Usage: gojobs -jobs 200 -inflight 16 [-base64] IMAGE...
//
// IMAGE... are the job's images, in order: files of image types 0, 1 (selfie, ID card),
// or with -base64 the files' base64 as image types 2, 3, 6, 7. The environment gives
// SMILEID_PARTNER_ID, SMILEID_API_KEY, SMILEID_SERVER (as `smileid fake` prints them) and
// SSL_CERT_FILE (the fake's certificate, which Go's TLS then trusts). The client is the
// SDK's default: its own transport, the services document checked.
package main

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net/http/httptrace"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

func main() {
	jobs := flag.Int("jobs", 1, "jobs to submit")
	inFlight := flag.Int("inflight", 1, "jobs in flight at once")
	asBase64 := flag.Bool("base64", false, "send the images as base64 (image types 2, 3, 6, 7); files named *.b64 hold base64 text already")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to `file`")
	countHandshakes := flag.Bool("handshakes", false, "print the number of TLS handshakes and requests to stderr")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "gojobs:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	var handshakes, requests atomic.Int64
	if *countHandshakes {
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			TLSHandshakeStart: func() { handshakes.Add(1) },
			GotConn:           func(httptrace.GotConnInfo) { requests.Add(1) },
		})
		defer func() {
			fmt.Fprintf(os.Stderr, "TLS handshakes: %d, requests: %d\n", handshakes.Load(), requests.Load())
		}()
	}
	if err := run(ctx, *jobs, *inFlight, *asBase64, flag.Args()); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "gojobs:", err)
		os.Exit(1)
	}
}

// readBase64 returns the base64 text of the image in path: the file itself when it is
// named *.b64 (a partner holding base64 from a mobile app), else the file encoded.
func readBase64(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if strings.HasSuffix(path, ".b64") {
		b.Grow(int(st.Size()))
		_, err = io.Copy(&b, f)
		return b.String(), err
	}
	b.Grow(base64.StdEncoding.EncodedLen(int(st.Size())))
	enc := base64.NewEncoder(base64.StdEncoding, &b)
	if _, err := io.Copy(enc, f); err != nil {
		return "", err
	}
	err = enc.Close()
	return b.String(), err
}

func run(ctx context.Context, jobs, inFlight int, asBase64 bool, paths []string) error {
	if jobs < 1 || inFlight < 1 || len(paths) == 0 || len(paths) > 4 || !asBase64 && len(paths) > 2 {
		return fmt.Errorf("usage: gojobs -jobs N -inflight K [-base64] IMAGE [IMAGE]")
	}
	c, err := smileid.NewClient(os.Getenv("SMILEID_PARTNER_ID"), os.Getenv("SMILEID_API_KEY"),
		smileid.WithBaseURL(os.Getenv("SMILEID_SERVER")), smileid.WithCallbackURL("https://127.0.0.1:9/callback"))
	if err != nil {
		return err
	}
	var images []smileid.Image
	for i, p := range paths {
		if !asBase64 {
			images = append(images, smileid.ImageFile([]smileid.ImageType{smileid.ImageSelfieFile, smileid.ImageIDCardFile}[i], p))
			continue
		}
		text, err := readBase64(p)
		if err != nil {
			return err
		}
		t := []smileid.ImageType{smileid.ImageSelfieBase64, smileid.ImageIDCardBase64, smileid.ImageLivenessBase64, smileid.ImageIDCardBackBase64}[i]
		images = append(images, smileid.ImageBase64(t, text))
	}
	info := smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000", Entered: smileid.EnteredTrue}
	prefix := fmt.Sprintf("go-%d", os.Getpid())
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, inFlight)
	for w := 0; w < inFlight; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(jobs); i = next.Add(1) {
				_, err := c.WebAPI.SubmitJob(ctx, smileid.Job{
					PartnerParams: smileid.PartnerParams{UserID: "bench", JobID: fmt.Sprintf("%s-%d", prefix, i), JobType: smileid.BiometricKYC},
					IDInfo:        info,
					Images:        images,
				})
				if err != nil {
					errs <- fmt.Errorf("job %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}
