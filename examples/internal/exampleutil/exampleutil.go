// Package exampleutil is the code the examples share: choosing between the in-process
// fake Smile ID server and a real one from the environment, the sample images, a local
// callback receiver and the readable printing of results. It is part of the examples, not
// of the SDK: copy what you need.
package exampleutil

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// The environment variables the examples read.
const (
	// EnvPartnerID and EnvAPIKey are the credentials. When both are unset the examples run
	// offline against the in-process fake; when both are set they talk to Smile ID.
	EnvPartnerID = "SMILEID_PARTNER_ID"
	EnvAPIKey    = "SMILEID_API_KEY"
	// EnvServer is "sandbox" (the default), "production", or a v1 base URL.
	EnvServer = "SMILEID_SERVER"
	// EnvCallbackURL is the https URL Smile ID POSTs results to, for the examples that
	// need one against a real server.
	EnvCallbackURL = "SMILEID_CALLBACK_URL"
)

// RunFunc is the body of an example's main: it writes its report to out, reads the
// environment through getenv and its flags from args. opts are for tests.
type RunFunc func(ctx context.Context, out io.Writer, getenv func(string) string, args []string, opts ...Option) error

// Main runs an example as run(ctx, os.Stdout, os.Getenv, os.Args[1:]), ctx ending on
// Ctrl-C. On error it prints a one-line reason to stderr and exits with status 1.
func Main(name string, run RunFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout, os.Getenv, os.Args[1:])
	stop()
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return
	}
	fmt.Fprintf(os.Stderr, "%s: %s\n", name, strings.Join(strings.Fields(err.Error()), " "))
	os.Exit(1)
}

// ParseFlags parses args into fs. -h prints the usage to out and returns flag.ErrHelp
// (Main then exits 0); positional arguments are refused.
func ParseFlags(fs *flag.FlagSet, args []string, out io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(out)
		fmt.Fprintf(out, "Usage of %s:\n", fs.Name())
		fs.PrintDefaults()
		return err
	}
	if err != nil {
		return fmt.Errorf("%w (run with -h for the flags)", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (run with -h for the flags)", fs.Arg(0))
	}
	return nil
}

// Option adjusts a Session; the examples' tests use them.
type Option func(*settings)

type settings struct {
	fake       *smileidtest.Server
	fakeOpts   []smileidtest.Option
	clientOpts []smileid.Option
	poll       smileid.PollPolicy
}

// WithFake makes an offline run use srv (which the caller closes) instead of starting its
// own fake, so that a test can inspect what the fake received.
func WithFake(srv *smileidtest.Server) Option { return func(s *settings) { s.fake = srv } }

// WithFakeOptions passes options to the fake an offline run starts.
func WithFakeOptions(opts ...smileidtest.Option) Option {
	return func(s *settings) { s.fakeOpts = append(s.fakeOpts, opts...) }
}

// WithClientOptions adds options to the smileid client, after the session's own.
func WithClientOptions(opts ...smileid.Option) Option {
	return func(s *settings) { s.clientOpts = append(s.clientOpts, opts...) }
}

// WithPollPolicy replaces smileid.DefaultPollPolicy as the client's poll policy (the
// session still reports each poll).
func WithPollPolicy(p smileid.PollPolicy) Option { return func(s *settings) { s.poll = p } }

// FastPolls is a poll policy for tests: every few milliseconds, for up to 20 seconds.
func FastPolls() Option {
	return WithPollPolicy(smileid.PollPolicy{InitialInterval: 5 * time.Millisecond, MaxInterval: 20 * time.Millisecond, MaxWait: 20 * time.Second, MaxErrors: 3})
}

// Offline is a getenv that finds no variable: the example runs against the fake.
func Offline(string) string { return "" }

// Session is an example's connection: a client for the fake or for Smile ID, and what to
// clean up afterwards.
type Session struct {
	// Client talks to the fake or to Smile ID.
	Client *smileid.Client
	// Fake is the in-process fake when running offline, nil against a real server.
	Fake *smileidtest.Server
	// CallbackURL is SMILEID_CALLBACK_URL against a real server ("" when unset or offline).
	CallbackURL string
	// Out is where the example reports.
	Out io.Writer

	start     time.Time
	ownsFake  bool
	receivers []*Receiver
	tmpDir    string
}

