package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// hostile is text a server might send to take over a terminal: an SGR colour, an OSC
// title change ended by BEL, an 8-bit CSI clearing the screen, a bidi override, NUL.
const hostile = "\x1b[31mred\x1b]0;pwned\x07 \u009b2J \u202eevil\x00 end"

func TestCLIPrintsNoControlCharacters(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("ok") != "" || strings.HasSuffix(r.URL.Path, "/services") && r.Header.Get("X-Ok") != "" {
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		b, _ := json.Marshal(map[string]string{"code": "2213", "error": hostile})
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	r := cli(t, creds("212", "k-123456"), "", "services", "--server", srv.URL+"/v1").want(t, 1)
	if strings.ContainsAny(r.stderr, "\x1b\x07\x00\u009b\u202e") {
		t.Fatalf("stderr carries control characters: %q", r.stderr)
	}
	if !strings.Contains(r.stderr, "red") || !strings.Contains(r.stderr, "end") {
		t.Fatalf("the server's message is lost: %q", r.stderr)
	}
}

func TestStripAndEscape(t *testing.T) {
	if got := string(stripControls([]byte(hostile + "\xff\n"))); got != "[31mred]0;pwned 2J evil end?\n" {
		t.Fatalf("stripControls = %q", got)
	}
	doc, _ := json.Marshal(map[string]string{"msg": hostile})
	esc := escapeJSONControls(doc)
	if strings.ContainsAny(string(esc), "\x1b\x07\x00\u009b\u202e") {
		t.Fatalf("escaped JSON still carries controls: %q", esc)
	}
	var back map[string]string
	if err := json.Unmarshal(esc, &back); err != nil || back["msg"] != hostile {
		t.Fatalf("the escaped JSON means something else: %q %v", back["msg"], err)
	}
	// stdout of a command: a 200 answer with controls in its strings stays valid JSON,
	// without the raw characters.
	e := &env{}
	var out strings.Builder
	e.stdout = &out
	if err := e.writeJSON(doc); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out.String(), "\x1b\x07\x00\u009b\u202e") || json.Unmarshal([]byte(out.String()), &back) != nil || back["msg"] != hostile {
		t.Fatalf("stdout %q", out.String())
	}
}

// A proxy's HTML error page is never pasted: the reason is the status line, on one line.
func TestCLIProxyHTMLErrorIsTheStatusLine(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center>nginx</center>\n<script>x()</script></body></html>\n"))
	}))
	defer srv.Close()
	r := cli(t, creds("212", "k-123456"), "", "services", "--server", srv.URL+"/v1").want(t, 1)
	if r.stderr != "smileid services: services: HTTP 502 Bad Gateway\n" {
		t.Fatalf("stderr %q", r.stderr)
	}
}

func TestRedactSignatures(t *testing.T) {
	in := `{"timestamp":"2026-11-27T09:00:00.000Z","signature":"c2VjcmV0","n":1.50,"big":12345678901234567890,` +
		`"result":{"Signature":"AAAA","list":[{"signature":"BBBB"},"signature",null,true,[],{}],"html":"<b>&</b>"},"e":""}`
	got := redactSignatures([]byte(in))
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatalf("not JSON: %v: %s", err, got)
	}
	want := strings.NewReplacer(`"c2VjcmV0"`, `"[REDACTED]"`, `"AAAA"`, `"[REDACTED]"`, `"BBBB"`, `"[REDACTED]"`).Replace(in)
	_ = json.Unmarshal([]byte(want), &b)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("redactSignatures =\n%s\nwant the meaning of\n%s", got, want)
	}
	for _, s := range []string{"c2VjcmV0", "AAAA", "BBBB"} {
		if strings.Contains(string(got), s) {
			t.Errorf("%s survived: %s", s, got)
		}
	}
	// Numbers keep their text; key order is kept.
	if !strings.Contains(string(got), `"n":1.50,"big":12345678901234567890`) || !strings.HasPrefix(string(got), `{"timestamp"`) {
		t.Errorf("numbers or order changed: %s", got)
	}
	// Not JSON: unchanged.
	if string(redactSignatures([]byte("<html>"))) != "<html>" {
		t.Error("a non-JSON document was changed")
	}
}
