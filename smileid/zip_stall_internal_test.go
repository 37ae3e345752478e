package smileid

import (
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// stallingImage is an image source whose reads stall after its first bytes. A read stuck
// in the kernel (a hung network file system) ignores Close; a pipe or socket, or a
// reader that honours Close, ends its read when closed (closeEnds).
type stallingImage struct {
	head      []byte        // returned by the first read
	closeEnds bool          // Close ends a stalled read
	entered   chan struct{} // closed when a read stalls
	release   chan struct{} // closed to end a stalled read (by Close when closeEnds)
	once      sync.Once
	closed    atomic.Bool
	reads     int
}

func newStallingImage(closeEnds bool) *stallingImage {
	return &stallingImage{head: append([]byte{}, jpegMagic...), closeEnds: closeEnds,
		entered: make(chan struct{}), release: make(chan struct{})}
}

func (s *stallingImage) Read(p []byte) (int, error) {
	s.reads++
	if s.reads == 1 {
		return copy(p, s.head), nil
	}
	close(s.entered)
	<-s.release
	return 0, os.ErrClosed
}

func (s *stallingImage) Close() error {
	s.closed.Store(true)
	if s.closeEnds {
		s.unblock()
	}
	return nil
}

func (s *stallingImage) unblock() { s.once.Do(func() { close(s.release) }) }

// plan is a zip whose one image is s, announced 1000 bytes long.
func (s *stallingImage) plan() *zipPlan {
	img := preparedImage{typ: ImageSelfieFile, name: "selfie.jpg", size: 1000, crc: 1,
		open: func() (io.ReadCloser, error) { return s, nil }}
	return &zipPlan{info: rawInfoJSON([]byte(`{}`)), files: []preparedImage{img}}
}

// waitFor fails the test if ch is not closed within a generous bound: a guard against a
// hang, not a speed assertion.
func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("still waiting after 10 s: %s", what)
		panic("unreachable")
	}
}

// TestZipBodyCloseDoesNotWaitForAStalledRead (review finding 6): Read held the zip's mutex
// while it opened and read an image, and Close took the same mutex: a stalled read made
// Close (which the transport calls from another goroutine) wait as long as the read. Close
// now returns at once and closes the image; the read, once it ends, fails as closed.
func TestZipBodyCloseDoesNotWaitForAStalledRead(t *testing.T) {
	for name, closeEnds := range map[string]bool{"a read that Close ends": true, "a read stuck in the kernel": false} {
		t.Run(name, func(t *testing.T) {
			img := newStallingImage(closeEnds)
			t.Cleanup(img.unblock) // the old code's stuck goroutines end with the test
			body := img.plan().body(context.Background())
			readErr := make(chan error, 1)
			go func() {
				_, err := io.Copy(io.Discard, body)
				readErr <- err
			}()
			waitFor(t, img.entered, "the read to reach the image")
			closed := make(chan error, 1)
			go func() { closed <- body.Close() }()
			require.NoError(t, waitFor(t, closed, "Close, while a read of the body stalls"))
			require.True(t, img.closed.Load(), "Close closes the image being read")
			if !closeEnds {
				select {
				case err := <-readErr:
					t.Fatalf("the read ended before the image's read did: %v", err)
				default:
				}
				img.unblock() // the kernel gives up at last
			}
			require.ErrorIs(t, waitFor(t, readErr, "the stalled read to end"), errZipClosed)
			_, err := body.Read(make([]byte, 10))
			require.ErrorIs(t, err, errZipClosed)
		})
	}
}

