package smileid

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// archiveZip is the zip as archive/zip writes it (the SDK's writer before it produced the
// zip on demand): the reference for the bytes of zipPlan.body.
func archiveZip(t testing.TB, p *zipPlan) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	date, clock := dosTime(p.modTime)
	header := func(name string, size int64, crc uint32) *zip.FileHeader {
		h := &zip.FileHeader{Name: name, Method: zip.Store, CRC32: crc,
			CompressedSize64: uint64(size), UncompressedSize64: uint64(size), CreatorVersion: 20, ReaderVersion: 10}
		h.ModifiedDate, h.ModifiedTime = date, clock //lint:ignore SA1019 CreateRaw writes these as they are
		return h
	}
	var info bytes.Buffer
	for _, part := range p.info.parts {
		info.Write(part.b)
		info.WriteString(part.s)
	}
	w, err := zw.CreateRaw(header("info.json", int64(info.Len()), crc32.ChecksumIEEE(info.Bytes())))
	require.NoError(t, err)
	_, err = w.Write(info.Bytes())
	require.NoError(t, err)
	for _, f := range p.files {
		w, err := zw.CreateRaw(header(f.name, f.size, f.crc))
		require.NoError(t, err)
		r, err := f.open()
		require.NoError(t, err)
		_, err = io.Copy(w, r)
		require.NoError(t, err)
		r.Close()
	}
	require.NoError(t, zw.Close())
	return out.Bytes()
}

func readAll(t testing.TB, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return b
}

// TestZipMatchesArchiveZip: the zip produced on demand is, byte for byte, the one
// archive/zip writes, whatever the reader's buffer sizes; its length is the announced
// one; the reader obeys the io.Reader contract (iotest.TestReader).
func TestZipMatchesArchiveZip(t *testing.T) {
	files := writeImages(t, 3, 70_000)
	named := writeImages(t, 1, 3)
	named[0].name = "sélfie ü.jpg" // non-ASCII: archive/zip's CreateRaw sets no UTF-8 flag either
	b64 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xFF, 0xD8, 0xFF, 1, 2, 3}, 5000))
	// Kept in memory and streamed from disk, shorter and longer than a lendable run.
	mixed := append(writeImages(t, 1, minLend-1), writeImages(t, 1, 3*bulkChunk+5)...)
	mixed = append(mixed, streamed(writeImages(t, 1, minLend+7))...)
	mixed = append(mixed, writeImages(t, 1, minLend)...)
	for name, plan := range map[string]*zipPlan{
		"files":         {info: rawInfoJSON([]byte(`{"images":[]}`)), files: files, modTime: time.Date(2026, 11, 25, 18, 33, 7, 0, time.UTC)},
		"no files":      {info: rawInfoJSON([]byte(`{}`))},
		"base64 pieces": {info: newInfoJSON([]jsonPart{{b: []byte(`{"a":"`)}, {s: b64}, {b: []byte(`","b":"`)}, {s: ""}, {b: []byte(`"}`)}}), files: append(named, files[0])},
		"mixed":         {info: newInfoJSON([]jsonPart{{b: []byte(`{"a":"`)}, {s: b64}, {b: []byte(`"}`)}}), files: mixed},
	} {
		t.Run(name, func(t *testing.T) {
			want := archiveZip(t, plan)
			require.Equal(t, int64(len(want)), plan.size())
			require.Equal(t, want, readAll(t, plan.body(context.Background())))
			require.Equal(t, want, readAll(t, iotest.OneByteReader(plan.body(context.Background()))))
			require.Equal(t, want, readAll(t, iotest.HalfReader(plan.body(context.Background()))))
			var buf bytes.Buffer
			require.NoError(t, plan.writeTo(&buf))
			require.Equal(t, want, buf.Bytes())
			require.NoError(t, iotest.TestReader(plan.body(context.Background()), want))
			// As the SDK's transport writes it: runs kept in memory written from there.
			rnd := rand.New(rand.NewPCG(uint64(len(want)), 1))
			for _, bufSize := range []int{1, 100, 4096, bulkChunk} {
				buf.Reset()
				w := &lendingWriter{w: &buf, files: plan.files}
				z := plan.body(context.Background()).(*zipReader)
				left := int64(len(want))
				for left > 0 {
					n, err := z.writeTo(w, min(left, 1+rnd.Int64N(3*bulkChunk)), make([]byte, bufSize))
					left -= n
					if err == io.EOF {
						break
					}
					require.NoError(t, err)
				}
				require.Zero(t, left)
				n, err := z.writeTo(&buf, 10, make([]byte, bufSize))
				require.Zero(t, n)
				require.Equal(t, io.EOF, err, "at the end")
				require.NoError(t, z.Close())
				require.Equal(t, want, buf.Bytes(), "written with a %d-byte buffer", bufSize)
				if name == "mixed" {
					require.Equal(t, int64(3*bulkChunk+5+minLend), w.lent, "bytes written from the kept files' memory")
				}
			}
			zr, err := zip.NewReader(bytes.NewReader(want), int64(len(want)))
			require.NoError(t, err)
			require.Equal(t, "info.json", zr.File[0].Name)
		})
	}
}

