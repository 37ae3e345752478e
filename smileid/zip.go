package smileid

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"sync"
	"time"
)

// zipPlan is a job's zip, described before it is written so that its exact length is known
// (the presigned upload needs a Content-Length; S3 refuses chunked bodies). Entries are
// STORE (images are already compressed): info.json first, then the image files in the
// job's order. Written with a known CRC and size in each local header, no data
// descriptors, no extra fields and no zip64: byte for byte what archive/zip's CreateRaw
// writes for such entries (TestZipMatchesArchiveZip).
type zipPlan struct {
	info    infoJSON
	files   []preparedImage
	modTime time.Time

	// The files kept in memory (held.go) are given back once the plan's owner called
	// release and every body has ended: closed, and no Read of it in progress (net/http
	// may close a request body while it reads it, and after the round trip returned).
	mu        sync.Mutex
	bodies    int
	ownerDone bool
}

// release gives back the plan's kept files once no body reads them any more. Calling it
// again does nothing.
func (p *zipPlan) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ownerDone = true
	p.freeLocked()
}

func (p *zipPlan) bodyEnded() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bodies--
	p.freeLocked()
}

func (p *zipPlan) freeLocked() {
	if p.ownerDone && p.bodies == 0 {
		releaseImages(p.files)
	}
}

const (
	zipLocalHeaderLen   = 30
	zipCentralHeaderLen = 46
	zipEndLen           = 22
	zipMaxSize          = 1<<32 - 1 // without zip64 records, sizes and offsets are 32-bit
	zipMaxEntries       = 1<<16 - 1 // and the entry count is 16-bit
)

// infoJSON is info.json held as pieces: the text the SDK encoded, and between them the
// caller's base64 images, which are written into the zip from the caller's strings
// (never copied into an encoded document).
type infoJSON struct {
	parts []jsonPart
	size  int64
	crc   uint32
}

// jsonPart is one piece of info.json: b, or when b is nil, s.
type jsonPart struct {
	b []byte
	s string
}

func (p jsonPart) len() int {
	if p.b != nil {
		return len(p.b)
	}
	return len(p.s)
}

// newInfoJSON computes the length and CRC-32 of parts.
func newInfoJSON(parts []jsonPart) infoJSON {
	j := infoJSON{parts: parts}
	var buf *[]byte
	for _, p := range parts {
		j.size += int64(p.len())
		if p.b != nil {
			j.crc = crc32.Update(j.crc, crc32.IEEETable, p.b)
			continue
		}
		if buf == nil {
			buf = getBuffer()
			defer putBuffer(buf)
		}
		for s := p.s; s != ""; {
			n := copy(*buf, s)
			j.crc = crc32.Update(j.crc, crc32.IEEETable, (*buf)[:n])
			s = s[n:]
		}
	}
	return j
}

// rawInfoJSON is info.json given whole.
func rawInfoJSON(b []byte) infoJSON { return newInfoJSON([]jsonPart{{b: b}}) }

// bulkChunk is how much of an image file the SDK reads at a time (the CRC pass), and how
// much of a request body its transport reads, encrypts and sends at a time (bulkconn.go).
const bulkChunk = 512 << 10

// readBuffers are buffers of bulkChunk bytes, shared by jobs.
var readBuffers = sync.Pool{New: func() any { b := make([]byte, bulkChunk); return &b }}

// copyBuffers are the SDK's smaller buffers (base64 checks, writeTo), shared by jobs.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func getBuffer() *[]byte  { return copyBuffers.Get().(*[]byte) }
func putBuffer(b *[]byte) { copyBuffers.Put(b) }

// size returns the number of bytes the zip has.
func (p *zipPlan) size() int64 {
	n := int64(zipEndLen)
	add := func(name string, size int64) {
		n += zipLocalHeaderLen + zipCentralHeaderLen + 2*int64(len(name)) + size
	}
	add("info.json", p.info.size)
	for _, f := range p.files {
		add(f.name, f.size)
	}
	return n
}

// checkLimits refuses a zip that could not be written without zip64 records: over 4 GiB
// once info.json has grown by up to more bytes (the prep-upload answer it repeats), or
// with more than 65 535 entries.
func (p *zipPlan) checkLimits(more int64) error {
	if len(p.files)+1 > zipMaxEntries {
		return invalid("images", "a job's zip holds at most %d image files", zipMaxEntries-1)
	}
	if p.size()+more > zipMaxSize {
		return invalid("images", "the job's zip would exceed 4 GiB")
	}
	return nil
}

