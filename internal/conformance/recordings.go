// Package conformance reads the requests the official SDKs sent in their recorded
// scenarios (testdata/conformance/*-sdk-requests.jsonl) and rebuilds their zips, for the
// tests that check the spec (openapi/) and the fake (smileid/smileidtest) against them.
package conformance

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Entry is one recorded zip entry: its content is the recorded info.json, a fixture image
// (MatchesFixture, a file name in the fixtures directory), or recorded text (ContentUTF8,
// e.g. the Python SDK's base64imgString entries).
type Entry struct {
	Name           string          `json:"name"`
	Method         string          `json:"method"` // STORE or DEFLATE
	InfoJSON       json.RawMessage `json:"info_json"`
	MatchesFixture string          `json:"matches_fixture"`
	ContentUTF8    *string         `json:"content_utf8"`
}

// Recording is one recorded request.
type Recording struct {
	Scenario string          `json:"scenario"`
	Seq      int             `json:"seq_in_scenario"`
	Method   string          `json:"method"`
	Path     string          `json:"path"`
	Body     json.RawMessage `json:"body"`
	Zip      *struct {
		Entries []Entry `json:"entries"`
	} `json:"zip"`
}

// Load reads a recordings file, one JSON object a line.
func Load(path string) ([]Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Recording
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r Recording
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, len(out)+1, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// Group returns the scenarios in the order they first appear, and each one's requests.
func Group(recs []Recording) (scenarios []string, by map[string][]Recording) {
	by = map[string][]Recording{}
	for _, r := range recs {
		if _, seen := by[r.Scenario]; !seen {
			scenarios = append(scenarios, r.Scenario)
		}
		by[r.Scenario] = append(by[r.Scenario], r)
	}
	return scenarios, by
}

// RebuildZip makes the recorded zip again: its entries in order, with their recorded
// compression methods and contents (fixture images read from fixturesDir).
func RebuildZip(r Recording, fixturesDir string) ([]byte, error) {
	if r.Zip == nil {
		return nil, fmt.Errorf("%s: the request has no recorded zip", r.Scenario)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range r.Zip.Entries {
		method := zip.Store
		if e.Method == "DEFLATE" {
			method = zip.Deflate
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: method})
		if err != nil {
			return nil, err
		}
		switch {
		case e.InfoJSON != nil:
			_, err = w.Write(e.InfoJSON)
		case e.MatchesFixture != "":
			var b []byte
			if b, err = os.ReadFile(filepath.Join(fixturesDir, e.MatchesFixture)); err == nil {
				_, err = w.Write(b)
			}
		case e.ContentUTF8 != nil:
			_, err = io.WriteString(w, *e.ContentUTF8)
		default:
			err = fmt.Errorf("%s: zip entry %q has no recorded content", r.Scenario, e.Name)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