// lendingWriter counts the bytes written from the memory of files' kept images.
type lendingWriter struct {
	w     io.Writer
	files []preparedImage
	lent  int64
}

func (l *lendingWriter) Write(p []byte) (int, error) {
	for _, f := range l.files {
		if len(p) > 0 && len(f.data) > 0 {
			start, at := uintptr(unsafe.Pointer(unsafe.SliceData(f.data))), uintptr(unsafe.Pointer(unsafe.SliceData(p)))
			if at >= start && at < start+uintptr(len(f.data)) {
				l.lent += int64(len(p))
			}
		}
	}
	return l.w.Write(p)
}

// TestZipBodyHasNoGoroutine: the body is produced by the reader the transport pulls
// from; reading it starts no goroutine (the SDK used to write it through an io.Pipe), nor
// does binding it to a context that has not ended. When the context ends, the body closes
// itself and reads fail with the context's error.
func TestZipBodyHasNoGoroutine(t *testing.T) {
	plan := &zipPlan{info: rawInfoJSON([]byte(`{}`)), files: writeImages(t, 2, 100_000)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := runtime.NumGoroutine()
	body := plan.body(ctx)
	buf := make([]byte, 1000)
	_, err := io.ReadFull(body, buf)
	require.NoError(t, err)
	require.Equal(t, before, runtime.NumGoroutine())
	require.NoError(t, body.Close())
	_, err = body.Read(buf)
	require.ErrorIs(t, err, errZipClosed)

	body = plan.body(ctx)
	_, err = io.ReadFull(body, buf)
	require.NoError(t, err)
	cancel()
	require.Eventually(t, func() bool {
		_, err = body.Read(buf)
		return err != nil
	}, 10*time.Second, time.Millisecond)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, body.Close())
}

// TestZipDetectsChangedFiles: a file that is no longer the one checked (other bytes,
// shorter, longer) fails the read, after the bytes already sent.
func TestZipDetectsChangedFiles(t *testing.T) {
	for name, content := range map[string][]byte{
		"other bytes": append(append([]byte{}, jpegMagic...), bytes.Repeat([]byte{1}, 3997)...),
		"shorter":     append(append([]byte{}, jpegMagic...), bytes.Repeat([]byte{1}, 10)...),
		"longer":      nil, // the original plus one byte
	} {
		t.Run(name, func(t *testing.T) {
			files := streamed(writeImages(t, 1, 4000))
			r, err := files[0].open()
			require.NoError(t, err)
			path := r.(*os.File).Name()
			r.Close()
			if content == nil {
				orig, err := os.ReadFile(path)
				require.NoError(t, err)
				content = append(orig, 0)
			}
			require.NoError(t, os.WriteFile(path, content, 0o600))
			plan := &zipPlan{info: rawInfoJSON([]byte(`{}`)), files: files}
			_, err = io.ReadAll(plan.body(context.Background()))
			require.ErrorIs(t, err, errImageChanged)
		})
	}
	t.Run("a file removed", func(t *testing.T) {
		files := streamed(writeImages(t, 1, 4000))
		r, _ := files[0].open()
		path := r.(*os.File).Name()
		r.Close()
		require.NoError(t, os.Remove(path))
		_, err := io.ReadAll((&zipPlan{info: rawInfoJSON([]byte(`{}`)), files: files}).body(context.Background()))
		require.ErrorIs(t, err, os.ErrNotExist)
	})
}

// TestZipBodyCloseWhileReading: the transport may close the body from another goroutine
// while it reads it (a cancelled request).
func TestZipBodyCloseWhileReading(t *testing.T) {
	plan := &zipPlan{info: rawInfoJSON([]byte(`{}`)), files: writeImages(t, 2, 1<<20)}
	for i := 0; i < 20; i++ {
		body := plan.body(context.Background())
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = io.Copy(io.Discard, body)
		}()
		require.NoError(t, body.Close())
		wg.Wait()
	}
}