// TestUploadEndsWithItsContextWhenAnImageReadStalls: net/http's HTTP/1 transport closes a
// request body only after its Read returns, and waits for that before the round trip
// returns, even when the context ends. An image read that stalls (and that closing would
// end) used to hold the upload, and SubmitJob, past its context. The body now closes
// itself when the context ends.
func TestUploadEndsWithItsContextWhenAnImageReadStalls(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	c, err := NewClient("001", "key", WithRetryPolicy(RetryPolicy{MaxRetries: 2, InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	require.NoError(t, err)
	img := newStallingImage(true)
	t.Cleanup(img.unblock)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.uploadZip(ctx, srv.URL+"/upload/job", img.plan(), nil) }()
	err = waitFor(t, done, "the upload to end with its context (300 ms)")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.True(t, img.closed.Load(), "the image was closed")
	require.Contains(t, err.Error(), "upload_zip")
}

// endlessImage is a JPEG that never ends: a file that grows while it is read, or whose
// size the file system misreports.
type endlessImage struct{ n int64 }

func (e *endlessImage) Read(p []byte) (int, error) {
	if e.n == 0 && len(p) >= len(jpegMagic) {
		copy(p, jpegMagic)
		e.n += int64(len(jpegMagic))
		return len(jpegMagic), nil
	}
	clear(p)
	e.n += int64(len(p))
	return len(p), nil
}

// TestCRCPassIsCapped (review finding 6): the CRC pass trusted the size the file system
// announced and read to the end, however far that was. It now stops past MaxImageSize
// and refuses the image, however small it was announced.
func TestCRCPassIsCapped(t *testing.T) {
	r := &endlessImage{}
	done := make(chan error, 1)
	go func() {
		_, _, _, err := crcImage(context.Background(), "images[0]", r, 1000, nil)
		done <- err
	}()
	err := waitFor(t, done, "the CRC pass of an endless image")
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "images[0]", ve.Field)
	require.Contains(t, ve.Reason, "is larger than 32 MiB")
	require.LessOrEqual(t, r.n, int64(MaxImageSize+bulkChunk), "it stops within a read past the limit")

	// An image of exactly the limit passes; its size and CRC are those of its bytes.
	exact := bytes.Repeat([]byte{7}, MaxImageSize)
	copy(exact, jpegMagic)
	size, crc, _, err := crcImage(context.Background(), "images[0]", bytes.NewReader(exact), MaxImageSize, nil)
	require.NoError(t, err)
	require.Equal(t, int64(MaxImageSize), size)
	require.Equal(t, crc32.ChecksumIEEE(exact), crc)
}

// cancellingImage cancels its context on its first read, then reads on forever.
type cancellingImage struct {
	endlessImage
	cancel context.CancelFunc
}

func (c *cancellingImage) Read(p []byte) (int, error) {
	c.cancel()
	return c.endlessImage.Read(p)
}

// TestImageChecksStopWithTheContext: the CRC pass of a file and the read of an
// ImageReader stop when the context ends (between reads), and say that nothing was sent.
func TestImageChecksStopWithTheContext(t *testing.T) {
	t.Run("CRC pass", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		r := &cancellingImage{cancel: cancel}
		_, _, _, err := crcImage(ctx, "images[0]", r, 1000, nil)
		var ns *NotSentError
		require.ErrorAs(t, err, &ns)
		require.Equal(t, OpUpload, ns.Operation)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, ErrNotSent)
		require.LessOrEqual(t, r.n, int64(8), "it stops after the 8-byte head it checks, before the 32 KiB reads")
	})
	t.Run("ImageReader", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		r := &cancellingImage{cancel: cancel}
		_, err := prepareImages(ctx, []Image{ImageReader(ImageSelfieFile, "selfie.jpg", r)})
		require.ErrorIs(t, err, ErrNotSent)
		require.ErrorIs(t, err, context.Canceled)
		require.Less(t, r.n, int64(1<<20), "it stopped reading")
	})
	t.Run("files", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "selfie.jpg")
		require.NoError(t, os.WriteFile(path, append(append([]byte{}, jpegMagic...), make([]byte, 1<<20)...), 0o600))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, img := range []Image{SelfieFile(path), ImageFile(ImageSelfieBase64, path)} {
			_, err := prepareImages(ctx, []Image{img})
			require.ErrorIs(t, err, ErrNotSent)
			require.ErrorIs(t, err, context.Canceled)
		}
		p, err := prepareImages(context.Background(), []Image{SelfieFile(path)})
		require.NoError(t, err)
		require.Equal(t, int64(len(jpegMagic)+1<<20), p[0].size)
		releaseImages(p)
	})
}

// TestUploadOpensImagesAsTheCheckDoes: the upload re-opens each file without waiting and
// only as a regular file; a file gone or replaced since the check fails the upload as
// changed (not repeated), and is not a ValidationError (the job exists by then).
func TestUploadOpensImagesAsTheCheckDoes(t *testing.T) {
	files := writeImages(t, 1, 4000)
	r, err := files[0].open()
	require.NoError(t, err)
	path := r.(*os.File).Name()
	require.NoError(t, r.Close())

	require.NoError(t, os.Remove(path))
	require.NoError(t, os.Mkdir(path, 0o700)) // not a regular file
	_, err = files[0].open()
	require.ErrorIs(t, err, errImageChanged)
	require.False(t, errors.As(err, new(*ValidationError)))
	require.Contains(t, err.Error(), "not a regular file")
	require.False(t, retryableTransportError(err))

	require.NoError(t, os.Remove(path))
	_, err = files[0].open()
	require.ErrorIs(t, err, errImageChanged)
	require.ErrorIs(t, err, os.ErrNotExist)
	require.Contains(t, err.Error(), "file does not exist")
}
