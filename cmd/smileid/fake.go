package main

import (
	"context"
	"encoding/pem"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// shutdownGrace bounds how long `smileid fake` waits, once told to stop, for requests and
// callbacks in flight: it exits within it whatever they do.
const shutdownGrace = 300 * time.Millisecond

// cmdFake serves the SDK's fake Smile ID server (package smileidtest) until ctx is done
// (SIGINT or SIGTERM). It always uses the fake's own test credentials, never the
// environment's: those may be real, and they are printed.
func cmdFake(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "fake", "[--addr 127.0.0.1:8080] [--tls [--cert-file FILE]] [--pending-polls N] [--complete-after DURATION] [--retain-mib N]")
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `address` (port 0 picks a free port)")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a self-signed certificate instead of plain HTTP")
	certFile := fs.String("cert-file", "", "with --tls, write the certificate (PEM) to `file` (default: a temporary file, removed on exit)")
	pendingPolls := fs.Int("pending-polls", 0, "answer a job's first `n` polls pending (0: a job completes as soon as its zip arrives)")
	completeAfter := fs.Duration("complete-after", 0, "with --pending-polls, complete a job this `long` after its zip arrived even if not polled (default 1s)")
	retainMiB := fs.Int64("retain-mib", smileidtest.DefaultStartRetention>>20, "keep at most `N` MiB of the request bodies and zip images received, the most recent (0: keep everything)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *retainMiB < 0 || *retainMiB > 1<<40 {
		return usageError("--retain-mib must be between 0 and 2^40")
	}
	if *certFile != "" && !*useTLS {
		return usageError("--cert-file needs --tls")
	}
	if *pendingPolls < 0 || *completeAfter < 0 {
		return usageError("--pending-polls and --complete-after must not be negative")
	}
	if *pendingPolls > 0 && *completeAfter == 0 {
		*completeAfter = time.Second
	}
	logger := log.New(e.stderr, "", log.LstdFlags)
	opts := []smileidtest.Option{smileidtest.WithAddr(*addr), smileidtest.WithCompletion(*pendingPolls, *completeAfter), smileidtest.WithLogf(logger.Printf), smileidtest.WithRetention(*retainMiB << 20)}
	if !*useTLS {
		opts = append(opts, smileidtest.WithPlainHTTP())
	}
	srv, err := smileidtest.Start(opts...)
	if err != nil {
		return failure("starting the fake on %s: %v", *addr, err)
	}
	closed := false
	defer func() {
		if !closed {
			srv.Close()
		}
	}()

	var certPath string
	if *useTLS {
		certPath = *certFile
		if certPath == "" {
			dir, err := os.MkdirTemp("", "smileid-fake-")
			if err != nil {
				return failure("creating the certificate file: %v", err)
			}
			defer os.RemoveAll(dir)
			certPath = filepath.Join(dir, "fake-ca.pem")
		}
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		if err := os.WriteFile(certPath, pemBytes, 0o644); err != nil {
			return failure("writing the certificate: %v", err)
		}
		if abs, err := filepath.Abs(certPath); err == nil {
			certPath = abs
		}
	}

	fmt.Fprintf(e.stdout, "export SMILEID_PARTNER_ID=%s\n", shellQuote(srv.PartnerID))
	fmt.Fprintf(e.stdout, "export SMILEID_API_KEY=%s\n", shellQuote(srv.APIKey))
	fmt.Fprintf(e.stdout, "export SMILEID_SERVER=%s\n", shellQuote(srv.URL))
	if certPath != "" {
		fmt.Fprintf(e.stdout, "export SSL_CERT_FILE=%s\n", shellQuote(certPath))
	}
	fmt.Fprintf(e.stderr, "smileid fake: serving a fake Smile ID v1 API at %s (test credentials above); Ctrl-C to stop\n", srv.URL)
	<-ctx.Done()
	// Stop within shutdownGrace: a request or a callback in flight (to a receiver that
	// never answers, say) must not keep the process alive after SIGTERM.
	closed = true
	done := make(chan struct{})
	go func() {
		srv.Close()
		close(done)
	}()
	select {
	case <-done:
		fmt.Fprintln(e.stderr, "smileid fake: stopped")
	case <-time.After(shutdownGrace):
		fmt.Fprintln(e.stderr, "smileid fake: stopped (without waiting for requests or callbacks in flight)")
	}
	return nil
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-./:@%+=,", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