// totalAlloc returns the bytes f allocates.
func totalAlloc(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestBase64ImagesAreNotCopied: a 10.7 MiB base64 image is checked without decoding it
// into memory, and info.json refers to the caller's string: the bytes allocated for the
// check, info.json and the whole zip stay far below the image's size (the SDK used to
// allocate about 4 times it: the decoded image and the JSON encoding).
func TestBase64ImagesAreNotCopied(t *testing.T) {
	raw := bytes.Repeat([]byte{0xFF, 0xD8, 0xFF, 0x10, 0x20, 0x30}, (8<<20)/6)
	b64 := base64.StdEncoding.EncodeToString(raw)
	job := Job{PartnerParams: PartnerParams{UserID: "u", JobID: "j", JobType: BiometricKYC}, Images: []Image{SelfieBase64(b64)}}
	upload := []byte(`{"upload_url":"https://127.0.0.1/u","smile_job_id":"1"}`)
	var images []preparedImage
	var info infoJSON
	n := totalAlloc(func() {
		var err error
		images, err = prepareImages(context.Background(), job.Images)
		require.NoError(t, err)
		info, err = manifest("001", job, job.IDInfo, images, "", "ts", upload)
		require.NoError(t, err)
		require.NoError(t, (&zipPlan{info: info}).writeTo(io.Discard))
	})
	require.Less(t, n, uint64(1<<20), "bytes allocated for a %d-byte base64 image", len(b64))
	var inline []string
	for _, p := range info.parts {
		if p.b == nil {
			inline = append(inline, p.s)
		}
	}
	require.Len(t, inline, 1)
	require.Equal(t, unsafe.StringData(b64), unsafe.StringData(inline[0]), "info.json refers to the caller's string")
}

// checkBase64LikeDecodeString: checkBase64Image refuses s as base64 exactly when
// DecodeString does; anything else it refuses is not about base64.
func checkBase64LikeDecodeString(t *testing.T, s string) {
	t.Helper()
	_, decErr := base64.StdEncoding.DecodeString(s)
	err := checkBase64Image("img", s)
	if decErr != nil {
		require.ErrorContains(t, err, "not valid standard base64", "%q", s)
	} else if err != nil {
		require.NotContains(t, err.Error(), "base64", "%q", s)
	}
}

// TestBase64CheckAcceptsWhatDecodeStringAccepts: the streaming check accepts exactly the
// text base64.StdEncoding.DecodeString decodes (which is what the server decodes).
func TestBase64CheckAcceptsWhatDecodeStringAccepts(t *testing.T) {
	jpeg := base64.StdEncoding.EncodeToString([]byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 6, 7})
	png := base64.StdEncoding.EncodeToString(append([]byte{}, pngMagic...))
	for _, s := range []string{
		jpeg, png, jpeg[:len(jpeg)-1], jpeg + "=", jpeg + "A", jpeg + jpeg, jpeg[:4] + "\n" + jpeg[4:],
		jpeg[:4] + "\r\n" + jpeg[4:8] + "\n\n" + jpeg[8:], jpeg[:5] + " " + jpeg[5:], jpeg[:6] + "\t" + jpeg[6:],
		jpeg + "\n", jpeg[:4] + "-_" + jpeg[6:], jpeg[:len(jpeg)-2] + "==", "/9j/", "/9j/4A==", "/9j/4A=", "/9j/4A",
		"/9j/4A==/9j/", "/9j/4A===", "/9j/====", "/9j/4A==\n", "/9j/4A==\r\nQ", "=", "\n", "/9j/4A==\n/9j/", "/9j/4A=\n=", "/9j/4A\n==", "====", "/9j/4B==", "/9j/4B", "/9j/\x00AAA", "/9j/ÿAAA",
	} {
		checkBase64LikeDecodeString(t, s)
	}
	require.NoError(t, checkBase64Image("img", jpeg))
	require.NoError(t, checkBase64Image("img", png))
	require.ErrorContains(t, checkBase64Image("img", ""), "is empty")
	require.ErrorContains(t, checkBase64Image("img", base64.StdEncoding.EncodeToString([]byte("GIF89a..."))), "not a JPEG or PNG")
	big := base64.StdEncoding.EncodeToString(append(append([]byte{}, jpegMagic...), make([]byte, MaxImageSize)...))
	require.ErrorContains(t, checkBase64Image("img", big), "larger than 32 MiB")
	require.NoError(t, checkBase64Image("img", big[:base64.StdEncoding.EncodedLen(MaxImageSize-3)-4]+"AAA="))
}

