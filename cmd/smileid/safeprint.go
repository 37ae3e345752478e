package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
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

// redactSignatures replaces the value of every "signature" key of a JSON document (at any
// depth, any letter case) with "[REDACTED]", keeping everything else and the order of
// keys. A server's (timestamp, signature) pair proves nothing about a body, but it is
// what a forged callback would carry: the CLI does not hand it out (sign, whose purpose
// it is, excepted). A document that is not valid JSON is returned as it is.
func redactSignatures(doc []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var out bytes.Buffer
	var stack []jsonFrame
	redactNext := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return doc
		}
		top := len(stack) - 1
		// Separators: a comma before every element but the first, a colon after a key.
		if top >= 0 {
			f := &stack[top]
			isClose := tok == json.Delim('}') || tok == json.Delim(']')
			if !isClose {
				if f.object && !f.wantKey {
					out.WriteByte(':')
				} else if f.n > 0 {
					out.WriteByte(',')
				}
			}
		}
		switch v := tok.(type) {
		case json.Delim:
			out.WriteRune(rune(v))
			switch v {
			case '{', '[':
				if top >= 0 {
					stack[top].afterValue()
				}
				stack = append(stack, jsonFrame{object: v == '{', wantKey: v == '{'})
			case '}', ']':
				stack = stack[:top]
			}
			redactNext = false
			continue
		case string:
			if top >= 0 && stack[top].object && stack[top].wantKey {
				b, _ := json.Marshal(v)
				out.Write(b)
				stack[top].wantKey = false
				redactNext = strings.EqualFold(v, "signature")
				continue
			}
			if redactNext {
				v = "[REDACTED]"
			}
			b, _ := json.Marshal(v)
			out.Write(b)
		case json.Number:
			out.WriteString(v.String())
		case bool:
			out.WriteString(strconv.FormatBool(v))
		case nil:
			out.WriteString("null")
		}
		redactNext = false
		if top >= 0 {
			stack[top].afterValue()
		}
	}
	return out.Bytes()
}

// jsonFrame is an open object or array while redactSignatures rewrites a document.
type jsonFrame struct {
	object, wantKey bool
	n               int // values written
}

// afterValue notes a value written in the frame: an object then wants its next key.
func (f *jsonFrame) afterValue() {
	f.n++
	if f.object {
		f.wantKey = true
	}
}
