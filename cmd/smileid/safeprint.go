package main

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"
)

// A server (or a proxy, or a job file) may put terminal control sequences in the text the
// CLI prints: ESC sequences can retitle or clear a terminal, rewrite what was printed, or
// worse. Everything the CLI prints goes through these filters: stderr through
// controlStripper, stdout JSON through escapeJSONControls.

// unsafeRune reports runes a terminal may act on: C0 controls other than newline and tab,
// DEL, C1 controls (U+0080-U+009F, among them the 8-bit CSI), and the bidirectional
// overrides and isolates that reorder what is shown.
func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e || r == 0x200f:
		return true
	}
	return false
}

// controlStripper drops unsafe runes from what it writes; bytes that are not UTF-8 become
// "?" (a lone 0x9b byte is a CSI to an 8-bit terminal).
type controlStripper struct{ w io.Writer }

func (c controlStripper) Write(p []byte) (int, error) {
	_, err := c.w.Write(stripControls(p))
	return len(p), err
}

func stripControls(p []byte) []byte {
	clean := true
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if unsafeRune(r) || (r == utf8.RuneError && n == 1) {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return p
	}
	out := make([]byte, 0, len(p))
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			out = append(out, '?')
		case unsafeRune(r):
		default:
			out = append(out, p[i:i+n]...)
		}
		i += n
	}
	return out
}

// escapeJSONControls rewrites unsafe runes of a JSON document as \u escapes: in valid
// JSON they can only stand inside strings, where the escape means the same text, so the
// document's meaning is unchanged and a terminal shows the escape instead of obeying it.
func escapeJSONControls(doc []byte) []byte {
	var out bytes.Buffer
	for i := 0; i < len(doc); {
		r, n := utf8.DecodeRune(doc[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			out.WriteString(`\ufffd`)
		case unsafeRune(r) && r != '\n' && r != '\t':
			fmt.Fprintf(&out, `\u%04x`, r)
		default:
			out.Write(doc[i : i+n])
		}
		i += n
	}
	return out.Bytes()
}
