package openapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// decoded is what a generated ...WithResponse call yields for one documented response.
type decoded struct {
	status         int
	ok, c4xx, c5xx any // the JSON200, JSON4XX and JSON5XX fields (typed nil pointers when absent)
}

// calls maps each operationId to a call of the generated client.
var calls = map[string]func(context.Context, *generated.ClientWithResponses) (decoded, error){
	"upload": func(ctx context.Context, c *generated.ClientWithResponses) (decoded, error) {
		r, err := c.UploadWithResponse(ctx, generated.UploadRequest{})
		if err != nil {
			return decoded{}, err
		}
		return decoded{r.StatusCode(), r.JSON200, r.JSON4XX, r.JSON5XX}, nil
	},
	"jobStatus": func(ctx context.Context, c *generated.ClientWithResponses) (decoded, error) {
		r, err := c.JobStatusWithResponse(ctx, generated.JobStatusRequest{})
		if err != nil {
			return decoded{}, err
		}
		return decoded{r.StatusCode(), r.JSON200, r.JSON4XX, r.JSON5XX}, nil
	},
	"idVerification": func(ctx context.Context, c *generated.ClientWithResponses) (decoded, error) {
		r, err := c.IDVerificationWithResponse(ctx, generated.IDVerificationRequest{})
		if err != nil {
			return decoded{}, err
		}
		return decoded{r.StatusCode(), r.JSON200, r.JSON4XX, r.JSON5XX}, nil
	},
	"asyncIDVerification": func(ctx context.Context, c *generated.ClientWithResponses) (decoded, error) {
		r, err := c.AsyncIDVerificationWithResponse(ctx, generated.AsyncIDVerificationRequest{})
		if err != nil {
			return decoded{}, err
		}
		return decoded{r.StatusCode(), r.JSON200, r.JSON4XX, r.JSON5XX}, nil
	},
	"businessVerification": func(ctx context.Context, c *generated.ClientWithResponses) (decoded, error) {
		r, err := c.BusinessVerificationWithResponse(ctx, generated.IDVerificationRequest{})
		if err != nil {
			return decoded{}, err
		}
		return decoded{r.StatusCode(), r.JSON200, r.JSON4XX, r.JSON5XX}, nil
	},
	"asyncBusinessVerification": func(ctx context.Context, c *generated.ClientWithResponses) (decoded, error) {
		r, err := c.AsyncBusinessVerificationWithResponse(ctx, generated.AsyncIDVerificationRequest{})
		if err != nil {
			return decoded{}, err
		}
		return decoded{r.StatusCode(), r.JSON200, r.JSON4XX, r.JSON5XX}, nil
	},
	"token": func(ctx context.Context, c *generated.ClientWithResponses) (decoded, error) {
		r, err := c.TokenWithResponse(ctx, generated.TokenRequest{})
		if err != nil {
			return decoded{}, err
		}
		return decoded{r.StatusCode(), r.JSON200, r.JSON4XX, r.JSON5XX}, nil
	},
	"getServices": func(ctx context.Context, c *generated.ClientWithResponses) (decoded, error) {
		r, err := c.GetServicesWithResponse(ctx)
		if err != nil {
			return decoded{}, err
		}
		return decoded{r.StatusCode(), r.JSON200, r.JSON4XX, r.JSON5XX}, nil
	},
	"amlCheck": func(ctx context.Context, c *generated.ClientWithResponses) (decoded, error) {
		r, err := c.AMLCheckWithResponse(ctx, generated.AMLRequest{})
		if err != nil {
			return decoded{}, err
		}
		return decoded{r.StatusCode(), r.JSON200, r.JSON4XX, r.JSON5XX}, nil
	},
	"asyncVerifyAddress": func(ctx context.Context, c *generated.ClientWithResponses) (decoded, error) {
		r, err := c.AsyncVerifyAddressWithResponse(ctx, &generated.AsyncVerifyAddressParams{}, generated.AddressVerificationRequest{})
		if err != nil {
			return decoded{}, err
		}
		return decoded{r.StatusCode(), r.JSON200, r.JSON4XX, r.JSON5XX}, nil
	},
	"validDocuments": func(ctx context.Context, c *generated.ClientWithResponses) (decoded, error) {
		r, err := c.ValidDocumentsWithResponse(ctx, generated.ValidDocumentsRequest{})
		if err != nil {
			return decoded{}, err
		}
		return decoded{r.StatusCode(), r.JSON200, r.JSON4XX, r.JSON5XX}, nil
	},
}

