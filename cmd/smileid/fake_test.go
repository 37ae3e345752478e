package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// TestMain lets TestFakeProcessStopsOnSignal run this test binary as the smileid command
// itself (main, with its real signal handling) in a child process.
func TestMain(m *testing.M) {
	if args := os.Getenv("SMILEID_TEST_RUN_MAIN"); args != "" {
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(99)
		}
		os.Args = append([]string{"smileid"}, argv...)
		main()
		return
	}
	os.Exit(m.Run())
}

// startFakeProcess runs `smileid fake --tls` as a child process and returns it, its base
// URL and a client trusting the CA file it wrote.
func startFakeProcess(t *testing.T) (*exec.Cmd, string, *http.Client, *syncBuffer) {
	t.Helper()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	argv, _ := json.Marshal([]string{"fake", "--addr", "127.0.0.1:0", "--tls", "--cert-file", caFile})
	cmd := exec.Command(os.Args[0])
	// GORACE: under -race, a process sleeps 1 s at exit by default (atexit_sleep_ms), which
	// the smileid command built normally does not.
	cmd.Env = append(os.Environ(), "SMILEID_TEST_RUN_MAIN="+string(argv), "GORACE=atexit_sleep_ms=0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := new(syncBuffer)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var base string
	timeout := time.After(30 * time.Second)
	for base == "" || !fileExists(caFile) {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("smileid fake exited early: %s", stderr)
			}
			if v, found := strings.CutPrefix(line, "export SMILEID_SERVER="); found {
				base = v
			}
		case <-timeout:
			t.Fatalf("smileid fake printed no server URL: %s", stderr)
		}
	}
	go func() {
		for range lines {
		}
	}()
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("the CA file holds no certificate")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	return cmd, base, hc, stderr
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// TestFakeProcessStopsOnSignal runs `smileid fake --tls` as a process, keeps a request
// and a callback in flight (a half-sent request body, a callback receiver that never
// answers), and checks that SIGTERM or SIGINT still stops it, with status 0, within a
// second.
func TestFakeProcessStopsOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd, base, hc, stderr := startFakeProcess(t)

			// A callback receiver that accepts connections and never answers.
			hang, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer hang.Close()
			accepted := make(chan net.Conn, 4)
			go func() {
				for {
					c, err := hang.Accept()
					if err != nil {
						return
					}
					accepted <- c
				}
			}()

			client, err := smileid.NewClient("212", "smileidtest-api-key-0000", smileid.WithBaseURL(base), smileid.WithHTTPClient(hc))
			if err != nil {
				t.Fatal(err)
			}
			_, err = client.WebAPI.SubmitJob(context.Background(), smileid.Job{
				PartnerParams: smileid.PartnerParams{UserID: "u-sig", JobID: "j-sig", JobType: smileid.SmartSelfieRegistration},
				Images:        []smileid.Image{smileid.SelfieFile("../../testdata/conformance/fixtures/selfie.jpg")},
				Options:       smileid.JobOptions{CallbackURL: "https://" + hang.Addr().String() + "/cb"},
			})
			if err != nil {
				t.Fatalf("submit: %v; fake: %s", err, stderr)
			}
			select {
			case c := <-accepted:
				defer c.Close()
			case <-time.After(10 * time.Second):
				t.Fatal("the fake sent no callback")
			}

			// A request whose body never arrives in full: its handler is in flight.
			conn, err := tls.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(base, "https://"), "/v1"), hc.Transport.(*http.Transport).TLSClientConfig)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "POST /v1/job_status HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"user_id\":")
			time.Sleep(50 * time.Millisecond) // let the handler start reading

			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				took := time.Since(sent)
				if err != nil {
					t.Fatalf("smileid fake exited with %v: %s", err, stderr)
				}
				t.Logf("stopped %v after %v", sig, took)
			case <-time.After(time.Second):
				err := <-done
				t.Fatalf("smileid fake still ran 1 s after %v (it ended %v later, with %v): %s", sig, time.Since(sent), err, stderr)
			}
			if !strings.Contains(stderr.String(), "smileid fake: stopped") {
				t.Errorf("stderr: %s", stderr)
			}
		})
	}
}

// TestFakeProcessServesAfterBadInput checks that the standalone fake refuses malformed
// requests with HTTP 400 and goes on serving.
func TestFakeProcessServesAfterBadInput(t *testing.T) {
	_, base, hc, stderr := startFakeProcess(t)
	for _, body := range []string{`{`, `[]`, `{"user_id":null}`, strings.Repeat("[", 10000)} {
		rsp, err := hc.Post(base+"/job_status", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, rsp.Body)
		rsp.Body.Close()
		if rsp.StatusCode != http.StatusBadRequest {
			t.Errorf("%.20s: HTTP %d", body, rsp.StatusCode)
		}
	}
	rsp, err := hc.Get(base + "/services")
	if err != nil {
		t.Fatal(err)
	}
	rsp.Body.Close()
	if rsp.StatusCode != http.StatusOK {
		t.Fatalf("GET /services after bad input: HTTP %d; %s", rsp.StatusCode, stderr)
	}
}

// TestFakeCompletion checks when the standalone fake completes a job: as soon as its zip
// arrives by default (a polling SDK finishes on its first poll), after N pending polls
// with --pending-polls N.
func TestFakeCompletion(t *testing.T) {
	for _, c := range []struct {
		args  []string
		polls int // the polls a job takes to complete
	}{{nil, 1}, {[]string{"--pending-polls", "2"}, 3}} {
		receiver := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		defer receiver.Close()
		vars, _ := standaloneFake(t, append([]string{"--addr", "127.0.0.1:0"}, c.args...)...)
		client, err := smileid.NewClient(vars["SMILEID_PARTNER_ID"], vars["SMILEID_API_KEY"], smileid.WithBaseURL(vars["SMILEID_SERVER"]),
			smileid.WithPollPolicy(smileid.PollPolicy{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond, MaxWait: 10 * time.Second, MaxErrors: 1}))
		if err != nil {
			t.Fatal(err)
		}
		polls := 0
		ctx := context.Background()
		_, err = client.WebAPI.SubmitJob(ctx, smileid.Job{
			PartnerParams: smileid.PartnerParams{UserID: "u", JobID: "j", JobType: smileid.SmartSelfieRegistration},
			Images:        []smileid.Image{smileid.SelfieFile("../../testdata/conformance/fixtures/selfie.jpg")},
			Options:       smileid.JobOptions{CallbackURL: receiver.URL + "/cb"},
		})
		if err != nil {
			t.Fatal(err)
		}
		for {
			st, err := client.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: "u", JobID: "j"})
			if err != nil {
				t.Fatal(err)
			}
			polls++
			if st.JobComplete || polls > 5 {
				break
			}
		}
		if polls != c.polls {
			t.Errorf("fake %v: the job completed on poll %d, want %d", c.args, polls, c.polls)
		}
	}
}
