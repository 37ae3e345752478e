package smileid_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// fastPoll polls every few milliseconds, so that tests of polling take no time.
var fastPoll = smileid.PollPolicy{InitialInterval: 5 * time.Millisecond, MaxInterval: 10 * time.Millisecond, MaxWait: 5 * time.Second, MaxErrors: 3}

// fastRetry retries after a millisecond.
var fastRetry = smileid.RetryPolicy{MaxRetries: 2, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxRetryAfter: time.Second}

// fake starts a fake Smile ID and a client for it with fast polling and retries.
func fake(t *testing.T, srvOpts []smileidtest.Option, opts ...smileid.Option) (*smileidtest.Server, *smileid.Client) {
	t.Helper()
	srv := smileidtest.NewServer(t, srvOpts...)
	c, err := srv.NewClient(append([]smileid.Option{smileid.WithPollPolicy(fastPoll), smileid.WithRetryPolicy(fastRetry)}, opts...)...)
	require.NoError(t, err)
	return srv, c
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(fixtures + name)
	require.NoError(t, err)
	return b
}

// ops lists the operations the fake received, in order.
func ops(srv *smileidtest.Server) []smileid.Operation {
	var out []smileid.Operation
	for _, r := range srv.Requests() {
		out = append(out, r.Op)
	}
	return out
}

// selfie, idCard, idBack and liveness are the fixture images as files.
var (
	selfie   = smileid.SelfieFile(fixtures + "selfie.jpg")
	idCard   = smileid.IDCardFile(fixtures + "id_card.jpg")
	idBack   = smileid.IDCardBackFile(fixtures + "id_card_back.jpg")
	liveness = smileid.LivenessFile(fixtures + "liveness.jpg")
)

// jobID returns partner params for a new job of type jt.
func jobParams(id string, jt smileid.JobType) smileid.PartnerParams {
	return smileid.PartnerParams{UserID: "user-" + id, JobID: "job-" + id, JobType: jt}
}

// smileidtest503 is a Service Unavailable fault.
var smileidtest503 = smileidtest.Fault{Status: 503}