var (
	errImageChanged = errors.New("smileid: an image file changed while it was being uploaded")
	errZipClosed    = errors.New("smileid: read of a closed zip body")
)

// body returns a reader of the zip that produces it as it is read: headers and info.json
// from memory, each image read from its source straight into the caller's buffer (the
// transport's), its CRC and length checked against those the local header announced.
// No goroutine, no pipe, no copy buffer of its own.
//
// When ctx ends the body closes itself (context.AfterFunc, which starts a goroutine only
// then): net/http's HTTP/1 transport neither closes a request body nor returns from the
// round trip while a Read of it is in progress, so a read stalled on its image must be
// ended from here for the call to end with its context.
func (p *zipPlan) body(ctx context.Context) io.ReadCloser {
	headers := make([]byte, 0, p.size()-p.info.size-sumSizes(p.files))
	segs := make([]zipSeg, 0, 2+len(p.info.parts)+2*len(p.files))
	date, clock := dosTime(p.modTime)
	type entry struct {
		name   string
		size   int64
		crc    uint32
		offset int64
	}
	entries := make([]entry, 0, 1+len(p.files))
	offset := int64(0)
	// Segments of headers hold [start, end) offsets into headers until it is complete.
	local := func(name string, size int64, crc uint32) {
		start := len(headers)
		headers = binary.LittleEndian.AppendUint32(headers, 0x04034b50)
		headers = appendUint16s(headers, 10, 0, 0, clock, date) // version needed, flags, STORE, time, date
		headers = binary.LittleEndian.AppendUint32(headers, crc)
		headers = binary.LittleEndian.AppendUint32(headers, uint32(size))
		headers = binary.LittleEndian.AppendUint32(headers, uint32(size))
		headers = appendUint16s(headers, uint16(len(name)), 0)
		headers = append(headers, name...)
		entries = append(entries, entry{name, size, crc, offset})
		segs = append(segs, zipSeg{start: start, n: int64(len(headers) - start), header: true})
		offset += int64(len(headers)-start) + size
	}
	local("info.json", p.info.size, p.info.crc)
	for _, part := range p.info.parts {
		segs = append(segs, zipSeg{b: part.b, s: part.s, n: int64(part.len())})
	}
	for i := range p.files {
		f := &p.files[i]
		local(f.name, f.size, f.crc)
		if f.data != nil {
			segs = append(segs, zipSeg{b: f.data, n: f.size})
		} else {
			segs = append(segs, zipSeg{file: f, n: f.size})
		}
	}
	start := len(headers)
	for _, e := range entries {
		headers = binary.LittleEndian.AppendUint32(headers, 0x02014b50)
		headers = appendUint16s(headers, 20, 10, 0, 0, clock, date) // made by, needed, flags, STORE, time, date
		headers = binary.LittleEndian.AppendUint32(headers, e.crc)
		headers = binary.LittleEndian.AppendUint32(headers, uint32(e.size))
		headers = binary.LittleEndian.AppendUint32(headers, uint32(e.size))
		headers = appendUint16s(headers, uint16(len(e.name)), 0, 0, 0, 0) // name, extra, comment, disk, internal attrs
		headers = binary.LittleEndian.AppendUint32(headers, 0)            // external attrs
		headers = binary.LittleEndian.AppendUint32(headers, uint32(e.offset))
		headers = append(headers, e.name...)
	}
	dirSize := len(headers) - start
	headers = binary.LittleEndian.AppendUint32(headers, 0x06054b50)
	headers = appendUint16s(headers, 0, 0, uint16(len(entries)), uint16(len(entries)))
	headers = binary.LittleEndian.AppendUint32(headers, uint32(dirSize))
	headers = binary.LittleEndian.AppendUint32(headers, uint32(offset))
	headers = appendUint16s(headers, 0) // comment
	segs = append(segs, zipSeg{start: start, n: int64(len(headers) - start), header: true})
	for i := range segs {
		if segs[i].header {
			segs[i].b = headers[segs[i].start : segs[i].start+int(segs[i].n)]
		}
	}
	p.mu.Lock()
	p.bodies++
	p.mu.Unlock()
	z := &zipReader{segs: segs, ended: p.bodyEnded}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { z.shut(context.Cause(ctx)) })
		z.mu.Lock()
		z.stop = stop
		z.mu.Unlock()
	}
	return z
}

func sumSizes(files []preparedImage) int64 {
	n := int64(0)
	for _, f := range files {
		n += f.size
	}
	return n
}

