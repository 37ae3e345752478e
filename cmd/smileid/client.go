package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// appName is the CLI's name in the User-Agent.
const appName = "smileid-cli"

// serverFlag adds --server to a command's flags.
func serverFlag(fs *flagSet) *string {
	return fs.String("server", "", "`server`: sandbox (default), production, fake, or a base URL ending in /v1 (env SMILEID_SERVER)")
}

// serverName returns the server to use: the command's --server, the global --server,
// SMILEID_SERVER, or the sandbox.
func (e *env) serverName(cmdFlag string) string {
	for _, s := range []string{cmdFlag, e.server, e.getenv("SMILEID_SERVER")} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return "sandbox"
}

func isFake(server string) bool { return strings.EqualFold(server, "fake") }

// credentials returns the partner ID and API key: the fake's for --server fake, otherwise
// SMILEID_PARTNER_ID and SMILEID_API_KEY.
func (e *env) credentials(server string) (partnerID, apiKey string, err error) {
	if isFake(server) {
		return smileidtest.DefaultPartnerID, smileidtest.DefaultAPIKey, nil
	}
	partnerID = strings.TrimSpace(e.getenv("SMILEID_PARTNER_ID"))
	apiKey = strings.TrimSpace(e.getenv("SMILEID_API_KEY"))
	var missing []string
	if partnerID == "" {
		missing = append(missing, "SMILEID_PARTNER_ID")
	}
	if apiKey == "" {
		missing = append(missing, "SMILEID_API_KEY")
	}
	if len(missing) > 0 {
		return "", "", usageError("missing credentials: set %s (or use --server fake)", strings.Join(missing, " and "))
	}
	return partnerID, apiKey, nil
}

// signer returns the Signature of the partner's credentials, for the commands that work
// offline.
func (e *env) signer(cmdServer string) (*smileid.Signature, error) {
	p, k, err := e.credentials(e.serverName(cmdServer))
	if err != nil {
		return nil, err
	}
	return smileid.NewSignature(p, k), nil
}

// client returns a client for the server chosen, and a function to call when done (it
// stops the in-process fake of --server fake).
func (e *env) client(cmdServer string, opts ...smileid.Option) (*smileid.Client, func(), error) {
	server := e.serverName(cmdServer)
	opts = append([]smileid.Option{smileid.WithAppInfo(appName, smileid.Version, "")}, opts...)
	if isFake(server) {
		fake, err := smileidtest.Start()
		if err != nil {
			return nil, nil, failure("starting the in-process fake: %v", err)
		}
		c, err := fake.NewClient(opts...)
		if err != nil {
			fake.Close()
			return nil, nil, usageError("%s", oneLine(err))
		}
		fmt.Fprintf(e.stderr, "smileid: using an in-process fake Smile ID server at %s (partner %s)\n", fake.URL, fake.PartnerID)
		return c, fake.Close, nil
	}
	switch strings.ToLower(server) {
	case "sandbox", "production", "0", "1":
	default:
		if !strings.Contains(server, "://") {
			return nil, nil, usageError("unknown server %q: want sandbox, production, fake or a base URL such as https://host/v1", server)
		}
	}
	partnerID, apiKey, err := e.credentials(server)
	if err != nil {
		return nil, nil, err
	}
	c, err := smileid.NewClient(partnerID, apiKey, append([]smileid.Option{smileid.WithSIDServer(server)}, opts...)...)
	if err != nil {
		return nil, nil, usageError("%s", oneLine(err))
	}
	return c, func() {}, nil
}

// pollFlags adds --max-wait and --poll-interval to a command's flags.
func pollFlags(fs *flagSet) (maxWait, interval *time.Duration) {
	def := smileid.DefaultPollPolicy()
	maxWait = fs.Duration("max-wait", def.MaxWait, "give up polling after `duration`")
	interval = fs.Duration("poll-interval", def.InitialInterval, "first wait between polls (`duration`), doubled up to 4s")
	return maxWait, interval
}

// pollPolicy returns the poll policy of the flags, reporting progress on stderr.
func (e *env) pollPolicy(maxWait, interval time.Duration) (smileid.PollPolicy, error) {
	if maxWait <= 0 {
		return smileid.PollPolicy{}, usageError("--max-wait must be positive")
	}
	if interval <= 0 {
		return smileid.PollPolicy{}, usageError("--poll-interval must be positive")
	}
	p := smileid.DefaultPollPolicy()
	p.MaxWait, p.InitialInterval = maxWait, interval
	p.MaxInterval = max(p.MaxInterval, interval)
	p.OnPoll = e.progress
	return p, nil
}

// progress reports a poll on stderr.
func (e *env) progress(ev smileid.PollEvent) {
	var what string
	switch st := ev.Status; {
	case ev.Err != nil:
		what = "failed: " + e.scrub(oneLine(ev.Err))
	case st == nil:
		what = "no status"
	case !st.JobComplete:
		what = "pending (code " + st.SmileCode()
		if m := st.Message(); m != "" {
			what += ": " + m
		}
		what += ")"
	default:
		what = fmt.Sprintf("complete, job_success %t (code %s%s)", st.JobSuccess, st.SmileCode(), resultText(st.LatestResult()))
	}
	fmt.Fprintf(e.stderr, "smileid: poll %d after %s: %s\n", ev.Attempt, ev.Elapsed.Round(10*time.Millisecond), what)
}

// resultText describes a result briefly: ", ResultCode 1210 Enroll User".
func resultText(r *smileid.JobResult) string {
	if r == nil || r.ResultCode == "" {
		return ""
	}
	s := ", ResultCode " + r.ResultCode
	if r.ResultText != "" {
		s += " " + r.ResultText
	}
	return s
}
