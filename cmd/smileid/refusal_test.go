package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestSubmitWaitsOutA429: a 429 with Retry-After: 1 on prep upload is a refusal: the CLI's
// submission waits, sends it again (signed afresh) and ends in a completed job.
func TestSubmitWaitsOutA429(t *testing.T) {
	t.Parallel()
	srv := smileidtest.NewServer(t, smileidtest.WithPlainHTTP(), smileidtest.WithCompletion(0, time.Hour))
	env := creds(srv.PartnerID, srv.APIKey, "SMILEID_SERVER", srv.URL)
	srv.InjectFault(smileid.OpUpload, 1, smileidtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"})
	r := cli(t, env, "", "submit", "--job", writeJob(t, seedJob(t, "cli-429", nil)), "--poll-interval", "50ms").want(t, 0)
	if m := r.json(t); m["job_complete"] != true || m["job_success"] != true {
		t.Fatalf("status = %v", m)
	}
	if n := len(srv.RequestsFor(smileid.OpUpload)); n != 2 {
		t.Errorf("%d prep uploads, want 2 (the refused one and its retry)", n)
	}
	if len(srv.Jobs()) != 1 {
		t.Errorf("%d jobs, want 1", len(srv.Jobs()))
	}
}
