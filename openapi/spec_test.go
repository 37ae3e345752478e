package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
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
			if len(item.Servers) > 0 {
				continue // the presigned PUT to S3: see TestUploadZipIsDescribed
			}
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
		"POST /aml amlCheck",
		"POST /async-verify-address asyncVerifyAddress",
		"POST /async_business_verification asyncBusinessVerification",
		"POST /async_id_verification asyncIDVerification",
		"POST /business_verification businessVerification",
		"POST /id_verification idVerification",
		"POST /job_status jobStatus",
		"POST /token token",
		"POST /upload upload",
		"POST /valid_documents validDocuments",
		"PUT /{upload_path} uploadZip",
	}, got)

	for _, op := range []string{"/upload", "/async_id_verification", "/async_business_verification", "/token", "/async-verify-address"} {
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
			if op.RequestBody != nil && op.RequestBody.Value.Content.Get("application/json") != nil {
				add(where+" request", op.RequestBody.Value.Content)
			}
			for code, resp := range op.Responses.Map() {
				if mt := resp.Value.Content.Get("application/json"); mt != nil {
					add(where+" "+code, openapi3.Content{"application/json": mt})
				}
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
		{"PartnerParams", `{"job_id":"j","user_id":"u","job_type":99}`},
		{"PartnerParams", `{"job_id":"j","user_id":"u","job_type":"3"}`},
		{"PartnerParams", `{"job_id":"j","user_id":"u","job_type":"five"}`},
		{"PartnerParams", `{"job_id":"j","user_id":"u","job_type":1,"extra":true}`},
		{"PartnerParams", `{"job_id":"j","user_id":"u","job_type":1,"extra":3}`},
		{"PartnerParams", `{"job_id":"j","user_id":"u","job_type":1,"extra":{"a":"b"}}`},
		{"PartnerParams", `{"job_id":"","user_id":"u","job_type":1}`},
		{"PartnerParams", `{"job_id":"j","user_id":"u"}`},
		{"UploadRequest", `{"smile_client_id":"212","timestamp":"t","signature":"s"}`},
		{"UploadRequest", `{"smile_client_id":"212","timestamp":"t","signature":"s","partner_params":{"job_id":"j","user_id":"u","job_type":1},"model_parameters":"x"}`},
		{"UploadRequest", `{"smile_client_id":212,"timestamp":"t","signature":"s","partner_params":{"job_id":"j","user_id":"u","job_type":1}}`},
		{"IDInfo", `{"country":"ng"}`},
		{"IDInfo", `{"entered":"yes"}`},
		{"IDInfo", `{"entered":1}`},
		{"IDVerificationRequest", `{"partner_id":"212","timestamp":"t","signature":"s","partner_params":{"job_id":"j","user_id":"u","job_type":5},"country":"NG"}`},
		{"IDVerificationRequest", `{"partner_id":"212","timestamp":"t","signature":"s","partner_params":{"job_id":"j","user_id":"u","job_type":5},"country":null,"id_type":"BVN"}`},
		{"JobStatusRequest", `{"partner_id":"212","timestamp":"t","signature":"s","user_id":"u","history":false}`},
		{"JobStatusRequest", `{"partner_id":"212","timestamp":"t","signature":"s","user_id":"u","job_id":"j","history":"yes"}`},
		{"JobResult", `{"ResultCode":"1012","ResultText":"ok","Actions":{"Verify_ID_Number":5}}`},
		{"JobResult", `{"ResultCode":"12","ResultText":"ok"}`},
		{"ManifestImage", `{"file_name":"selfie.jpg"}`},
		{"AMLRequest", `{"partner_id":"212","timestamp":"t","signature":"s","user_id":"u","job_id":"j","full_name":"Joe Bloggs"}`},
		{"AMLRequest", `{"partner_id":"212","timestamp":"t","signature":"s","user_id":"u","job_id":"j","full_name":"Joe Bloggs","countries":["NG"],"job_type":5}`},
		{"AddressVerificationRequest", `{"country":"KE","address":"1 Street","callback_url":"https://x"}`},
		{"AddressVerificationRequest", `{"country":"ZA","address":"1 Street","callback_url":"https://x","id_number":"123"}`},
		{"AddressVerificationRequest", `{"country":"NG","address":"1 Street"}`},
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
		{"JobStatusResultValue", `"No zip file received"`},
		{"JobStatusResultValue", `{"ResultCode":"1210","ResultText":"Enroll User"}`},
		{"ResponseTimestamp", `"2019-10-10T12:32:04.622Z"`},
		{"ResponseTimestamp", `1570698930193`},
		{"ResponseTimestamp", `"1678216434434"`},
		{"Confidence", `"99"`},
		{"Confidence", `99.2`},
		{"Flag", `"true"`},
		{"Flag", `true`},
		// What official SDKs send and Smile ID accepts, beyond the Go SDK's canonical form.
		{"IDInfo", `{"entered":true}`},
		{"IDInfo", `{"entered":false}`},
		{"IDInfo", `{"entered":"true"}`},
		{"IDInfo", `{"entered":null,"first_name":null,"id_number":null,"country":null}`},
		{"PartnerParams", `{"job_id":"j","user_id":"u","job_type":"5","note":"x"}`},
		{"PartnerParams", `{"job_id":"j","user_id":"u","job_type":12}`},
		{"JobStatusRequest", `{"partner_id":"212","timestamp":"t","signature":"s","user_id":"u","job_id":"j"}`},
		{"JobStatusRequest", `{"partner_id":"212","timestamp":"t","signature":"s","user_id":"u","job_id":"j","history":null,"image_links":null}`},
		{"UploadRequest", `{"smile_client_id":"212","timestamp":"t","signature":"s","partner_params":{"job_id":"j","user_id":"u","job_type":1},"callback_url":null,"model_parameters":""}`},
		{"ManifestImage", `{"image_type_id":0,"file_name":"selfie.jpg"}`},
		{"ManifestImage", `{"image_type_id":2,"image":"/9j/4AAQ","file_name":""}`},
		{"UploadManifest", `{"images":[{"image_type_id":0,"file_name":"selfie.jpg"}],"id_info":{"country":"NG"}}`},
		{"JobResult", `{"ResultCode":"0812","ResultText":"New","Actions":{"Liveness_Check":"Pending Review","Brand_New_Check":"Passed"}}`},
		{"SmileCode", `"2217"`},
		{"ModelParameters", `{}`},
		{"ModelParameters", `""`},
	}
	for _, tc := range good {
		var v any
		require.NoError(t, json.Unmarshal([]byte(tc.json), &v))
		require.NoError(t, schema(tc.schema).VisitJSON(v), "%s refused %s", tc.schema, tc.json)
	}
}

