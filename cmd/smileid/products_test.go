package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// writeFile writes a JSON document into a temporary file.
func writeFile(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "req.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAMLCommand(t *testing.T) {
	t.Parallel()
	r := cli(t, nil, "", "aml", "--server", "fake", "--user-id", "u-1", "--job-id", "aml-1",
		"--full-name", "Joe Leo Bloggs", "--country", "NG", "--country", "KE", "--birth-year", "1960").want(t, 0)
	m := r.json(t)
	if m["ResultCode"] != "1031" || path(m, "Actions", "Listed") != "Not Listed" || path(m, "PartnerParams", "job_id") != "aml-1" {
		t.Fatalf("result = %v", m)
	}
	if !strings.Contains(r.stderr, "1031") || !strings.Contains(r.stderr, "no match") {
		t.Errorf("stderr %q", r.stderr)
	}

	// A job file in the wire shape (birth_year as a number too), flags over it.
	file := writeFile(t, map[string]any{"user_id": "u-2", "job_id": "from-file", "full_name": "Joe Leo Bloggs",
		"countries": []string{"NG"}, "birth_year": 1960, "strict_match": false, "aliases": []string{"J. Bloggs"},
		"partner_params": map[string]string{"sandbox_result": "0"}})
	r = cli(t, nil, "", "aml", "--server", "fake", "--job", file, "--job-id", "aml-2", "--param", "sandbox_result=1").want(t, 0)
	m = r.json(t)
	if m["ResultCode"] != "1030" || path(m, "PartnerParams", "job_id") != "aml-2" || m["StrictMatch"] != false {
		t.Fatalf("result = %v", m)
	}
	people, _ := m["people"].([]any)
	if len(people) != 1 || !strings.Contains(r.stderr, "for a person to review") {
		t.Errorf("people %v stderr %q", people, r.stderr)
	}

	// The file from stdin.
	stdin, _ := os.ReadFile(file)
	cli(t, nil, string(stdin), "aml", "--server", "fake", "--job", "-").want(t, 0)
}

func TestAMLCommandBadInput(t *testing.T) {
	t.Parallel()
	ok := []string{"aml", "--server", "fake", "--user-id", "u", "--job-id", "j", "--full-name", "Joe Bloggs", "--country", "NG"}
	for name, c := range map[string]struct {
		args  []string
		stdin string
		want  string
	}{
		"no country":       {[]string{"aml", "--server", "fake", "--user-id", "u", "--job-id", "j", "--full-name", "Joe"}, "", "invalid countries"},
		"no full name":     {[]string{"aml", "--server", "fake", "--user-id", "u", "--job-id", "j", "--country", "NG"}, "", "invalid full_name"},
		"bad country":      {append(ok[:len(ok):len(ok)], "--country", "Nigeria"), "", "invalid countries[1]"},
		"bad birth year":   {append(ok[:len(ok):len(ok)], "--birth-year", "60"), "", "invalid birth_year"},
		"bad param":        {append(ok[:len(ok):len(ok)], "--param", "novalue"), "", "key=value"},
		"reserved param":   {append(ok[:len(ok):len(ok)], "--param", "job_id=x"), "", "invalid partner_params.job_id"},
		"unknown file key": {[]string{"aml", "--server", "fake", "--job", "-"}, `{"user_id":"u","job_id":"j","full_name":"J","countries":["NG"],"nationality":"NG"}`, "unknown field"},
		"trailing data":    {[]string{"aml", "--server", "fake", "--job", "-"}, `{"user_id":"u"} {}`, "data after"},
		"missing file":     {[]string{"aml", "--server", "fake", "--job", "/nonexistent/aml.json"}, "", "reading the job file"},
		"positional":       {append(ok[:len(ok):len(ok)], "extra"), "", "unexpected argument"},
	} {
		t.Run(name, func(t *testing.T) {
			r := cli(t, nil, c.stdin, c.args...).want(t, 2)
			if !strings.Contains(r.stderr, c.want) || r.stdout != "" {
				t.Errorf("stderr %q (want %q), stdout %q", r.stderr, c.want, r.stdout)
			}
			if strings.Contains(r.stderr, "Joe") {
				t.Errorf("the name is repeated: %q", r.stderr)
			}
		})
	}
}

// TestAMLCommandJobMayExist: a screening sent and not answered exits 1 and names the job.
func TestAMLCommandJobMayExist(t *testing.T) {
	t.Parallel()
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer gw.Close()
	r := cli(t, creds("212", "k-0123456789"), "", "aml", "--server", gw.URL+"/v1", "--user-id", "u", "--job-id", "aml-lost",
		"--full-name", "Joe Bloggs", "--country", "NG").want(t, 1)
	if !strings.Contains(r.stderr, "job aml-lost") || !strings.Contains(r.stderr, "the job may exist") {
		t.Errorf("stderr %q", r.stderr)
	}
}

// callbackReceiver records the bodies POSTed to it.
type callbackReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
}

func newCallbackReceiver(t *testing.T) *callbackReceiver {
	t.Helper()
	cr := &callbackReceiver{}
	cr.Server = httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		cr.mu.Lock()
		cr.bodies = append(cr.bodies, b)
		cr.mu.Unlock()
	}))
	t.Cleanup(cr.Close)
	return cr
}

func (cr *callbackReceiver) got() [][]byte {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return append([][]byte(nil), cr.bodies...)
}

