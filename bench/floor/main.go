// Command floor measures the physical floor of a job's upload, to compare the SDK with
// (BENCHMARKS.md): per job, each image file is opened and read once, its CRC-32 computed,
// and its bytes sent over one kept-alive TLS connection in 512 KiB writes, to a sink
// that discards them. No HTTP, no JSON, no signing, no prep upload: what no SDK can avoid.
//
// Usage:
//
//	floor sink                      serve a TLS sink on loopback; prints its address
//	floor send -addr A -jobs N FILE... send N jobs of FILEs to the sink at A
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"math/big"
	"os"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: floor sink | floor send -addr ADDR -jobs N FILE...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "sink":
		err = sink()
	case "send":
		err = send(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func sink() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		return err
	}
	fmt.Println(l.Addr())
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			_, _ = io.Copy(io.Discard, c)
		}()
	}
}

func send(args []string) error {
	fs := flag.NewFlagSet("send", flag.ExitOnError)
	addr := fs.String("addr", "", "the sink's address")
	jobs := fs.Int("jobs", 1, "jobs to send")
	_ = fs.Parse(args)
	// The sink's certificate is not checked: the handshake's cost is the same, once.
	conn, err := tls.Dial("tcp", *addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		return err
	}
	defer conn.Close()
	buf := make([]byte, 4<<20)
	for range *jobs {
		for _, path := range fs.Args() {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			n, err := io.ReadFull(f, buf)
			f.Close()
			if err != io.ErrUnexpectedEOF && err != io.EOF {
				return fmt.Errorf("%s: want a file under 4 MiB: %v", path, err)
			}
			_ = crc32.ChecksumIEEE(buf[:n])
			for b := buf[:n]; len(b) > 0; {
				w := min(len(b), 512<<10)
				if _, err := conn.Write(b[:w]); err != nil {
					return err
				}
				b = b[w:]
			}
		}
	}
	return nil
}
