package openapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/internal/conformance"
)

// recording is one request an official SDK sent (testdata/conformance/*.jsonl).
type recording = conformance.Recording

func recordings(t *testing.T, file string) []recording {
	t.Helper()
	recs, err := conformance.Load("../testdata/conformance/" + file)
	require.NoError(t, err)
	return recs
}

// zipDecoder lets openapi3filter validate a zip body as the spec describes it (UploadZip):
// an object of its entries, info.json decoded as JSON, every other entry as a string.
func zipDecoder(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, err
	}
	entries := map[string]any{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		if f.Name == "info.json" {
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				return nil, fmt.Errorf("info.json: %w", err)
			}
			entries[f.Name] = v
			continue
		}
		entries[f.Name] = string(b)
	}
	return entries, nil
}

// rebuildZip makes the recorded zip again, entries in their order, with the recorded
// info.json, fixture images and text entries.
func rebuildZip(t *testing.T, rec recording) []byte {
	t.Helper()
	b, err := conformance.RebuildZip(rec, "../testdata/conformance/fixtures")
	require.NoError(t, err)
	return b
}

// validateRecording checks one recorded request against the spec with openapi3filter, as
// a server built from the spec would: the JSON operations by their path, the zip PUT as
// the uploadZip operation.
func validateRecording(t *testing.T, doc *openapi3.T, rec recording) error {
	t.Helper()
	ctx := context.Background()
	var (
		route  *routers.Route
		params map[string]string
		body   []byte
		ctype  = "application/json"
	)
	if rec.Method == http.MethodPut {
		require.NotNil(t, rec.Zip, rec.Scenario)
		require.Equal(t, "info.json", rec.Zip.Entries[0].Name, "%s: info.json comes first", rec.Scenario)
		item := doc.Paths.Find("/{upload_path}")
		require.NotNil(t, item, "the spec describes no zip PUT")
		route = &routers.Route{Spec: doc, Path: "/{upload_path}", PathItem: item, Method: http.MethodPut, Operation: item.Put}
		params = map[string]string{"upload_path": strings.TrimPrefix(rec.Path, "/")}
		body, ctype = rebuildZip(t, rec), "application/zip"
	} else {
		path := strings.TrimPrefix(rec.Path, "/v1")
		item := doc.Paths.Find(path)
		require.NotNil(t, item, "%s: %s is not in the spec", rec.Scenario, rec.Path)
		op := item.GetOperation(rec.Method)
		require.NotNil(t, op, "%s: %s %s is not in the spec", rec.Scenario, rec.Method, rec.Path)
		route = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: rec.Method, Operation: op}
		body = rec.Body
	}
	req, err := http.NewRequestWithContext(ctx, rec.Method, "https://api.example.invalid"+rec.Path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", ctype)
	opts := &openapi3filter.Options{MultiError: true, RejectWhenRequestBodyNotSpecified: true}
	opts.WithCustomSchemaErrorFunc(func(e *openapi3.SchemaError) string {
		return "/" + strings.Join(e.JSONPointer(), "/") + ": " + e.Reason
	})
	err = openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route, Options: opts,
	})
	if err != nil {
		return fmt.Errorf("%w (%s)", err, strings.Join(reasons(err), "; "))
	}
	return nil
}

// reasons lists the innermost reasons of a validation error (allOf and anyOf failures
// hide them behind a one-line summary).
func reasons(err error) []string {
	var out []string
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, x := range e {
			out = append(out, reasons(x)...)
		}
	case *openapi3filter.RequestError:
		if e.Err != nil {
			return reasons(e.Err)
		}
		out = append(out, e.Error())
	case *openapi3.SchemaError:
		if e.Origin != nil {
			for _, r := range reasons(e.Origin) {
				out = append(out, "/"+strings.Join(e.JSONPointer(), "/")+r)
			}
			return out
		}
		out = append(out, "/"+strings.Join(e.JSONPointer(), "/")+": "+e.Reason)
	default:
		out = append(out, err.Error())
	}
	return out
}

// refusedRecordings are the recorded requests the spec refuses, with the reason. They are
// bad input an official SDK sends without checking it (the Python SDK validates little);
// each one is something Smile ID refuses or is not known to accept. Every other recorded
// request must validate.
var refusedRecordings = map[string]string{
	// Job types 3 and 99 do not exist (2212).
	"python err.web.wrong_job_type.3 POST /v1/upload":  "/partner_params",
	"python err.web.wrong_job_type.99 POST /v1/upload": "/partner_params",
	"python err.web.wrong_job_type.3 PUT info.json":    "/partner_params",
	"python err.web.wrong_job_type.99 PUT info.json":   "/partner_params",
	// entered must be true/false (string or boolean); "yes" is neither.
	"python err.web.id_info.entered_invalid PUT info.json": "entered",
	// The partner ID is a string (leading zeros are significant); Python passes the
	// caller's int 212 through, Node refuses it before sending.
	"python err.web.numeric_partner_id POST /v1/upload":       "smile_client_id",
	"python err.web.numeric_partner_id PUT info.json":         "smile_client_id",
	"python err.web.get_web_token.no_callback POST /v1/token": "callback_url",
	"python err.web.get_web_token.no_user_id POST /v1/token":  "user_id",
	"python err.web.get_web_token.no_product POST /v1/token":  "product",
	// The ID API needs country and id_type (2213).
	"python err.idapi.id_info.no_country_no_id_type POST /v1/id_verification": "IDVerificationRequest",
}

