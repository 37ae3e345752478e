package smileid

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MaxImageSize is the largest image the SDK accepts (32 MiB). Smile ID asks for JPEGs of
// at most 10 MB; larger files are refused before anything is sent.
const MaxImageSize = 32 << 20

// Image is one image of a job. Build it with the constructors: SelfieFile, IDCardFile,
// LivenessFile and IDCardBackFile add a file to the job's zip (image types 0, 1, 4, 5);
// SelfieBase64, IDCardBase64, LivenessBase64 and IDCardBackBase64 put a base64 JPEG inside
// info.json (types 2, 3, 6, 7). ImageFile, ImageBase64, ImageBytes and ImageReader take
// the image type as a parameter. Every image is opened and checked (it must exist and be a
// JPEG or PNG) before anything is sent.
type Image struct {
	Type ImageType

	path   string    // a file on disk
	name   string    // the zip entry name, for bytes and readers
	data   []byte    // bytes
	reader io.Reader // a reader, read once when the job is prepared
	b64    string    // base64 text
	isB64  bool
}

// ImageFile is the image of type t in the file at path. File types (0, 1, 4, 5) go into
// the zip under the file's base name; for base64 types (2, 3, 6, 7) the file is encoded
// into info.json. The file must be a regular file; it is read to be checked before
// anything is sent and, unless it is small enough to be kept in memory until the upload
// (at most 4 MiB, within a budget of 8 MiB per process), read again during the upload. A
// call stops reading it when its context ends. A read the operating system itself never
// completes (a hung network file system) holds the call until it completes: net/http
// waits for it.
func ImageFile(t ImageType, path string) Image { return Image{Type: t, path: path} }

// ImageBase64 is an image of a base64 type (2, 3, 6, 7) given as standard base64 text
// without a "data:" prefix.
func ImageBase64(t ImageType, base64JPEG string) Image {
	return Image{Type: t, b64: base64JPEG, isB64: true}
}

// ImageBytes is an image held in memory. For file types it goes into the zip as name (a
// base name, such as "selfie.jpg"); for base64 types it is encoded into info.json and name
// is not used.
func ImageBytes(t ImageType, name string, data []byte) Image {
	return Image{Type: t, name: name, data: data}
}

// ImageReader is like ImageBytes for an image read from r. r is read once, into memory,
// when the job is prepared; prefer ImageFile for large images.
func ImageReader(t ImageType, name string, r io.Reader) Image {
	return Image{Type: t, name: name, reader: r}
}

// SelfieFile is the selfie in a file (image type 0).
func SelfieFile(path string) Image { return ImageFile(ImageSelfieFile, path) }

// IDCardFile is the front of the ID card in a file (image type 1).
func IDCardFile(path string) Image { return ImageFile(ImageIDCardFile, path) }

// LivenessFile is a liveness frame in a file (image type 4).
func LivenessFile(path string) Image { return ImageFile(ImageLivenessFile, path) }

// IDCardBackFile is the back of the ID card in a file (image type 5).
func IDCardBackFile(path string) Image { return ImageFile(ImageIDCardBackFile, path) }

// SelfieBase64 is the selfie as base64 (image type 2).
func SelfieBase64(b64 string) Image { return ImageBase64(ImageSelfieBase64, b64) }

// IDCardBase64 is the front of the ID card as base64 (image type 3).
func IDCardBase64(b64 string) Image { return ImageBase64(ImageIDCardBase64, b64) }

// LivenessBase64 is a liveness frame as base64 (image type 6).
func LivenessBase64(b64 string) Image { return ImageBase64(ImageLivenessBase64, b64) }

// IDCardBackBase64 is the back of the ID card as base64 (image type 7).
func IDCardBackBase64(b64 string) Image { return ImageBase64(ImageIDCardBackBase64, b64) }

// isFileType reports whether images of type t travel as zip entries.
func isFileType(t ImageType) bool {
	return t == ImageSelfieFile || t == ImageIDCardFile || t == ImageLivenessFile || t == ImageIDCardBackFile
}

