package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// jobSchema compiles jobfile.schema.json, the job file's documented shape.
func jobSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("jobfile.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("jobfile.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("jobfile.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func schemaAccepts(t *testing.T, s *jsonschema.Schema, text string) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(text)))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return s.Validate(v)
}

const seedShape = `{
  "partner_params": {"user_id": "u-1", "job_id": "j-1", "job_type": 1, "optional_info": "x"},
  "image_details": [{"image_type_id": 0, "image": "selfie.jpg"}, {"image_type_id": 3, "image": "aGVsbG8="}],
  "id_info": {"first_name": "Joe", "last_name": "Bloggs", "country": "NG", "id_type": "BVN", "id_number": "00000000000", "dob": "2000-09-20", "entered": true},
  "options": {"return_job_status": true, "return_history": false, "return_image_links": false, "signature": true}
}`

// The schema and the parser agree: every job file the schema accepts parses, and every
// one it refuses is refused by the parser (or, for a missing user_id or job_id, by the
// SDK's validation before anything is sent: see TestBadUsageAndInput).
func TestJobFileSchemaMatchesParser(t *testing.T) {
	s := jobSchema(t)
	edit := func(mut func(m map[string]any)) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(seedShape), &m); err != nil {
			t.Fatal(err)
		}
		mut(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	pp := func(m map[string]any) map[string]any { return m["partner_params"].(map[string]any) }
	valid := map[string]string{
		"the seed's shape": seedShape,
		"a top-level callback_url": edit(func(m map[string]any) {
			m["callback_url"] = "https://partner.example/cb"
			delete(m, "options")
		}),
		"job_type as a string": edit(func(m map[string]any) { pp(m)["job_type"] = "1" }),
		"entered as a string":  edit(func(m map[string]any) { m["id_info"].(map[string]any)["entered"] = "True" }),
		"null id_info and options": edit(func(m map[string]any) {
			m["id_info"], m["options"] = nil, nil
		}),
		"an async Enhanced KYC": edit(func(m map[string]any) {
			pp(m)["job_type"] = 5
			delete(m, "image_details")
			m["callback_url"] = "https://partner.example/cb"
			m["options"] = map[string]any{"async": true}
		}),
		"an Enhanced KYC with images and image options (ignored)": edit(func(m map[string]any) {
			pp(m)["job_type"] = "5"
			m["options"] = map[string]any{"return_job_status": true, "return_images": true}
		}),
		"every option": edit(func(m map[string]any) {
			m["options"] = map[string]any{"return_job_status": true, "return_history": true, "return_images": true,
				"return_image_links": true, "use_enrolled_image": false, "optional_callback": "https://a.example/cb",
				"callback_url": "https://a.example/cb", "use_validation_api": false, "signature": true, "async": false}
		}),
	}
	for name, text := range valid {
		t.Run("valid/"+name, func(t *testing.T) {
			if err := schemaAccepts(t, s, text); err != nil {
				t.Fatalf("the schema refuses it: %v", err)
			}
			if _, err := parseJobFile([]byte(text), t.TempDir(), jobDefaults{}); err != nil {
				t.Fatalf("the parser refuses it: %v", err)
			}
		})
	}
	invalid := map[string]string{
		"an unknown top-level key":       edit(func(m map[string]any) { m["images"] = []any{} }),
		"an unknown option":              edit(func(m map[string]any) { m["options"].(map[string]any)["return_job_stauts"] = true }),
		"an unknown id_info key":         edit(func(m map[string]any) { m["id_info"].(map[string]any)["idnumber"] = "1" }),
		"entered neither true nor false": edit(func(m map[string]any) { m["id_info"].(map[string]any)["entered"] = "maybe" }),
		"a non-string partner param":     edit(func(m map[string]any) { pp(m)["attempt"] = 2 }),
		"no job type":                    edit(func(m map[string]any) { delete(pp(m), "job_type") }),
		"a fractional job type":          edit(func(m map[string]any) { pp(m)["job_type"] = 1.5 }),
		"a job type in words":            edit(func(m map[string]any) { pp(m)["job_type"] = "one" }),
		"an image type out of range":     edit(func(m map[string]any) { m["image_details"].([]any)[0].(map[string]any)["image_type_id"] = 9 }),
		"an image without its text":      edit(func(m map[string]any) { delete(m["image_details"].([]any)[0].(map[string]any), "image") }),
		"async on an image job":          edit(func(m map[string]any) { m["options"].(map[string]any)["async"] = true }),
		"no partner_params":              edit(func(m map[string]any) { delete(m, "partner_params") }),
		"a boolean option as text":       edit(func(m map[string]any) { m["options"].(map[string]any)["return_job_status"] = "yes" }),
	}
	for name, text := range invalid {
		t.Run("invalid/"+name, func(t *testing.T) {
			if err := schemaAccepts(t, s, text); err == nil {
				t.Error("the schema accepts it")
			}
			if _, err := parseJobFile([]byte(text), t.TempDir(), jobDefaults{}); err == nil {
				t.Error("the parser accepts it")
			}
		})
	}
}

// Job types 5 and 7 drop images and image options with a note, as the seed says to omit
// them; the flags say what the job file's callback_url and options.async say.
func TestJobFileIDAPIJobsAndDefaults(t *testing.T) {
	var m map[string]any
	_ = json.Unmarshal([]byte(seedShape), &m)
	m["partner_params"].(map[string]any)["job_type"] = 5
	m["callback_url"] = "https://file.example/cb"
	b, _ := json.Marshal(m)
	pj, err := parseJobFile(b, t.TempDir(), jobDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pj.Job.Images) != 0 || pj.Job.Options.ReturnJobStatus || pj.Async {
		t.Fatalf("job = %+v async=%v", pj.Job, pj.Async)
	}
	notes := strings.Join(pj.Notes, "\n")
	for _, want := range []string{"ignoring 2 image_details", "ignoring the image options options.return_job_status", "callback URL is used only with options.async"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	if pj.Job.Options.CallbackURL != "https://file.example/cb" {
		t.Errorf("callback = %q", pj.Job.Options.CallbackURL)
	}
	pj, err = parseJobFile(b, t.TempDir(), jobDefaults{callbackURL: "https://flag.example/cb", async: true})
	if err != nil {
		t.Fatal(err)
	}
	if !pj.Async || pj.Job.Options.CallbackURL != "https://flag.example/cb" {
		t.Fatalf("flags not applied: async=%v callback=%q", pj.Async, pj.Job.Options.CallbackURL)
	}
	// options.optional_callback wins over the default.
	m["options"] = map[string]any{"optional_callback": "https://option.example/cb", "async": true}
	b, _ = json.Marshal(m)
	pj, err = parseJobFile(b, t.TempDir(), jobDefaults{callbackURL: "https://flag.example/cb"})
	if err != nil || pj.Job.Options.CallbackURL != "https://option.example/cb" || !pj.Async {
		t.Fatalf("err %v callback %q", err, pj.Job.Options.CallbackURL)
	}
}

// The done-when of the CLI's surface: an async Enhanced KYC from a job file with
// options.async and a top-level callback_url completes against the fake, and the callback
// arrives, signed with the fake's key.
func TestSubmitAsyncEnhancedKYCCallbackArrives(t *testing.T) {
	got := make(chan []byte, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- b
	}))
	defer receiver.Close()
	job := map[string]any{
		"callback_url":   receiver.URL + "/smile-callback",
		"partner_params": map[string]any{"user_id": "u-async", "job_id": "async-ekyc-1", "job_type": 5},
		"id_info":        map[string]any{"country": "NG", "id_type": "BVN", "id_number": "00000000000", "first_name": "Ada"},
		"options":        map[string]any{"async": true},
	}
	r := cli(t, nil, "", "submit", "--server", "fake", "--job", writeJob(t, job)).want(t, 0)
	if m := r.json(t); m["success"] != true || m["job_id"] != "async-ekyc-1" {
		t.Fatalf("stdout %s", r.stdout)
	}
	select {
	case body := <-got:
		var cb map[string]any
		if err := json.Unmarshal(body, &cb); err != nil {
			t.Fatalf("callback %s: %v", body, err)
		}
		if cb["ResultCode"] != "1012" || path(cb, "PartnerParams", "job_id") != "async-ekyc-1" || cb["signature"] == nil {
			t.Fatalf("callback %s", body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no callback arrived")
	}
	// --async and --callback-url say the same for a job file without them.
	delete(job, "callback_url")
	delete(job, "options")
	job["partner_params"].(map[string]any)["job_id"] = "async-ekyc-2"
	cli(t, nil, "", "submit", "--server", "fake", "--async", "--callback-url", receiver.URL+"/cb", "--job", writeJob(t, job)).want(t, 0)
	select {
	case body := <-got:
		if !strings.Contains(string(body), "async-ekyc-2") {
			t.Fatalf("callback %s", body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no callback arrived for the flags' job")
	}
	// Without any callback URL the async job is refused before anything is sent.
	job["partner_params"].(map[string]any)["job_id"] = "async-ekyc-3"
	r = cli(t, nil, "", "submit", "--server", "fake", "--async", "--job", writeJob(t, job)).want(t, 2)
	if !strings.Contains(r.stderr, "pass --callback-url") {
		t.Errorf("stderr %q", r.stderr)
	}
}
