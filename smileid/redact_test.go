package smileid

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const presigned = "https://bucket.s3.amazonaws.com/a/selfie.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261127&X-Amz-Security-Token=TOKENSECRET&X-Amz-Signature=abcdef0123&Signature=OLDSIG&AWSAccessKeyId=AKIAOLD"

var presignedSecrets = []string{"AKIAEXAMPLE", "TOKENSECRET", "abcdef0123", "OLDSIG", "AKIAOLD"}

func requireNoSecrets(t *testing.T, text string) {
	t.Helper()
	for _, s := range presignedSecrets {
		require.NotContains(t, text, s)
	}
}

func TestRedact(t *testing.T) {
	for _, in := range []string{
		presigned,
		`failed to parse Location header "` + presigned + "\x7f" + `": invalid control character in URL`,
		`no url here: X-Amz-Signature=abcdef0123 x-amz-security-token=TOKENSECRET AWSAccessKeyId=AKIAOLD signature=OLDSIG`,
		`escaped: X-Amz-Signature%3Dabcdef0123`,
		`<Error><Code>AccessDenied</Code><CanonicalQueryString>X-Amz-Credential=AKIAEXAMPLE&amp;X-Amz-Signature=abcdef0123</CanonicalQueryString></Error>`,
	} {
		out := Redact(in)
		requireNoSecrets(t, out)
		require.Contains(t, out, "[REDACTED]")
	}
	require.Equal(t, "nothing secret: job-1 user-1", Redact("nothing secret: job-1 user-1"))
}

// TestRedactionOfTransportErrors: the URL of a *url.Error and its inner error (an
// unparsable Location header quoting the presigned query) are both redacted, and the chain
// still classifies.
func TestRedactionOfTransportErrors(t *testing.T) {
	u, _ := url.Parse("https://user:pw@bucket.s3.amazonaws.com/a/selfie.zip?X-Amz-Signature=abc&X-Amz-Credential=def#frag")
	require.Equal(t, "https://bucket.s3.amazonaws.com/a/selfie.zip?[REDACTED]", redactURL(u))
	err := sanitizeTransportError(&url.Error{Op: "Put", URL: u.String(), Err: errors.New("connection reset")})
	require.Equal(t, `Put "https://bucket.s3.amazonaws.com/a/selfie.zip?[REDACTED]": connection reset`, err.Error())

	inner := fmt.Errorf("failed to parse Location header %q: %w", presigned+"\x7f", errors.New("invalid control character in URL"))
	err = sanitizeTransportError(&url.Error{Op: "Put", URL: presigned, Err: inner})
	requireNoSecrets(t, err.Error())
	requireNoSecrets(t, fmt.Sprintf("%+v %#v", err, err))
	var ue *url.Error
	require.ErrorAs(t, err, &ue)
	requireNoSecrets(t, ue.Err.Error())
	require.ErrorIs(t, err, inner, "the chain is kept for errors.Is and errors.As")
	requireNoSecrets(t, safeErrorText(fmt.Errorf("wrapped: %w", inner)))
}

// TestUploadHostErrorsKeepOnlyCodeAndMessage: an S3 error document's other elements, and
// any body that is not one, never reach the error.
func TestUploadHostErrorsKeepOnlyCodeAndMessage(t *testing.T) {
	xmlBody := `<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message>` +
		`<StringToSign>AWS4-HMAC-SHA256 secret</StringToSign><CanonicalRequest>PUT /a/selfie.zip X-Amz-Credential=AKIAEXAMPLE&amp;X-Amz-Signature=abcdef0123</CanonicalRequest></Error>`
	e := newAPIError(OpUploadZip, 403, []byte(xmlBody), 0)
	require.Equal(t, "smileid: upload_zip: HTTP 403 Forbidden: code SignatureDoesNotMatch: The request signature we calculated does not match", e.Error())
	require.Empty(t, e.Body)

	// Plain text echoing the presigned URL (a proxy, a misconfigured host): not quoted.
	e = newAPIError(OpUploadZip, 400, []byte("bad request for "+presigned), 0)
	require.Equal(t, "smileid: upload_zip: HTTP 400 Bad Request", e.Error())
	// JSON from the upload host is not Smile ID's envelope either.
	e = newAPIError(OpUploadZip, 400, []byte(`{"error":"`+presigned+`"}`), 0)
	require.Equal(t, "smileid: upload_zip: HTTP 400 Bad Request", e.Error())
	// A Message that quotes the query is redacted.
	e = newAPIError(OpUploadZip, 403, []byte(`<Error><Code>AccessDenied</Code><Message>denied: `+strings.ReplaceAll(presigned, "&", "&amp;")+`</Message></Error>`), 0)
	requireNoSecrets(t, e.Error())
	require.Contains(t, e.Error(), "AccessDenied")
	// Smile ID's own messages are redacted too.
	e = newAPIError(OpUpload, 400, []byte(`{"code":"2204","error":"see `+presigned+`"}`), 0)
	requireNoSecrets(t, e.Error())
}

// TestAPIErrorFormatsSafely: no fmt verb prints the Body (an ID API answer's Body is the
// person's data).
func TestAPIErrorFormatsSafely(t *testing.T) {
	e := &APIError{Operation: OpIDVerification, StatusCode: 200, Message: "the result is not the documented JSON",
		Body: []byte(`{"FullName":"Adaeze Okonkwo","DOB":"1991-04-12"}`)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%c", "%T %v"} {
		for _, arg := range []any{e, *e, error(e)} {
			out := fmt.Sprintf(verb, arg)
			require.NotContains(t, out, "Adaeze", verb)
			require.NotContains(t, out, "1991", verb)
			require.NotContains(t, out, "65 100 97", verb) // the Body's bytes
			require.NotContains(t, out, fmt.Sprintf("%x", "Adaeze"), verb)
		}
	}
	require.Contains(t, fmt.Sprintf("%v", e), "the result is not the documented JSON")
	require.Equal(t, e.Error(), fmt.Sprintf("%#v", e))
}

// TestSignatureFormatsSafely: %c and %d of a Signature used to print the key's characters
// and bytes.
func TestSignatureFormatsSafely(t *testing.T) {
	s := NewSignature("212", "secret-api-key")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%c", "%U", "%o", "%b"} {
		for _, arg := range []any{s, *s} {
			out := fmt.Sprintf(verb, arg)
			require.NotContains(t, out, "secret-api-key", verb)
			require.NotContains(t, out, "115 101 99", verb)
			require.NotContains(t, out, "[s e c", verb)
			require.NotContains(t, out, fmt.Sprintf("%x", "secret"), verb)
			require.NotContains(t, out, "U+0073", verb)
			require.Contains(t, out, "REDACTED", verb)
		}
	}
}