// preparedImage is an image checked and ready to send: an entry of the zip (name, size,
// CRC and a way to open it), or base64 text for info.json.
type preparedImage struct {
	typ    ImageType
	name   string // zip entry name; "" for base64 images
	size   int64
	crc    uint32
	open   func() (io.ReadCloser, error)
	base64 string
	// A file kept in memory since it was checked (see held.go): data is *held's bytes,
	// sent instead of reading the file again, until the job's zipPlan releases held.
	held *[]byte
	data []byte
}

// releaseImages gives back the buffers of images kept in memory.
func releaseImages(images []preparedImage) {
	for i := range images {
		if images[i].held != nil {
			releaseBuffer(images[i].held)
			images[i].held, images[i].data = nil, nil
		}
	}
}

// prepareImages opens, reads and checks every image, so that a missing or bad file is
// reported before the job is created on the server. Files are read here to compute their
// CRC; small ones are kept in memory for the upload (held.go), the others read again,
// streamed, during the upload: memory does not grow with their size. Reading stops when
// ctx ends (checked between reads of at most 512 KiB): the error is then a *NotSentError
// of the prep upload, which was not sent. The caller gives back the kept files'
// buffers, through the job's zipPlan or releaseImages.
func prepareImages(ctx context.Context, images []Image) (_ []preparedImage, err error) {
	out := make([]preparedImage, 0, len(images))
	defer func() {
		if err != nil {
			releaseImages(out)
		}
	}()
	names := map[string]int{}
	for i, img := range images {
		field := fmt.Sprintf("images[%d]", i)
		if !img.Type.Valid() {
			return nil, invalid(field, "unknown image type %d (want 0 to 7)", int(img.Type))
		}
		p, err := prepareImage(ctx, field, img)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
		if p.name != "" {
			if j, dup := names[p.name]; dup {
				return nil, invalid(field, "its zip entry name %q is the name of images[%d] too; rename one file", p.name, j)
			}
			names[p.name] = i
		}
	}
	return out, nil
}

func prepareImage(ctx context.Context, field string, img Image) (preparedImage, error) {
	if err := ctx.Err(); err != nil {
		return preparedImage{}, notSent(err)
	}
	p := preparedImage{typ: img.Type}
	fileType := isFileType(img.Type)
	sources := 0
	for _, set := range []bool{img.path != "", img.data != nil, img.reader != nil, img.isB64} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return p, invalid(field, "build images with the smileid image constructors (SelfieFile, ImageBase64...)")
	}
	var data []byte // the image bytes, when held in memory
	switch {
	case img.isB64:
		if fileType {
			return p, invalid(field, "image type %d is a file type: use type %d for base64, or ImageBytes with the decoded bytes", int(img.Type), int(img.Type)+2)
		}
		b64 := strings.TrimSpace(img.b64)
		if strings.HasPrefix(b64, "data:") {
			return p, invalid(field, `base64 images must not start with a "data:" URI prefix; send only the base64 text`)
		}
		if err := checkBase64Image(field, b64); err != nil {
			return p, err
		}
		p.base64 = b64
		return p, nil
	case img.path != "":
		if !fileType {
			b, err := readImageFile(ctx, field, img.path)
			if err != nil {
				return p, err
			}
			data = b
			break
		}
		return prepareFile(ctx, field, p, img.path)
	case img.reader != nil:
		b, err := io.ReadAll(io.LimitReader(ctxReader{ctx, img.reader}, MaxImageSize+1))
		if err != nil {
			return p, readError(ctx, field, err)
		}
		data = b
	default:
		data = img.data
	}
	if err := checkImageBytes(field, data, int64(len(data))); err != nil {
		return p, err
	}
	if !fileType {
		p.base64 = base64.StdEncoding.EncodeToString(data)
		return p, nil
	}
	if err := checkEntryName(field, img.name); err != nil {
		return p, err
	}
	p.name, p.size, p.crc = img.name, int64(len(data)), crc32.ChecksumIEEE(data)
	p.open = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	return p, nil
}