// TestEveryOfficialSDKRequestValidates runs every request the official Node and Python SDKs
// sent (testdata/conformance) through openapi3filter against the spec: bodies, and the zip
// PUT with its info.json. What an official SDK sends and Smile ID accepts must validate;
// the requests in refusedRecordings must be refused, for the reason given.
func TestEveryOfficialSDKRequestValidates(t *testing.T) {
	openapi3filter.RegisterBodyDecoder("application/zip", zipDecoder)
	defer openapi3filter.UnregisterBodyDecoder("application/zip")
	doc := loadSpec(t)

	count := map[string]int{}
	refused := map[string]bool{}
	for _, sdk := range []string{"node", "python"} {
		for _, rec := range recordings(t, sdk+"-sdk-requests.jsonl") {
			key := sdk + " " + rec.Scenario + " " + rec.Method + " " + rec.Path
			if rec.Method == http.MethodPut {
				key = sdk + " " + rec.Scenario + " PUT info.json"
			}
			err := validateRecording(t, doc, rec)
			if reason, ok := refusedRecordings[key]; ok {
				require.Error(t, err, "%s: the spec accepts it; remove it from refusedRecordings", key)
				require.Contains(t, err.Error(), reason, key)
				refused[key] = true
				continue
			}
			require.NoError(t, err, "%s: the spec refuses what an official SDK sent", key)
			count[sdk+" "+rec.Method+" "+rec.Path]++
		}
	}
	var stale []string
	for key := range refusedRecordings {
		if !refused[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	require.Empty(t, stale, "refusedRecordings names requests that are not recorded")
	require.Equal(t, map[string]int{
		"node POST /v1/upload":                   5,
		"node PUT /upload-bucket/job-0001.zip":   5,
		"node POST /v1/job_status":               4,
		"node POST /v1/id_verification":          3,
		"node POST /v1/token":                    1,
		"python POST /v1/upload":                 29,
		"python PUT /upload-bucket/job-0001.zip": 26,
		"python POST /v1/job_status":             45,
		"python POST /v1/id_verification":        7,
		"python POST /v1/business_verification":  3,
		"python POST /v1/token":                  3,
	}, count)
}

// TestConformanceCoversTheTolerantShapes pins that the recordings really exercise the
// forms the spec must tolerate, so the test above cannot pass on recordings that lack them.
func TestConformanceCoversTheTolerantShapes(t *testing.T) {
	seen := map[string]bool{}
	for _, rec := range recordings(t, "python-sdk-requests.jsonl") {
		var body map[string]any
		if rec.Method == http.MethodPut {
			var info struct {
				IDInfo            map[string]any `json:"id_info"`
				ServerInformation any            `json:"server_information"`
			}
			require.NoError(t, json.Unmarshal(rec.Zip.Entries[0].InfoJSON, &info))
			if _, ok := info.IDInfo["entered"].(bool); ok {
				seen["info.json entered boolean"] = true
			}
			if _, ok := info.ServerInformation.(string); ok {
				seen["info.json server_information string"] = true
			}
			for _, e := range rec.Zip.Entries {
				if e.Name == "base64imgString" {
					seen["base64imgString entry"] = true
				}
			}
			continue
		}
		require.NoError(t, json.Unmarshal(rec.Body, &body))
		if v, ok := body["history"]; ok && v == nil {
			seen["job_status history null"] = true
		}
		if v, ok := body["callback_url"]; ok && v == nil && rec.Path == "/v1/upload" {
			seen["upload callback_url null"] = true
		}
		if _, ok := body["entered"].(bool); ok {
			seen["ID API entered boolean"] = true
		}
	}
	for _, rec := range recordings(t, "node-sdk-requests.jsonl") {
		var body map[string]any
		if rec.Method != http.MethodPut {
			require.NoError(t, json.Unmarshal(rec.Body, &body))
			if _, ok := body["entered"].(string); ok {
				seen["upload entered string"] = true
			}
		}
	}
	require.Equal(t, map[string]bool{
		"info.json entered boolean": true, "info.json server_information string": true,
		"base64imgString entry": true, "job_status history null": true,
		"upload callback_url null": true, "ID API entered boolean": true,
		"upload entered string": true,
	}, seen)
}
