package apicheck

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite api/*.txt from the current API (a deliberate API change)")

// The packages whose exported API is under the compatibility promise (README: Versioning).
var packages = map[string]string{
	"smileid.txt":     "github.com/smileidentity/smile-identity-core-go/smileid",
	"smileidtest.txt": "github.com/smileidentity/smile-identity-core-go/smileid/smileidtest",
}

// TestAPI fails when the exported API of smileid or smileidtest differs from api/*.txt.
// A removed or changed line breaks partners' code; an added line is compatible but must be
// recorded too, so that every change of the API is deliberate and shows in review. To
// record a deliberate change: go test ./internal/apicheck -update.
func TestAPI(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for file, pkg := range packages {
		cur, err := Features(root, pkg)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(root, "api", file)
		if *update {
			if err := os.WriteFile(path, []byte(strings.Join(cur, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (record the API with: go test ./internal/apicheck -update)", err)
		}
		removed, added := Diff(strings.Split(strings.TrimSpace(string(b)), "\n"), cur)
		if len(removed) > 0 {
			t.Errorf("BREAKING: api/%s lists %d features that %s no longer has (or has with another signature):\n  %s",
				file, len(removed), pkg, strings.Join(removed, "\n  "))
		}
		if len(added) > 0 {
			t.Errorf("api/%s lacks %d new features of %s; if they are deliberate, record them with go test ./internal/apicheck -update:\n  %s",
				file, len(added), pkg, strings.Join(added, "\n  "))
		}
	}
}

func TestDiff(t *testing.T) {
	removed, added := Diff([]string{"a", "b", "c"}, []string{"a", "c", "d"})
	if strings.Join(removed, ",") != "b" || strings.Join(added, ",") != "d" {
		t.Fatalf("removed %v added %v", removed, added)
	}
}

// A changed signature is a removed line: the check catches it, it does not only count.
func TestFeaturesSeeSignatures(t *testing.T) {
	root, _ := filepath.Abs("../..")
	cur, err := Features(root, packages["smileid.txt"])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"pkg smileid, func NewClient(string, string, ...Option) (*Client, error)",
		"pkg smileid, type APIError struct, Operation Operation",
		"pkg generated, type JobResult struct, ResultCode generated.ResultCode `json:\"ResultCode\"`",
	}
	joined := "\n" + strings.Join(cur, "\n") + "\n"
	for _, w := range want {
		if !strings.Contains(joined, "\n"+w+"\n") {
			t.Errorf("the listing lacks %q", w)
		}
	}
}

// Two versions of a package: a changed field type is reported as removed (breaking), new
// features as added.
func TestDiffCatchesABreakingChange(t *testing.T) {
	v1, err := Features("testdata/v1", "example.com/apitest/pkg")
	if err != nil {
		t.Fatal(err)
	}
	v2, err := Features("testdata/v2", "example.com/apitest/pkg")
	if err != nil {
		t.Fatal(err)
	}
	removed, added := Diff(v1, v2)
	if strings.Join(removed, "|") != "pkg pkg, type T struct, A int" {
		t.Errorf("removed = %q", removed)
	}
	if strings.Join(added, "|") != "pkg pkg, func G()|pkg pkg, type T struct, A int64|pkg pkg, type T struct, B string" {
		t.Errorf("added = %q", added)
	}
}
