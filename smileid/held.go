package smileid

import (
	"math/bits"
	"sync"
	"sync/atomic"
)

// Image files read once. A job's image files are read before the prep upload (so that
// nothing is created for a file that cannot be read) and sent after it. A small file is
// kept in memory from the first read to the end of its upload, instead of being read
// again (about 7 % of a job's CPU for two 1 MiB files, measured one job at a time).
// Memory stays bounded whatever the images' size and the number of jobs in flight: only
// files of at most maxHeldImage are kept, and only while the process keeps less than
// heldBudget of them (a job of two 4 MiB files, or four jobs of two 1 MiB files); the
// others are read twice, streamed from the file both times. (With 16 jobs in flight a
// 32 MiB budget saved under 3 % of CPU for 33 MiB more memory: not worth it.)
const (
	maxHeldImage = 4 << 20
	heldBudget   = 8 << 20
	minHeldClass = 64 << 10 // the smallest buffer class
	heldClasses  = 7        // 64 KiB, 128 KiB, ... 4 MiB: minHeldClass<<(heldClasses-1) == maxHeldImage
)

// heldBytes is the size of the buffers in use, across every client of the process.
var heldBytes atomic.Int64

// heldPools hold free buffers by class: 64 KiB, 128 KiB, ... maxHeldImage.
var heldPools [heldClasses]sync.Pool

// heldClass returns the class of a buffer for size bytes.
func heldClass(size int64) int {
	if size <= minHeldClass {
		return 0
	}
	return bits.Len64(uint64(size-1)) - bits.Len64(minHeldClass-1)
}

// holdBuffer returns a buffer of at least size bytes (length 0), or nil when size is over
// maxHeldImage or the budget has no room for it. Give it back with releaseBuffer.
func holdBuffer(size int64) *[]byte {
	if size <= 0 || size > maxHeldImage {
		return nil
	}
	class := heldClass(size)
	capacity := int64(minHeldClass) << class
	if heldBytes.Add(capacity) > heldBudget {
		heldBytes.Add(-capacity)
		return nil
	}
	if b, ok := heldPools[class].Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, capacity)
	return &b
}

// releaseBuffer gives back a buffer of holdBuffer. Nothing may read it afterwards.
func releaseBuffer(b *[]byte) {
	capacity := int64(cap(*b))
	heldPools[heldClass(capacity)].Put(b)
	heldBytes.Add(-capacity)
}
