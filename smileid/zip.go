package smileid

import (
	"archive/zip"
	"errors"
	"hash/crc32"
	"io"
	"time"
)

// zipPlan is a job's zip, described before it is written so that its exact length is known
// (the presigned upload needs a Content-Length; S3 refuses chunked bodies). Entries are
// STORE (images are already compressed): info.json first, then the image files in the
// job's order. Written with a known CRC and size in each local header, no data
// descriptors, no extra fields and no zip64.
type zipPlan struct {
	info    []byte
	files   []preparedImage
	modTime time.Time
}

const (
	zipLocalHeaderLen   = 30
	zipCentralHeaderLen = 46
	zipEndLen           = 22
	zipMaxSize          = 1<<32 - 1
)

// size returns the number of bytes writeTo writes.
func (p *zipPlan) size() int64 {
	n := int64(zipEndLen)
	add := func(name string, size int64) {
		n += zipLocalHeaderLen + zipCentralHeaderLen + 2*int64(len(name)) + size
	}
	add("info.json", int64(len(p.info)))
	for _, f := range p.files {
		add(f.name, f.size)
	}
	return n
}

var errImageChanged = errors.New("smileid: an image file changed while it was being uploaded")

// writeTo writes the zip to w, streaming each image from its source.
func (p *zipPlan) writeTo(w io.Writer) error {
	zw := zip.NewWriter(w)
	date, clock := dosTime(p.modTime)
	header := func(name string, size int64, crc uint32) *zip.FileHeader {
		h := &zip.FileHeader{
			Name: name, Method: zip.Store, CRC32: crc,
			CompressedSize64: uint64(size), UncompressedSize64: uint64(size),
			CreatorVersion: 20, ReaderVersion: 10,
		}
		// CreateRaw writes the MS-DOS fields as they are and ignores Modified (which would
		// add an extra field and change the zip's length).
		h.ModifiedDate, h.ModifiedTime = date, clock //lint:ignore SA1019 see above
		return h
	}
	ew, err := zw.CreateRaw(header("info.json", int64(len(p.info)), crc32.ChecksumIEEE(p.info)))
	if err != nil {
		return err
	}
	if _, err := ew.Write(p.info); err != nil {
		return err
	}
	for _, f := range p.files {
		ew, err := zw.CreateRaw(header(f.name, f.size, f.crc))
		if err != nil {
			return err
		}
		if err := copyChecked(ew, f); err != nil {
			return err
		}
	}
	return zw.Close()
}

// copyChecked streams an image into the zip and fails if its bytes are no longer those
// that were checked (and whose CRC and size the local header already carries).
func copyChecked(w io.Writer, f preparedImage) error {
	r, err := f.open()
	if err != nil {
		return err
	}
	defer r.Close()
	h := crc32.NewIEEE()
	n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(r, f.size+1))
	if err != nil {
		return err
	}
	if n != f.size || h.Sum32() != f.crc {
		return errImageChanged
	}
	return nil
}

// body returns a reader of the zip, written by a goroutine as the reader is consumed.
// Closing the reader stops the goroutine.
func (p *zipPlan) body() io.ReadCloser {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(p.writeTo(pw)) }()
	return pr
}

// dosTime converts t (UTC) to the MS-DOS date and time of zip headers.
func dosTime(t time.Time) (date, clock uint16) {
	t = t.UTC()
	if t.Year() < 1980 {
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	date = uint16((t.Year()-1980)<<9 | int(t.Month())<<5 | t.Day())
	clock = uint16(t.Hour()<<11 | t.Minute()<<5 | t.Second()/2)
	return date, clock
}
