//go:build linux

package smileid_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// blackHole returns a loopback address whose SYNs are dropped, as a black-holed server's:
// Linux drops SYNs to a listener whose accept queue is full, and a queue of length 0 is
// full after one connection, which is made and never accepted.
func blackHole(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 0))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	filler, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { filler.Close() })
	probe, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err == nil {
		probe.Close()
		t.Skip("this kernel answers SYNs to a full accept queue; TestOwnTransportConfiguration checks the connect timeout on the dialer")
	}
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout(), "the probe's connect times out: %v", err)
	return addr
}

// TestBlackHoledServer: each attempt's connect ends at the connect timeout (here 100 ms),
// not at the per-attempt timeout (here 20 s), and the call ends after its one retry, long
// before the caller's deadline (10 s), which it would reach otherwise.
func TestBlackHoledServer(t *testing.T) {
	addr := blackHole(t)
	c, err := smileid.NewClient("001", "key", smileid.WithBaseURL("https://"+addr+"/v1"),
		smileid.WithRetryPolicy(smileid.RetryPolicy{MaxRetries: 1, InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond}),
		smileid.WithTimeout(20*time.Second), smileid.WithConnectTimeout(100*time.Millisecond))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c.Utilities.GetServices(ctx)
	require.Error(t, err)
	require.ErrorContains(t, err, "dial tcp")
	require.ErrorContains(t, err, "i/o timeout")
	require.NoError(t, ctx.Err(), "the call ended on its own, before the caller's deadline")
}
