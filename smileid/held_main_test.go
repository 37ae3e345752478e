package smileid

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// TestMain checks, after every test of the package ran, that every buffer that kept an
// image file in memory was given back: a job's buffers return once it ended and the
// transport closed its upload bodies, whatever happened to it.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(5 * time.Second)
		for heldBytes.Load() != 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := heldBytes.Load(); n != 0 {
			fmt.Fprintf(os.Stderr, "FAIL: %d bytes of image buffers were never given back\n", n)
			code = 1
		}
	}
	os.Exit(code)
}