// prepareFile checks a file image and computes its CRC, keeping it in memory when it is
// small and the budget allows (held.go). Otherwise the upload opens the file again as
// openImage does (without waiting, regular files only), so that a file replaced by a FIFO
// in between fails the upload instead of hanging it.
func prepareFile(ctx context.Context, field string, p preparedImage, path string) (preparedImage, error) {
	f, announced, err := openImage(field, path)
	if err != nil {
		return p, err
	}
	defer f.Close()
	name := filepath.Base(path)
	if err := checkEntryName(field, name); err != nil {
		return p, err
	}
	held := holdBuffer(announced)
	size, crc, kept, err := crcImage(ctx, field, f, announced, held)
	if held != nil && (err != nil || !kept) {
		releaseBuffer(held)
		held = nil
	}
	if err != nil {
		return p, err
	}
	p.name, p.size, p.crc = name, size, crc
	if held != nil {
		p.held, p.data = held, *held
	}
	p.open = func() (io.ReadCloser, error) {
		f, _, err := openImage(field, path)
		if err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				err = &imageChangedError{field: ve.Field, reason: ve.Reason, err: ve.Err}
			}
			return nil, err
		}
		return f, nil
	}
	return p, nil
}

// crcImage reads an image to its end and returns its size and CRC-32, checking that it
// starts like a JPEG or PNG and is neither empty nor larger than MaxImageSize: announced
// (the size the file system reported) is checked first, then what is read, which stops
// past MaxImageSize however long the file turns out to be (it may grow while it is read).
// It stops when ctx ends, between reads. With keep, the image is read into *keep as long
// as it fits in its capacity; kept says it all did (else *keep holds part of it).
func crcImage(ctx context.Context, field string, r io.Reader, announced int64, keep *[]byte) (size int64, crc uint32, kept bool, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, false, notSent(err)
	}
	var head [8]byte
	n, err := io.ReadFull(r, head[:])
	switch err {
	case nil:
	case io.EOF, io.ErrUnexpectedEOF:
		err = io.EOF // all of it is in head
	default:
		return 0, 0, false, readError(ctx, field, err)
	}
	if err := checkImageBytes(field, head[:n], announced); err != nil {
		return 0, 0, false, err
	}
	crc = crc32.Update(0, crc32.IEEETable, head[:n])
	size = int64(n)
	kept = keep != nil && cap(*keep) >= n
	if kept {
		*keep = append((*keep)[:0], head[:n]...)
	}
	var scratch *[]byte
	defer func() {
		if scratch != nil {
			readBuffers.Put(scratch)
		}
	}()
	for err == nil {
		if err = ctx.Err(); err != nil {
			break
		}
		// Reads of at most bulkChunk, each CRC'd while it is in the cache.
		var p []byte
		into := kept && len(*keep) < cap(*keep)
		if into {
			k := *keep
			p = k[len(k):min(cap(k), len(k)+bulkChunk)]
		} else {
			if scratch == nil {
				scratch = readBuffers.Get().(*[]byte)
			}
			p = *scratch
		}
		var m int
		m, err = r.Read(p)
		crc = crc32.Update(crc, crc32.IEEETable, p[:m])
		size += int64(m)
		if into {
			*keep = (*keep)[:len(*keep)+m]
		} else if m > 0 {
			kept = false // longer than the buffer
		}
		if size > MaxImageSize {
			return 0, 0, false, checkImageBytes(field, head[:n], size)
		}
	}
	if err != io.EOF {
		return 0, 0, false, readError(ctx, field, err)
	}
	return size, crc, kept, nil
}

// imageChangedError is an image file that the upload could not open as the regular file
// checked before the prep upload (removed, replaced by a FIFO...). It matches
// errImageChanged, and Err (such as fs.ErrNotExist) with errors.Is.
type imageChangedError struct {
	field, reason string
	err           error
}

func (e *imageChangedError) Error() string {
	return errImageChanged.Error() + ": " + e.field + " " + e.reason
}

func (e *imageChangedError) Is(target error) bool { return target == errImageChanged }
func (e *imageChangedError) Unwrap() error        { return e.err }

