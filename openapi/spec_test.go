package openapi_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/openapi"
)

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openapi.Spec)
	require.NoError(t, err)
	return doc
}

// TestSpecIsValid loads the spec with kin-openapi and validates it, examples included.
func TestSpecIsValid(t *testing.T) {
	doc := loadSpec(t)
	require.Equal(t, "3.0.3", doc.OpenAPI)
	require.NoError(t, doc.Validate(context.Background(),
		openapi3.EnableExamplesValidation(), openapi3.EnableSchemaPatternValidation()))
}

// TestSpecDescribesEveryOperation pins the operation list: adding or removing an operation
// is a deliberate change that also touches smileid and smileidtest.
func TestSpecDescribesEveryOperation(t *testing.T) {
	doc := loadSpec(t)
	var got []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			got = append(got, method+" "+path+" "+op.OperationID)
			require.NotEmpty(t, op.Summary, op.OperationID)
			require.NotEmpty(t, op.Description, op.OperationID)
			require.NotNil(t, op.Responses.Value("200"), op.OperationID)
			require.NotNil(t, op.Responses.Value("4XX"), op.OperationID)
			require.NotNil(t, op.Responses.Value("5XX"), op.OperationID)
			for code := range op.Responses.Map() {
				// ogen fails on operations that mix explicit 4xx/5xx codes with ranges.
				require.Contains(t, []string{"200", "4XX", "5XX"}, code, op.OperationID)
			}
			if op.RequestBody != nil {
				require.NotEmpty(t, op.RequestBody.Value.Content.Get("application/json").Examples, op.OperationID)
			}
			for _, name := range []string{"200", "4XX", "5XX"} {
				mt := op.Responses.Value(name).Value.Content.Get("application/json")
				require.NotNil(t, mt, "%s %s", op.OperationID, name)
				require.NotEmpty(t, mt.Examples, "%s %s has no examples", op.OperationID, name)
			}
		}
	}
	sort.Strings(got)
	require.Equal(t, []string{
		"GET /services getServices",
		"POST /async_business_verification asyncBusinessVerification",
		"POST /async_id_verification asyncIDVerification",
		"POST /business_verification businessVerification",
		"POST /id_verification idVerification",
		"POST /job_status jobStatus",
		"POST /token token",
		"POST /upload upload",
		"POST /valid_documents validDocuments",
	}, got)

	for _, op := range []string{"/upload", "/async_id_verification", "/async_business_verification", "/token"} {
		require.NotEmpty(t, doc.Paths.Find(op).Post.Callbacks, "%s accepts a callback URL", op)
	}
	require.Equal(t, []string{"https://testapi.smileidentity.com/v1", "https://api.smileidentity.com/v1"},
		[]string{doc.Servers[0].URL, doc.Servers[1].URL})
}

// example is one documented example and the schema it must satisfy.
type example struct {
	where  string
	schema *openapi3.Schema
	value  any
}

func examples(doc *openapi3.T) []example {
	var out []example
	add := func(where string, content openapi3.Content) {
		for ctype, mt := range content {
			for name, ex := range mt.Examples {
				out = append(out, example{where + " " + ctype + " " + name, mt.Schema.Value, ex.Value.Value})
			}
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.RequestBody != nil {
				add(where+" request", op.RequestBody.Value.Content)
			}
			for code, resp := range op.Responses.Map() {
				add(where+" "+code, resp.Value.Content)
			}
			for name, cb := range op.Callbacks {
				for _, cbItem := range cb.Value.Map() {
					add(where+" callback "+name, cbItem.Post.RequestBody.Value.Content)
				}
			}
		}
	}
	return out
}

// TestEveryExampleMatchesItsSchema validates each example against its schema, so a wrong
// example, or a schema too strict for what the server sends, fails here.
func TestEveryExampleMatchesItsSchema(t *testing.T) {
	doc := loadSpec(t)
	all := examples(doc)
	require.Greater(t, len(all), 30)
	for _, ex := range all {
		require.NoError(t, ex.schema.VisitJSON(ex.value, openapi3.MultiErrors()), ex.where)
	}
}