// TestGeneratedClientDecodesEveryResponseExample points the generated client at a server
// that answers with each documented response example, and checks that the example lands
// in the right typed field and survives a round trip through the Go types without losing
// or changing a value (so every variant of code, job_type, result and timestamp decodes).
func TestGeneratedClientDecodesEveryResponseExample(t *testing.T) {
	doc := loadSpec(t)
	seen := 0
	for path, item := range doc.Paths.Map() {
		if len(item.Servers) > 0 {
			continue // the presigned PUT to S3: no JSON answers (TestGeneratedUploadZip)
		}
		for method, op := range item.Operations() {
			call, ok := calls[op.OperationID]
			require.True(t, ok, "no generated call for %s", op.OperationID)
			for code, resp := range op.Responses.Map() {
				status := map[string]int{"200": 200, "4XX": 400, "5XX": 503}[code]
				for name, ex := range resp.Value.Content.Get("application/json").Examples {
					body, err := json.Marshal(ex.Value.Value)
					require.NoError(t, err)
					srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if r.Method != method || r.URL.Path != "/v1"+path {
							http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusTeapot)
							return
						}
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(status)
						_, _ = w.Write(body)
					}))
					client, err := generated.NewClientWithResponses(srv.URL + "/v1")
					require.NoError(t, err)
					got, err := call(context.Background(), client)
					srv.Close()
					where := op.OperationID + " " + code + " " + name
					require.NoError(t, err, where)
					require.Equal(t, status, got.status, where)

					typed := map[int]any{200: got.ok, 400: got.c4xx, 503: got.c5xx}[status]
					require.False(t, reflect.ValueOf(typed).IsNil(), "%s: not decoded into its typed field", where)
					again, err := json.Marshal(typed)
					require.NoError(t, err, where)
					require.Equal(t, withoutNulls(t, body), withoutNulls(t, again), "%s: lost or changed in the Go types", where)
					seen++
				}
			}
		}
	}
	require.GreaterOrEqual(t, seen, 30)
	require.Len(t, calls, len(doc.Paths.Map())-1, "a generated call for every JSON operation")
}

// TestGeneratedUploadZip drives the generated uploadZip call: a PUT of the zip bytes to
// the upload path, with the content type given, answered by S3's empty 200 or XML errors.
func TestGeneratedUploadZip(t *testing.T) {
	for _, status := range []int{200, 403} {
		var got *http.Request
		var body []byte
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r.Clone(r.Context())
			body, _ = io.ReadAll(r.Body)
			if status != 200 {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(status)
				_, _ = io.WriteString(w, "<Error><Code>AccessDenied</Code></Error>")
			}
		}))
		client, err := generated.NewClientWithResponses(srv.URL)
		require.NoError(t, err)
		r, err := client.UploadZipWithBodyWithResponse(context.Background(), "selfie.zip", "application/zip", strings.NewReader("PK\x03\x04"))
		srv.Close()
		require.NoError(t, err)
		require.Equal(t, status, r.StatusCode())
		require.Equal(t, http.MethodPut, got.Method)
		require.Equal(t, "/selfie.zip", got.URL.Path)
		require.Equal(t, "application/zip", got.Header.Get("Content-Type"))
		require.Equal(t, "PK\x03\x04", string(body))
		if status != 200 {
			require.NotNil(t, r.XML4XX)
		}
	}
}

// TestUnionVariantsDecode reads each variant the server is known to send through the
// generated accessors.
func TestUnionVariantsDecode(t *testing.T) {
	var legacy, current generated.JobStatusResponse
	require.NoError(t, json.Unmarshal([]byte(`{"job_complete":true,"job_success":false,"code":2302,
		"result":{"ResultCode":"0813","ResultText":"Failed Enroll","ConfidenceValue":12.5,"IsMachineResult":true,
		"PartnerParams":{"user_id":"u","job_id":"j","job_type":"4"}},"timestamp":1678216434434,"signature":"s"}`), &legacy))
	require.NoError(t, json.Unmarshal([]byte(`{"job_complete":false,"job_success":false,"code":"2314",
		"result":"No zip file received","timestamp":"2026-11-25T18:33:08.120Z","signature":"s"}`), &current))

	n, err := legacy.Code.AsSmileCodeNumber()
	require.NoError(t, err)
	require.Equal(t, 2302, n)
	_, err = legacy.Code.AsSmileCodeText()
	require.Error(t, err, "a number is not a string")
	s, err := current.Code.AsSmileCodeText()
	require.NoError(t, err)
	require.Equal(t, "2314", s)

	ms, err := legacy.Timestamp.AsTimestampMillis()
	require.NoError(t, err)
	require.Equal(t, int64(1678216434434), ms)
	ts, err := current.Timestamp.AsTimestampText()
	require.NoError(t, err)
	require.Equal(t, "2026-11-25T18:33:08.120Z", ts)

	res, err := legacy.Result.AsJobResult()
	require.NoError(t, err)
	require.Equal(t, "0813", res.ResultCode)
	jt, err := res.PartnerParams.JobType.AsJobTypeText()
	require.NoError(t, err)
	require.Equal(t, "4", jt)
	cv, err := res.ConfidenceValue.AsConfidenceNumber()
	require.NoError(t, err)
	require.InDelta(t, 12.5, cv, 0.001)
	mr, err := res.IsMachineResult.AsFlagBool()
	require.NoError(t, err)
	require.True(t, mr)

	msg, err := current.Result.AsResultMessage()
	require.NoError(t, err)
	require.Equal(t, "No zip file received", msg)
	_, err = current.Result.AsJobResult()
	require.Error(t, err, "a message is not a result object")
}