// TestUploadZipIsDescribed checks the presigned PUT: an operation on S3's host whose zip
// body names info.json, so that every generator emits UploadManifest.
func TestUploadZipIsDescribed(t *testing.T) {
	doc := loadSpec(t)
	item := doc.Paths.Find("/{upload_path}")
	require.NotNil(t, item)
	require.Len(t, item.Servers, 1)
	require.Equal(t, "https://{upload_host}", item.Servers[0].URL)
	op := item.Put
	require.Equal(t, "uploadZip", op.OperationID)
	body := op.RequestBody.Value.Content.Get("application/zip")
	require.NotNil(t, body)
	require.Equal(t, "#/components/schemas/UploadZip", body.Schema.Ref)
	require.Equal(t, "#/components/schemas/UploadManifest", body.Schema.Value.Properties["info.json"].Ref)
	require.Equal(t, []string{"info.json"}, body.Schema.Value.Required)
	require.NotNil(t, op.Responses.Value("200"))
	require.Empty(t, op.Responses.Value("200").Value.Content, "S3 answers 200 with an empty body")
	require.Contains(t, doc.Info.Description, "uploadZip")
}

// TestNoNameCollidesWithGeneratedNames guards against names generators derive from
// operations: orval names each operation's result type <OperationId>Result (and its body
// <OperationId>Body), so no component schema may be called that.
func TestNoNameCollidesWithGeneratedNames(t *testing.T) {
	doc := loadSpec(t)
	derived := map[string]string{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			id := strings.ToUpper(op.OperationID[:1]) + op.OperationID[1:]
			for _, suffix := range []string{"Result", "Body", "Params", "HeaderParams"} {
				derived[strings.ToLower(id+suffix)] = op.OperationID
			}
		}
	}
	require.Len(t, derived, 4*12)
	for name := range doc.Components.Schemas {
		op, clash := derived[strings.ToLower(name)]
		require.False(t, clash, "schema %s collides with a name derived from operation %s", name, op)
	}
}

// TestRequiredStandsNextToItsProperties: a `required` entry in a schema that does not
// declare that property (e.g. in an allOf branch) is ignored by most generators.
func TestRequiredStandsNextToItsProperties(t *testing.T) {
	doc := loadSpec(t)
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, s *openapi3.Schema)
	walk = func(where string, s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		for _, name := range s.Required {
			require.Contains(t, s.Properties, name, "%s: required %q is not one of its properties", where, name)
		}
		for name, p := range s.Properties {
			walk(where+"."+name, p.Value)
		}
		for _, list := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for i, sub := range list {
				walk(fmt.Sprintf("%s/%d", where, i), sub.Value)
			}
		}
		if s.Items != nil {
			walk(where+"[]", s.Items.Value)
		}
		if s.AdditionalProperties.Schema != nil {
			walk(where+"{}", s.AdditionalProperties.Schema.Value)
		}
	}
	for name, s := range doc.Components.Schemas {
		walk(name, s.Value)
	}
	require.Greater(t, len(seen), 50)
}

// TestOpenSetsAreOpen: the values Smile ID adds over time decode everywhere, while the
// known ones stay named.
func TestOpenSetsAreOpen(t *testing.T) {
	doc := loadSpec(t)
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	for _, open := range []struct{ schema, known, value string }{
		{"ActionValue", "ActionResult", `"Pending Review"`},
		{"ResultCode", "KnownResultCode", `"0812"`},
		{"SmileCodeText", "APICode", `"2217"`},
	} {
		var v any
		require.NoError(t, json.Unmarshal([]byte(open.value), &v))
		require.NoError(t, schema(open.schema).VisitJSON(v), open.schema)
		require.Error(t, schema(open.known).VisitJSON(v), "%s lists %s", open.known, open.value)
		require.NotEmpty(t, schema(open.known).Enum, open.known)
	}
	jt := schema("JobType")
	for _, n := range []float64{1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12} {
		require.NoError(t, jt.VisitJSON(n), "job type %v", n)
	}
	require.Error(t, jt.VisitJSON(float64(3)))
	require.Len(t, jt.Extensions["x-enum-varnames"], len(jt.Enum))
}