// TestSchemasRejectWhatTheServerRejects proves the example check above can fail: the
// schemas refuse values outside the documented shapes.
func TestSchemasRejectWhatTheServerRejects(t *testing.T) {
	doc := loadSpec(t)
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	bad := []struct {
		schema string
		json   string
	}{
		{"PartnerParams", `{"job_id":"j","user_id":"u","job_type":3}`},
		{"PartnerParams", `{"job_id":"j","user_id":"u","job_type":"1"}`},
		{"PartnerParams", `{"job_id":"j","user_id":"u","job_type":1,"extra":5}`},
		{"PartnerParams", `{"job_id":"","user_id":"u","job_type":1}`},
		{"UploadRequest", `{"smile_client_id":"212","timestamp":"t","signature":"s","partner_params":{"job_id":"j","user_id":"u","job_type":1}}`},
		{"IDInfo", `{"country":"ng"}`},
		{"IDInfo", `{"entered":"yes"}`},
		{"JobStatusRequest", `{"partner_id":"212","timestamp":"t","signature":"s","user_id":"u","job_id":"j","history":false}`},
		{"JobStatusResponse", `{"job_complete":true,"job_success":true,"timestamp":"t","signature":"s","code":true}`},
		{"JobStatusResponse", `{"job_complete":true,"job_success":true,"timestamp":"t","signature":"s","result":5}`},
		{"UploadManifest", `{"package_information":{"apiVersion":{"buildNumber":0,"majorVersion":2,"minorVersion":0},"language":"go"},"misc_information":{"retry":"false","partner_params":{"job_id":"j","user_id":"u","job_type":1},"timestamp":"t","file_name":"selfie.zip","smile_client_id":"212"},"id_info":{},"images":[{"image_type_id":9,"image":"","file_name":"a.jpg"}],"server_information":"https://x"}`},
		{"Error", `{"error":"no code"}`},
		{"TokenRequest", `{"partner_id":"212","timestamp":"t","signature":"s","user_id":"u","job_id":"j","product":"nope","callback_url":"https://x"}`},
	}
	for _, tc := range bad {
		var v any
		require.NoError(t, json.Unmarshal([]byte(tc.json), &v))
		require.Error(t, schema(tc.schema).VisitJSON(v), "%s accepted %s", tc.schema, tc.json)
	}
}

// TestServerVariantsAreDescribed checks that every documented variant of the values the
// server varies is accepted by the spec, so the fake and the generated decoder take them.
func TestServerVariantsAreDescribed(t *testing.T) {
	doc := loadSpec(t)
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	good := []struct {
		schema string
		json   string
	}{
		{"SmileCode", `"2302"`},
		{"SmileCode", `2302`},
		{"ResultJobType", `1`},
		{"ResultJobType", `"1"`},
		{"JobStatusResult", `"No zip file received"`},
		{"JobStatusResult", `{"ResultCode":"1210","ResultText":"Enroll User"}`},
		{"ResponseTimestamp", `"2019-10-10T12:32:04.622Z"`},
		{"ResponseTimestamp", `1570698930193`},
		{"ResponseTimestamp", `"1678216434434"`},
		{"Confidence", `"99"`},
		{"Confidence", `99.2`},
		{"Flag", `"true"`},
		{"Flag", `true`},
	}
	for _, tc := range good {
		var v any
		require.NoError(t, json.Unmarshal([]byte(tc.json), &v))
		require.NoError(t, schema(tc.schema).VisitJSON(v), "%s refused %s", tc.schema, tc.json)
	}
	// The wording of the spec's own text must keep naming the presigned PUT, which is not
	// an operation.
	require.True(t, strings.Contains(doc.Info.Description, "PUT` the zip to `upload_url`"))
}