// nodeRecord is one request the official Node SDK sent (testdata/conformance).
type nodeRecord struct {
	Scenario string         `json:"scenario"`
	Method   string         `json:"method"`
	Path     string         `json:"path"`
	Body     map[string]any `json:"body"`
	Zip      *struct {
		Entries []struct {
			Name     string         `json:"name"`
			InfoJSON map[string]any `json:"info_json"`
		} `json:"entries"`
	} `json:"zip"`
}

func nodeRecords(t *testing.T) []nodeRecord {
	t.Helper()
	f, err := os.Open("../testdata/conformance/node-sdk-requests.jsonl")
	require.NoError(t, err)
	defer f.Close()
	var out []nodeRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r nodeRecord
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		out = append(out, r)
	}
	require.NoError(t, sc.Err())
	return out
}

// TestNodeRequestsRoundTripThroughGeneratedTypes decodes every request body the official
// Node SDK sent (and every info.json it zipped) into the generated request type, encodes it
// again and requires the same field names, JSON types and values, and validates each body
// against its schema in the spec: the generated types can express exactly what an official
// SDK sends.
func TestNodeRequestsRoundTripThroughGeneratedTypes(t *testing.T) {
	doc := loadSpec(t)
	types := map[string]func() any{
		"/v1/upload":          func() any { return new(generated.UploadRequest) },
		"/v1/job_status":      func() any { return new(generated.JobStatusRequest) },
		"/v1/token":           func() any { return new(generated.TokenRequest) },
		"/v1/id_verification": func() any { return new(generated.IDVerificationRequest) },
	}
	checked := map[string]int{}
	for _, rec := range nodeRecords(t) {
		if rec.Method == http.MethodPut {
			require.NotNil(t, rec.Zip, rec.Scenario)
			info := rec.Zip.Entries[0]
			require.Equal(t, "info.json", info.Name, rec.Scenario)
			roundTrip(t, rec.Scenario+" info.json", info.InfoJSON, new(generated.UploadManifest))
			require.NoError(t, doc.Components.Schemas["UploadManifest"].Value.VisitJSON(info.InfoJSON), rec.Scenario)
			checked["info.json"]++
			continue
		}
		newType, ok := types[rec.Path]
		require.True(t, ok, "no generated type for %s", rec.Path)
		roundTrip(t, rec.Scenario+" "+rec.Path, rec.Body, newType())
		op := doc.Paths.Find(strings.TrimPrefix(rec.Path, "/v1")).Post
		schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
		require.NoError(t, schema.VisitJSON(rec.Body, openapi3.MultiErrors()), "%s: the spec refuses what Node sent", rec.Scenario)
		checked[rec.Path]++
	}
	require.Equal(t, map[string]int{"/v1/upload": 5, "/v1/job_status": 4, "/v1/token": 1, "/v1/id_verification": 3, "info.json": 5}, checked)
}

func roundTrip(t *testing.T, where string, body map[string]any, typed any) {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, typed), where)
	again, err := json.Marshal(typed)
	require.NoError(t, err)
	require.Equal(t, withoutNulls(t, raw), withoutNulls(t, again), where)
}

// withoutNulls decodes JSON into generic values, dropping object members that are null or
// empty lists: for every optional field, absent, null and [] mean the same to the server
// (the Go types omit empty optional lists when encoding).
func withoutNulls(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	var strip func(any) any
	strip = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if l, isList := e.([]any); e == nil || isList && len(l) == 0 {
					delete(x, k)
					continue
				}
				x[k] = strip(e)
			}
		case []any:
			for i := range x {
				x[i] = strip(x[i])
			}
		}
		return v
	}
	return strip(v)
}
