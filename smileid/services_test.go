package smileid_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

var (
	ekycPP       = smileid.PartnerParams{JobID: "job-s", UserID: "user-s", JobType: smileid.EnhancedKYC}
	servicesInfo = smileid.IDInfo{Country: "NG", IDType: "BVN", IDNumber: "00000000000"}
)

// checkAgainstServices runs the services check alone (nothing is submitted).
func checkAgainstServices(ctx context.Context, c *smileid.Client) error {
	return c.Utilities.ValidateIDParams(ctx, servicesInfo, ekycPP, true)
}

// TestServicesWaitersKeepTheirOwnDeadline: while one slow fetch is in flight, a caller with
// a short deadline returns at its deadline (it used to queue on a mutex until the fetch
// ended, past its deadline), and the fetch still completes for the others.
func TestServicesWaitersKeepTheirOwnDeadline(t *testing.T) {
	srv, c := fake(t, nil)
	srv.InjectFault(smileid.OpServices, 1, smileidtest.Fault{Delay: 1500 * time.Millisecond})
	first := make(chan error, 1)
	go func() { first <- checkAgainstServices(context.Background(), c) }()
	require.Eventually(t, func() bool { return len(srv.RequestsFor(smileid.OpServices)) == 1 }, 5*time.Second, time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := checkAgainstServices(ctx, c)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	select {
	case <-first:
		t.Fatal("the short-deadline caller waited for the whole fetch")
	default:
	}
	require.NoError(t, <-first)
	require.Len(t, srv.RequestsFor(smileid.OpServices), 1, "one fetch, shared")
}

// TestServicesFailedFetchIsShared: N callers waiting on a fetch that fails cost one retry
// budget, not N; the failure is remembered briefly.
func TestServicesFailedFetchIsShared(t *testing.T) {
	srv, c := fake(t, nil) // fastRetry: 2 retries, 3 requests per fetch
	srv.InjectFault(smileid.OpServices, 100, smileidtest.Fault{Status: 503, Delay: 20 * time.Millisecond})
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- checkAgainstServices(context.Background(), c) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, smileid.OpServices, apiErr.Operation)
	}
	require.Len(t, srv.RequestsFor(smileid.OpServices), 3, "one fetch and its retries, shared by every caller")
	err := checkAgainstServices(context.Background(), c)
	require.ErrorContains(t, err, "the last fetch failed")
	require.Len(t, srv.RequestsFor(smileid.OpServices), 3, "a failure just seen is not refetched")
}

// TestServicesStaleCopyIsUsedWhenARefreshFails: with a short TTL, the refresh after it
// fails; the stale document is used, with a warning log, instead of failing the job.
func TestServicesStaleCopyIsUsedWhenARefreshFails(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, c := fake(t, nil, smileid.WithServicesTTL(time.Millisecond), smileid.WithLogger(logger))
	require.NoError(t, c.Utilities.PrefetchServices(context.Background()))
	require.Len(t, srv.RequestsFor(smileid.OpServices), 1)
	time.Sleep(5 * time.Millisecond) // past the TTL
	srv.InjectFault(smileid.OpServices, 100, smileidtest.Fault{Status: 502})
	require.NoError(t, checkAgainstServices(context.Background(), c), "the stale copy is used")
	require.Len(t, srv.RequestsFor(smileid.OpServices), 4, "a refresh was tried (with its retries)")
	require.Contains(t, logs.String(), "services document refresh failed")
	require.Contains(t, logs.String(), "HTTP 502")
}

// TestServicesTTLAndPrefetch: the TTL is configurable; PrefetchServices fills the cache so
// that checks do not fetch.
func TestServicesTTLAndPrefetch(t *testing.T) {
	_, err := smileid.NewClient("212", "key", smileid.WithServicesTTL(0))
	require.Error(t, err)
	srv, c := fake(t, nil, smileid.WithServicesTTL(time.Hour))
	require.NoError(t, c.Utilities.PrefetchServices(context.Background()))
	for range 3 {
		require.NoError(t, checkAgainstServices(context.Background(), c))
	}
	require.Len(t, srv.RequestsFor(smileid.OpServices), 1)

	srv2, c2 := fake(t, nil, smileid.WithServicesTTL(time.Millisecond))
	require.NoError(t, checkAgainstServices(context.Background(), c2))
	time.Sleep(5 * time.Millisecond)
	require.NoError(t, checkAgainstServices(context.Background(), c2))
	require.Len(t, srv2.RequestsFor(smileid.OpServices), 2, "refetched after the TTL")
}