func appendUint16s(b []byte, vs ...uint16) []byte {
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint16(b, v)
	}
	return b
}

// zipSeg is a run of n bytes of the zip: b, s, or an image file.
type zipSeg struct {
	b      []byte
	s      string
	file   *preparedImage
	n      int64
	header bool // b is headers[start:start+n]
	start  int
}

// zipReader reads a zip described by its segments. Read, like any io.Reader's, is called
// by one goroutine at a time; Close may be called from another one at any time, even while
// a Read waits on an image (the HTTP/2 transport does when a request ends, and so does the
// context's end, see body). Close takes only mu, which is never held while an image is
// opened or read, so it returns at once; it closes the image being read, which ends that
// read if closing can (a pipe, a reader that honours Close: not a regular file's read
// stuck in the kernel, such as on a hung network file system).
type zipReader struct {
	segs []zipSeg
	// The reading goroutine's.
	i   int   // current segment
	off int64 // bytes of it read
	f   io.ReadCloser
	crc uint32
	err error

	mu      sync.Mutex
	open    io.ReadCloser // f, until Close or the end of the image closes it
	closed  error         // set by Close: errZipClosed, or the context's error
	stop    func() bool   // unregisters the context.AfterFunc
	reading bool          // a Read is in progress
	ended   func()        // called once closed and not reading: segs are no longer read
}

// startRead marks a Read in progress, or returns why reads fail.
func (z *zipReader) startRead() error {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.closed != nil {
		return z.closed
	}
	z.reading = true
	return nil
}

func (z *zipReader) endRead() {
	z.mu.Lock()
	z.reading = false
	ended := z.endedLocked()
	z.mu.Unlock()
	if ended != nil {
		ended()
	}
}

// endedLocked returns ended the first time the body is closed and not read.
func (z *zipReader) endedLocked() func() {
	if z.closed == nil || z.reading || z.ended == nil {
		return nil
	}
	ended := z.ended
	z.ended = nil
	return ended
}

// closedErr returns the reason reads fail since Close, or nil.
func (z *zipReader) closedErr() error {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.closed
}

func (z *zipReader) Read(p []byte) (int, error) {
	if err := z.startRead(); err != nil {
		return 0, err
	}
	defer z.endRead()
	return z.read(p)
}

// minLend is the shortest run of bytes in memory that writeTo writes from where it is
// instead of copying it.
const minLend = 64 << 10

// lendableFrom reports whether the segment's bytes from off on are in memory as a
// []byte (a kept image file) at least minLend long: writeTo writes them as they are.
func (s *zipSeg) lendableFrom(off int64) bool {
	return s.file == nil && s.b != nil && s.n-off >= minLend
}

// lendable returns the bytes at the read position when writeTo writes them as they are.
func (z *zipReader) lendable() []byte {
	if z.i == len(z.segs) || !z.segs[z.i].lendableFrom(z.off) {
		return nil
	}
	return z.segs[z.i].b[z.off:]
}

// copiesMuch reports whether writeTo has long runs to copy: files read from disk, or
// base64 images (strings).
func (z *zipReader) copiesMuch() bool {
	for i := z.i; i < len(z.segs); i++ {
		if seg := &z.segs[i]; seg.file != nil || seg.b == nil && seg.n >= minLend {
			return true
		}
	}
	return false
}

// untilLendable returns how many bytes from the read position precede the next lendable
// run (at most max).
func (z *zipReader) untilLendable(max int) int {
	n := 0
	for i, off := z.i, z.off; i < len(z.segs) && n < max; i, off = i+1, 0 {
		seg := &z.segs[i]
		if seg.lendableFrom(off) {
			break
		}
		n += int(min(seg.n-off, int64(max-n)))
	}
	return n
}

