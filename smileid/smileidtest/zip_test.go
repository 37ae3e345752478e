package smileidtest_test

import (
	"encoding/base64"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// manifest is an info.json for job jobID of user "u" with the given images.
func manifest(jobID string, jobType int, images string) []byte {
	return []byte(fmt.Sprintf(`{"package_information":{"apiVersion":{"buildNumber":0,"majorVersion":2,"minorVersion":0},"language":"python"},`+
		`"misc_information":{"retry":"false","partner_params":{"user_id":"u","job_id":%q,"job_type":%d},`+
		`"timestamp":"2026-01-01T00:00:00.000Z","file_name":"selfie.zip","smile_client_id":"212"},`+
		`"id_info":{},"images":%s,"server_information":"x"}`, jobID, jobType, images))
}

// TestZipEntries checks what the fake accepts in a zip besides info.json: entries it does
// not name are ignored, as Smile ID does (Python writes a "base64imgString" entry per
// base64 image, duplicates included), unless Strict; a file info.json names must be there,
// once.
func TestZipEntries(t *testing.T) {
	selfie, err := os.ReadFile(fixtures + "selfie.jpg")
	require.NoError(t, err)
	b64 := base64.StdEncoding.EncodeToString(selfie)
	fileSelfie := `[{"image_type_id":0,"image":"","file_name":"selfie.jpg"}]`
	b64Selfies := `[{"image_type_id":2,"image":"` + b64 + `","file_name":""},{"image_type_id":6,"image":"` + b64 + `","file_name":""}]`

	cases := []struct {
		name    string
		images  string
		entries []string
		lenient string // the problem, "" when accepted
		strict  string
	}{
		{"Python's base64imgString entries", b64Selfies, []string{"base64imgString", "Z", "base64imgString", "Z"}, "", `duplicate entry "base64imgString" (strict)`},
		{"an entry info.json does not name", fileSelfie, []string{"selfie.jpg", string(selfie), "notes.txt", "x"}, "", `zip entry "notes.txt" is not named in info.json (strict)`},
		{"a file info.json names is missing", `[{"image_type_id":0,"image":"","file_name":"selfie.jpg"},{"image_type_id":1,"image":"","file_name":"id.jpg"}]`,
			[]string{"selfie.jpg", string(selfie)}, `images[1]: "id.jpg" is not in the zip`, `images[1]: "id.jpg" is not in the zip`},
		{"a file info.json names is there twice", fileSelfie, []string{"selfie.jpg", string(selfie), "selfie.jpg", string(selfie)},
			`duplicate entry "selfie.jpg", named in info.json`, `duplicate entry "selfie.jpg", named in info.json`},
		{"canonical", fileSelfie, []string{"selfie.jpg", string(selfie)}, "", ""},
	}
	for _, strict := range []bool{false, true} {
		opts := []smileidtest.Option{smileidtest.AllowSpecViolations(), smileidtest.WithCompletion(0, 0)}
		if strict {
			opts = append(opts, smileidtest.Strict())
		}
		srv := smileidtest.NewServer(t, opts...)
		for i, c := range cases {
			jobID := fmt.Sprintf("zip-%d", i)
			code, _ := putZip(t, srv, prepUpload(t, srv, jobID, 4), zipOf(manifest(jobID, 4, c.images), c.entries...))
			require.Equal(t, 200, code)
			j, ok := srv.Job(jobID)
			require.True(t, ok)
			want := c.lenient
			if strict {
				want = c.strict
			}
			require.Equal(t, want, j.ZipProblem, "%s (strict %v)", c.name, strict)
			require.Equal(t, want == "", j.Success, c.name)
		}
	}
}
