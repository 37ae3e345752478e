package smileid

import (
	"net/url"
	"regexp"
)

// secretParam matches the value of a query parameter that carries a credential: the
// presigned upload URL's X-Amz-* parameters (X-Amz-Signature, X-Amz-Credential,
// X-Amz-Security-Token...), the older S3 form's Signature and AWSAccessKeyId, and any
// parameter whose name ends in "signature" or "token". The separator may be percent-encoded
// (a URL quoted inside another URL).
var secretParam = regexp.MustCompile(`(?i)((?:x-amz-[a-z0-9-]*|awsaccesskeyid|[a-z0-9_.-]*signature|[a-z0-9_.-]*security-token|[a-z0-9_.-]*securitytoken)(?:=|%3d))[^&\s"'<>\\]*`)

// urlQuery matches the query of an http(s) URL quoted in a text.
var urlQuery = regexp.MustCompile(`(?i)(https?://[^\s"'<>?#]*)\?[^\s"'<>#]*`)

// Redact returns s with the query of every http(s) URL it quotes replaced by [REDACTED],
// and the values of credential-bearing parameters anywhere else too (X-Amz-*, Signature,
// AWSAccessKeyId, x-amz-security-token, any "...signature="). The SDK applies it to every
// error and log text it produces; use it on text of your own that may quote a presigned
// URL.
func Redact(s string) string {
	s = urlQuery.ReplaceAllString(s, "${1}?[REDACTED]")
	return secretParam.ReplaceAllString(s, "${1}[REDACTED]")
}

// redactedError is an error whose text went through Redact. It unwraps to the original,
// so that errors.Is and errors.As still classify it (a timeout, a refused connection).
type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// redactError returns err with a redacted text: every *url.Error in its chain gets a URL
// without its query, and any other text that quotes a credential is redacted.
func redactError(err error) error {
	if err == nil {
		return nil
	}
	if ue, ok := err.(*url.Error); ok {
		redacted := "[REDACTED URL]"
		if u, perr := url.Parse(ue.URL); perr == nil {
			redacted = redactURL(u)
		}
		return &url.Error{Op: ue.Op, URL: redacted, Err: redactError(ue.Err)}
	}
	if text := err.Error(); Redact(text) != text {
		return &redactedError{text: Redact(text), err: err}
	}
	return err
}

// safeErrorText is the text of err as the SDK logs it.
func safeErrorText(err error) string {
	if err == nil {
		return ""
	}
	return Redact(err.Error())
}

// redactURL returns u without its query, fragment and user info: presigned URLs carry
// credentials in the query.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	s := c.String()
	if u.RawQuery != "" {
		s += "?[REDACTED]"
	}
	return s
}

// sanitizeTransportError replaces the URL in every *url.Error of a transport error (Go's
// HTTP client puts the request URL, query included, in each) with a redacted one, and
// redacts whatever other text quotes a credential (a Location header that did not parse).
func sanitizeTransportError(err error) error { return redactError(err) }