// writeTo writes the next bytes of the zip, at most limit, to w: runs held in memory (the
// kept image files) as they are, without a copy; the rest (headers, info.json, files read
// from disk) gathered in buf first. Like Read, it fails once the body is closed, and the
// memory it writes from stays valid until it returns. It returns io.EOF at the zip's end.
func (z *zipReader) writeTo(w io.Writer, limit int64, buf []byte) (int64, error) {
	if err := z.startRead(); err != nil {
		return 0, err
	}
	defer z.endRead()
	var n int64
	for limit > 0 {
		if b := z.lendable(); b != nil {
			b = b[:min(int64(len(b)), limit)]
			m, err := w.Write(b)
			n += int64(m)
			limit -= int64(m)
			z.off += int64(m)
			if z.off == z.segs[z.i].n {
				z.i++
				z.off = 0
			}
			if err != nil {
				return n, err
			}
			continue
		}
		size := z.untilLendable(int(min(int64(len(buf)), limit)))
		if size == 0 { // not lendable and nothing before the next lendable run: the end
			return n, io.EOF
		}
		m, err := z.read(buf[:size])
		if m > 0 {
			wm, werr := w.Write(buf[:m])
			n += int64(wm)
			limit -= int64(wm)
			if werr != nil {
				return n, werr
			}
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// read is Read, its start and end marked by the caller.
func (z *zipReader) read(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	n := 0
	for n < len(p) && z.i < len(z.segs) {
		seg := &z.segs[z.i]
		if seg.file != nil {
			m, err := z.readFile(seg, p[n:])
			n += m
			if err != nil {
				if cerr := z.closedErr(); cerr != nil {
					err = cerr // closed while it read: the image's error says only that
				}
				z.err = err
				return n, err
			}
			if m == 0 && z.off < seg.n {
				break // no progress now; the caller reads again
			}
		} else {
			var m int
			if seg.b != nil {
				m = copy(p[n:], seg.b[z.off:])
			} else {
				m = copy(p[n:], seg.s[z.off:])
			}
			n += m
			z.off += int64(m)
		}
		if z.off == seg.n && z.f == nil {
			z.i++
			z.off = 0
		}
	}
	if n == 0 && z.i == len(z.segs) {
		return 0, io.EOF
	}
	return n, nil
}

// readFile reads the image of seg into p; at its end it checks that the file ends there
// and has the CRC announced, and closes it.
func (z *zipReader) readFile(seg *zipSeg, p []byte) (int, error) {
	if z.f == nil {
		f, err := seg.file.open()
		if err != nil {
			return 0, err
		}
		z.mu.Lock()
		closed := z.closed
		if closed == nil {
			z.open = f
		}
		z.mu.Unlock()
		if closed != nil { // closed while it opened
			f.Close()
			return 0, closed
		}
		z.f, z.crc = f, 0
	}
	if rem := seg.n - z.off; rem > 0 {
		if int64(len(p)) > rem {
			p = p[:rem]
		}
		m, err := z.f.Read(p)
		z.crc = crc32.Update(z.crc, crc32.IEEETable, p[:m])
		z.off += int64(m)
		if err == io.EOF && z.off < seg.n {
			return m, errImageChanged // shorter than announced
		}
		if err != nil && err != io.EOF {
			return m, err
		}
		if z.off < seg.n {
			return m, nil
		}
		return m, z.endFile(seg)
	}
	return 0, z.endFile(seg)
}

// endFile checks that the open image ends where it should, with the right CRC.
func (z *zipReader) endFile(seg *zipSeg) error {
	var probe [1]byte
	for tries := 0; ; tries++ {
		m, err := z.f.Read(probe[:])
		if m > 0 {
			return errImageChanged // longer than announced
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if tries == 100 {
			return io.ErrNoProgress
		}
	}
	z.f = nil
	z.mu.Lock()
	f := z.open
	z.open = nil
	z.mu.Unlock()
	var err error
	if f != nil { // else Close closed it
		err = f.Close()
	}
	if z.crc != seg.file.crc {
		return errImageChanged
	}
	return err
}

// Close closes the image being read, if any, without waiting for a Read in progress.
// Reads after Close fail.
func (z *zipReader) Close() error { return z.shut(errZipClosed) }

// shut makes reads fail with why from now on and closes the image being read.
func (z *zipReader) shut(why error) error {
	z.mu.Lock()
	if z.closed == nil {
		z.closed = why
	}
	f, stop := z.open, z.stop
	z.open, z.stop = nil, nil
	ended := z.endedLocked()
	z.mu.Unlock()
	if stop != nil {
		stop()
	}
	if ended != nil {
		ended()
	}
	if f != nil {
		return f.Close()
	}
	return nil
}

// writeTo writes the zip to w.
func (p *zipPlan) writeTo(w io.Writer) error {
	body := p.body(context.Background())
	defer body.Close()
	buf := getBuffer()
	defer putBuffer(buf)
	_, err := io.CopyBuffer(writerOnly{w}, body, *buf)
	return err
}

// writerOnly hides w's ReadFrom (io.Discard's reads 8 KiB at a time), so that the zip is
// read 32 KiB at a time, as the transport reads a request body.
type writerOnly struct{ io.Writer }

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