// Connect prints the example's title, then creates a client: against the in-process fake
// when SMILEID_PARTNER_ID and SMILEID_API_KEY are both unset, against the server named by
// SMILEID_SERVER with those credentials when both are set. It says which. Close the
// session when done.
func Connect(out io.Writer, getenv func(string) string, title string, opts ...Option) (*Session, error) {
	st := settings{poll: smileid.DefaultPollPolicy()}
	for _, o := range opts {
		o(&st)
	}
	s := &Session{Out: out, start: time.Now()}
	poll := st.poll
	poll.OnPoll = s.reportPoll
	common := []smileid.Option{smileid.WithPollPolicy(poll)}

	partnerID, apiKey := strings.TrimSpace(getenv(EnvPartnerID)), strings.TrimSpace(getenv(EnvAPIKey))
	if (partnerID == "") != (apiKey == "") {
		return nil, fmt.Errorf("set both %s and %s to use Smile ID's servers, or neither to run offline against the in-process fake", EnvPartnerID, EnvAPIKey)
	}
	fmt.Fprintf(out, "Smile ID example: %s\n\n", title)
	if partnerID == "" {
		return s, s.connectFake(st, common)
	}

	clientOpts := []smileid.Option{smileid.WithSIDServer(getenv(EnvServer))}
	if cb := strings.TrimSpace(getenv(EnvCallbackURL)); cb != "" {
		clientOpts = append(clientOpts, smileid.WithCallbackURL(cb))
		s.CallbackURL = cb
	}
	clientOpts = append(append(clientOpts, common...), st.clientOpts...)
	client, err := smileid.NewClient(partnerID, apiKey, clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("%w (check %s and %s)", err, EnvServer, EnvCallbackURL)
	}
	s.Client = client
	base := client.BaseURL()
	switch base {
	case smileid.Sandbox.BaseURL():
		s.Field("Server", "Smile ID sandbox, "+base)
	case smileid.Production.BaseURL():
		s.Field("Server", "Smile ID PRODUCTION, "+base+" (jobs are real and billed)")
	default:
		s.Field("Server", base+" (from "+EnvServer+")")
	}
	s.Field("Partner ID", client.PartnerID()+" (credentials from "+EnvPartnerID+" and "+EnvAPIKey+")")
	if s.CallbackURL != "" {
		s.Field("Callback URL", RedactURL(s.CallbackURL)+" (from "+EnvCallbackURL+")")
	}
	return s, nil
}

func (s *Session) connectFake(st settings, common []smileid.Option) error {
	srv := st.fake
	if srv == nil {
		var err error
		if srv, err = smileidtest.Start(st.fakeOpts...); err != nil {
			return fmt.Errorf("starting the in-process fake: %w", err)
		}
		s.ownsFake = true
	}
	s.Fake = srv
	// ClientOptions point the client at the fake and make it trust the fake's TLS
	// certificate.
	opts := append(append(srv.ClientOptions(), common...), st.clientOpts...)
	client, err := smileid.NewClient(srv.PartnerID, srv.APIKey, opts...)
	if err != nil {
		s.Close()
		return err
	}
	s.Client = client
	s.Field("Server", "in-process fake Smile ID server (package smileidtest), "+srv.URL)
	s.More("offline: " + EnvPartnerID + " and " + EnvAPIKey + " are not set, so nothing leaves this machine;")
	s.More("the fake checks each request against the API spec and signs its answers like Smile ID")
	s.Field("Partner ID", srv.PartnerID+" (the fake's test credentials)")
	return nil
}

// Offline reports whether the session runs against the in-process fake.
func (s *Session) Offline() bool { return s.Fake != nil }

// Elapsed is the time since Connect.
func (s *Session) Elapsed() time.Duration { return time.Since(s.start) }

// Close stops the fake the session started (waiting for its callbacks in flight), then
// the callback receivers, and removes the sample images written to disk.
func (s *Session) Close() {
	if s.ownsFake && s.Fake != nil {
		s.Fake.Close()
		s.ownsFake = false
	}
	for _, r := range s.receivers {
		r.close()
	}
	s.receivers = nil
	if s.tmpDir != "" {
		_ = os.RemoveAll(s.tmpDir)
		s.tmpDir = ""
	}
}

// reportPoll prints each poll of a job's status (PollPolicy.OnPoll).
func (s *Session) reportPoll(ev smileid.PollEvent) {
	var what string
	switch {
	case ev.Err != nil:
		what = "failed: " + ev.Err.Error()
	case ev.Status.JobComplete:
		what = "job complete"
	default:
		what = "job pending"
		if m := ev.Status.Message(); m != "" {
			what += " (" + m + ")"
		}
	}
	fmt.Fprintf(s.Out, "  poll %d at +%.1fs: %s\n", ev.Attempt, ev.Elapsed.Seconds(), what)
}

// NewID returns a fresh identifier such as "job-5f1c9a03b2e4".
func NewID(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// Consent is the user's consent to the lookup of their ID, given now, which some ID types
// (NG BVN among them) require.
func Consent() *smileid.ConsentInformation {
	yes := true
	return &smileid.ConsentInformation{Consented: &smileid.ConsentDetails{
		ConsentGrantedDate: smileid.Timestamp(time.Now()),
		PersonalDetails:    &yes, ContactInformation: &yes, DocumentInformation: &yes,
	}}
}

// RedactURL returns u without its query and user info, which can carry credentials.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "[unparsable URL]"
	}
	out := (&url.URL{Scheme: p.Scheme, Host: p.Host, Path: p.Path}).String()
	if p.RawQuery != "" {
		out += "?[query not shown]"
	}
	return out
}