// TestAddressCommand: accepted at once; the in-process fake's signed callback has arrived
// when the command returns, with the sandbox outcome of the number's last digit.
func TestAddressCommand(t *testing.T) {
	t.Parallel()
	sig := smileid.NewSignature(smileidtest.DefaultPartnerID, smileidtest.DefaultAPIKey)
	for _, c := range []struct {
		args []string
		code string
	}{
		{[]string{"--job-id", "addr-ng", "--country", "NG", "--utility-number", "0000000001", "--utility-provider", "IkejaElectric"}, "1013"},
		{[]string{"--job-id", "addr-za", "--country", "ZA", "--id-number", "0000000000004"}, "1022"},
	} {
		cr := newCallbackReceiver(t)
		args := append([]string{"address", "--server", "fake", "--user-id", "u-addr", "--address", "1 Example Street",
			"--full-name", "Joe Bloggs", "--callback-url", cr.URL + "/cb"}, c.args...)
		r := cli(t, nil, "", args...).want(t, 0)
		m := r.json(t)
		if m["success"] != true || m["job_id"] != c.args[1] || !strings.Contains(r.stderr, "accepted") {
			t.Fatalf("stdout %v stderr %q", m, r.stderr)
		}
		got := cr.got()
		if len(got) != 1 {
			t.Fatalf("%d callbacks arrived, want 1", len(got))
		}
		cb, err := sig.CheckCallbackSignature(got[0])
		if err != nil {
			t.Fatal(err)
		}
		if cb.Result.ResultCode != c.code || cb.JobID() != c.args[1] || cb.UserID() != "u-addr" {
			t.Errorf("callback %s", got[0])
		}
		// As the README says: verify-callback --offline checks it.
		v := cli(t, nil, string(got[0]), "verify-callback", "--server", "fake", "--offline").want(t, 0)
		if v.json(t)["ResultCode"] != c.code {
			t.Errorf("verify-callback printed %s", v.stdout)
		}
	}

	// A job file, with the callback URL in it.
	cr := newCallbackReceiver(t)
	file := writeFile(t, map[string]any{"user_id": "u-f", "job_id": "addr-file", "country": "ZA", "address": "1 Example Road",
		"id_number": "0000000000000", "callback_url": cr.URL + "/cb", "partner_params": map[string]string{"order": "7"}})
	cli(t, nil, "", "address", "--server", "fake", "--job", file).want(t, 0)
	if got := cr.got(); len(got) != 1 || !strings.Contains(string(got[0]), `"order":"7"`) {
		t.Errorf("callbacks %q", got)
	}
}

func TestAddressCommandBadInput(t *testing.T) {
	t.Parallel()
	base := []string{"address", "--server", "fake", "--user-id", "u", "--job-id", "j", "--address", "1 Example Street"}
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"no callback":     {append(base[:len(base):len(base)], "--country", "ZA", "--id-number", "0000000000000"), "invalid callback_url"},
		"http callback":   {append(base[:len(base):len(base)], "--country", "ZA", "--id-number", "0000000000000", "--callback-url", "http://partner.example.com/cb"), "invalid callback_url"},
		"country KE":      {append(base[:len(base):len(base)], "--country", "KE", "--callback-url", "https://partner.example.com/cb"), "invalid country"},
		"ZA short ID":     {append(base[:len(base):len(base)], "--country", "ZA", "--id-number", "123", "--callback-url", "https://partner.example.com/cb"), "invalid id_number"},
		"NG no utility":   {append(base[:len(base):len(base)], "--country", "NG", "--callback-url", "https://partner.example.com/cb"), "invalid utility_number"},
		"NG no provider":  {append(base[:len(base):len(base)], "--country", "NG", "--utility-number", "0000000000", "--callback-url", "https://partner.example.com/cb"), "invalid utility_provider"},
		"no address flag": {[]string{"address", "--server", "fake", "--user-id", "u", "--job-id", "j", "--country", "ZA", "--id-number", "0000000000000", "--callback-url", "https://partner.example.com/cb"}, "invalid address"},
	} {
		t.Run(name, func(t *testing.T) {
			r := cli(t, nil, "", c.args...).want(t, 2)
			if !strings.Contains(r.stderr, c.want) || r.stdout != "" {
				t.Errorf("stderr %q (want %q), stdout %q", r.stderr, c.want, r.stdout)
			}
			if strings.Contains(r.stderr, "Example Street") {
				t.Errorf("the address is repeated: %q", r.stderr)
			}
		})
	}
}

// TestSubmitPointsToTheProductCommands: a submit job file of job type 10 or 12 is refused
// before anything is sent, naming the command that runs it.
func TestSubmitPointsToTheProductCommands(t *testing.T) {
	t.Parallel()
	for jt, cmd := range map[int]string{10: "smileid aml", 12: "smileid address"} {
		file := writeFile(t, map[string]any{"partner_params": map[string]any{"user_id": "u", "job_id": "j", "job_type": jt},
			"id_info": map[string]any{"country": "NG"}})
		r := cli(t, nil, "", "submit", "--server", "fake", "--job", file).want(t, 2)
		if !strings.Contains(r.stderr, cmd) || strings.Contains(r.stderr, "in-process fake") {
			t.Errorf("stderr %q", r.stderr)
		}
	}
}