// ctxReader reads r until ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// readError is the error of an image that could not be read: the context's end (nothing
// was sent), or a *ValidationError.
func readError(ctx context.Context, field string, err error) error {
	if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
		return notSent(cerr)
	}
	return &ValidationError{Field: field, Reason: "could not be read", Err: err}
}

// notSent is the error of a job whose images were being checked when ctx ended: the prep
// upload, which creates the job, was not sent.
func notSent(ctxErr error) error { return &NotSentError{Operation: OpUpload, Err: ctxErr} }

// openImage opens the image file at path, refusing anything but a regular file, and
// returns it with its size.
func openImage(field, path string) (*os.File, int64, error) {
	// Only regular files: opening a FIFO waits for a writer (forever, past any context),
	// and a device or socket is no image. Checked before opening, and again on the open
	// file, which is opened without blocking where the system allows.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, 0, &ValidationError{Field: field, Reason: "is not a regular file: " + path}
	}
	f, err := openNoBlock(path)
	if err != nil {
		reason := "could not be opened"
		if errors.Is(err, fs.ErrNotExist) {
			reason = "file does not exist"
		}
		return nil, 0, &ValidationError{Field: field, Reason: reason + ": " + path, Err: err}
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, &ValidationError{Field: field, Reason: "is not a regular file: " + path, Err: err}
	}
	return f, st.Size(), nil
}

func readImageFile(ctx context.Context, field, path string) ([]byte, error) {
	f, size, err := openImage(field, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > MaxImageSize {
		return nil, checkImageBytes(field, nil, size) // refused without reading it
	}
	b, err := io.ReadAll(io.LimitReader(ctxReader{ctx, f}, MaxImageSize+1))
	if err != nil {
		return nil, readError(ctx, field, err)
	}
	return b, nil
}

var (
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	pngMagic  = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}
)

// checkBase64Image checks a base64 image as DecodeString would decode it (standard
// alphabet and padding; line breaks skipped), and that it is a JPEG or PNG within the size
// limit, decoding it in pieces into a pooled buffer: the decoded image is never held.
func checkBase64Image(field, b64 string) error {
	// The streaming decoder, unlike DecodeString, reads on after padding ("QQ==QQ==").
	if i := strings.IndexByte(b64, '='); i >= 0 && strings.Trim(b64[i:], "=\r\n") != "" {
		return &ValidationError{Field: field, Reason: "is not valid standard base64", Err: base64.CorruptInputError(i)}
	}
	buf := getBuffer()
	defer putBuffer(buf)
	dec := base64.NewDecoder(base64.StdEncoding, strings.NewReader(b64))
	var head [8]byte
	n, size := 0, int64(0)
	var err error
	for err == nil && size <= MaxImageSize {
		var m int
		if n < len(head) {
			m, err = dec.Read(head[n:])
			n += m
		} else {
			m, err = dec.Read(*buf)
		}
		size += int64(m)
	}
	if err != nil && err != io.EOF {
		return &ValidationError{Field: field, Reason: "is not valid standard base64", Err: err}
	}
	return checkImageBytes(field, head[:n], size)
}

// checkImageBytes checks an image's size and that it starts like a JPEG or PNG.
func checkImageBytes(field string, head []byte, size int64) error {
	switch {
	case size == 0:
		return invalid(field, "is empty")
	case size > MaxImageSize:
		return invalid(field, "is larger than %d MiB", MaxImageSize>>20)
	case bytes.HasPrefix(head, jpegMagic), bytes.HasPrefix(head, pngMagic):
		return nil
	}
	return invalid(field, "is not a JPEG or PNG image")
}

func checkEntryName(field, name string) error {
	switch {
	case name == "" || name == "." || name == string(filepath.Separator):
		return invalid(field, "needs a file name for its zip entry")
	case strings.ContainsAny(name, `/\`) || name == "..":
		return invalid(field, "its zip entry name must be a base name, without directories")
	case len(name) > 255:
		return invalid(field, "its zip entry name is longer than 255 bytes")
	case strings.EqualFold(name, "info.json"):
		return invalid(field, `"info.json" is reserved for the job's manifest`)
	}
	return nil
}