// TestManifestIsTheEncodedStruct: info.json, built in pieces, is byte for byte the JSON
// encoding of the generated UploadManifest holding the images, as the SDK wrote it before
// (and as the conformance tests compare with the official SDKs' info.json).
func TestManifestIsTheEncodedStruct(t *testing.T) {
	jpeg := base64.StdEncoding.EncodeToString([]byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	wrapped := jpeg[:8] + "\r\n" + jpeg[8:12] + "\n" + jpeg[12:]
	dir := t.TempDir()
	path := filepath.Join(dir, "selfie <1>&.jpg")
	require.NoError(t, os.WriteFile(path, []byte{0xFF, 0xD8, 0xFF, 0xE0, 9}, 0o600))
	upload := []byte(`{ "upload_url": "https://s3.example/u?a=1&b=<2>", "smile_job_id": "0000001", "ref_id": "x", "code": "2202" }`)
	for name, tc := range map[string]struct {
		info     IDInfo
		images   []Image
		callback string
	}{
		"base64 only": {images: []Image{SelfieBase64(jpeg), IDCardBase64(jpeg), LivenessBase64(wrapped)}, callback: "https://cb.example/x?a=1&b=2"},
		"files and base64": {
			info:   IDInfo{Country: "NG", IDType: "BVN", IDNumber: "0000<>&0000", FirstName: "Zoë \"Z\"", Entered: EnteredTrue},
			images: []Image{SelfieFile(path), IDCardBase64(jpeg), ImageBytes(ImageLivenessFile, "l.jpg", []byte{0xFF, 0xD8, 0xFF, 1})},
		},
		"files only":      {images: []Image{SelfieFile(path)}},
		"bytes as base64": {images: []Image{ImageBytes(ImageSelfieBase64, "", []byte{0xFF, 0xD8, 0xFF, 2, 3})}},
	} {
		t.Run(name, func(t *testing.T) {
			job := Job{PartnerParams: PartnerParams{UserID: "u<1>", JobID: "j&2", JobType: BiometricKYC, AdditionalProperties: map[string]string{"k<": "v>&"}}, IDInfo: tc.info, Images: tc.images}
			images, err := prepareImages(context.Background(), job.Images)
			require.NoError(t, err)
			defer releaseImages(images)
			info := job.IDInfo
			if info.Entered == "" {
				info.Entered = EnteredFalse
			}
			got, err := manifest("001", job, info, images, tc.callback, "2026-11-27T08:00:00.000Z", upload)
			require.NoError(t, err)

			m := generated.UploadManifest{
				PackageInformation: generated.PackageInformation{Language: SourceSDK},
				MiscInformation: generated.MiscInformation{Retry: generated.MiscInformationRetryRetryFalse, PartnerParams: job.PartnerParams,
					Timestamp: "2026-11-27T08:00:00.000Z", FileName: uploadFileName, SmileClientID: "001"},
				IDInfo: info, Images: make([]generated.ManifestImage, len(images)),
			}
			m.PackageInformation.APIVersion.MajorVersion = 2
			if tc.callback != "" {
				m.MiscInformation.CallbackURL = &tc.callback
			}
			for i, img := range images {
				m.Images[i] = generated.ManifestImage{ImageTypeID: img.typ, Image: img.base64, FileName: img.name}
			}
			require.NoError(t, m.ServerInformation.UnmarshalJSON(upload))
			want, err := json.Marshal(m)
			require.NoError(t, err)

			var b strings.Builder
			for _, p := range got.parts {
				b.Write(p.b)
				b.WriteString(p.s)
			}
			require.Equal(t, string(want), b.String())
			require.Equal(t, int64(len(want)), got.size)
			require.Equal(t, crc32.ChecksumIEEE(want), got.crc)
		})
	}
}

// FuzzBase64Check: the streaming check accepts what DecodeString accepts, and rejects the
// rest as invalid base64.
func FuzzBase64Check(f *testing.F) {
	for _, s := range []string{"/9j/4A==", "/9j/4A==/9j/", "/9j/\n4A==", "iVBORw0KGgo=", "/9j/4A=\r\n=", "QQ", "===="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkBase64LikeDecodeString(t, s)
	})
}

// The zip is written without zip64 records: a plan over 4 GiB (counting the prep-upload
// answer info.json will repeat) or over 65 535 entries is refused before anything is sent.
func TestZipLimits(t *testing.T) {
	plan := &zipPlan{info: rawInfoJSON([]byte(`{}`))}
	for i := 0; i < 127; i++ {
		plan.files = append(plan.files, preparedImage{name: fmt.Sprintf("img%03d.jpg", i), size: MaxImageSize})
	}
	require.NoError(t, plan.checkLimits(maxResponseBody), "127 x 32 MiB and a 16 MiB answer fit")
	plan.files = append(plan.files, preparedImage{name: "img127.jpg", size: MaxImageSize})
	var ve *ValidationError
	require.ErrorAs(t, plan.checkLimits(maxResponseBody), &ve, "128 x 32 MiB do not")
	require.Contains(t, ve.Error(), "4 GiB")

	many := &zipPlan{info: rawInfoJSON([]byte(`{}`))}
	for i := 0; i < zipMaxEntries-1; i++ {
		many.files = append(many.files, preparedImage{name: "a.jpg", size: 1})
	}
	require.NoError(t, many.checkLimits(0))
	many.files = append(many.files, preparedImage{name: "a.jpg", size: 1})
	require.ErrorAs(t, many.checkLimits(0), &ve)
	require.Contains(t, ve.Error(), "at most 65534 image files")
}
