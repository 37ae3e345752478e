package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampletest"
	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/generated"
	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// tokenRequest returns the one token request the fake received.
func tokenRequest(t *testing.T, srv *smileidtest.Server) generated.TokenRequest {
	t.Helper()
	reqs := srv.RequestsFor(smileid.OpToken)
	require.Len(t, reqs, 1)
	require.Empty(t, reqs[0].Problem)
	var body generated.TokenRequest
	require.NoError(t, json.Unmarshal(reqs[0].Body, &body))
	return body
}

var fakeToken = regexp.MustCompile(`smileidtest-token-[0-9a-f]{32}`)

// TestToken asks for a token and shows only its start.
func TestToken(t *testing.T) {
	report, srv := exampletest.Run(t, run, nil)
	body := tokenRequest(t, srv)
	require.Equal(t, generated.ProductBiometricKYC, body.Product)
	require.Equal(t, exampleutil.FieldValue(report, "User ID"), body.UserID)
	require.Equal(t, exampleutil.FieldValue(report, "Job ID"), body.JobID)
	require.Equal(t, placeholderCallback, body.CallbackURL)
	require.Equal(t, "smilei... (50 characters; -show-token prints it all)", exampleutil.FieldValue(report, "Token"))
	require.False(t, fakeToken.MatchString(report))
	exampletest.NoSecrets(t, report, smileidtest.DefaultAPIKey)
}

// TestShowToken prints the whole token, for the product, user and job the flags name.
func TestShowToken(t *testing.T) {
	report, srv := exampletest.Run(t, run, nil, "-show-token", "-product", "smartselfie", "-user-id", "u-1", "-job-id", "j-1",
		"-callback-url", "https://partner.example/cb")
	body := tokenRequest(t, srv)
	require.Equal(t, generated.ProductSmartSelfie, body.Product)
	require.Equal(t, "u-1", body.UserID)
	require.Equal(t, "j-1", body.JobID)
	require.Equal(t, "https://partner.example/cb", body.CallbackURL)
	require.Regexp(t, `^`+fakeToken.String()+`$`, exampleutil.FieldValue(report, "Token"))
}

// TestBadProduct is refused before anything is sent.
func TestBadProduct(t *testing.T) {
	_, srv, err := exampletest.RunErr(t, run, nil, "-product", "selfie_magic")
	require.ErrorContains(t, err, `unknown -product "selfie_magic"`)
	require.Empty(t, srv.Requests())
}

// TestRealServerNeedsCallbackURL: against a real server the callback URL comes from
// SMILEID_CALLBACK_URL (or -callback-url); without one nothing is sent.
func TestRealServerNeedsCallbackURL(t *testing.T) {
	srv, env := exampletest.RealServer(t)
	var out bytes.Buffer
	err := run(exampletest.Context(t), &out, exampletest.Env(env), nil)
	require.ErrorContains(t, err, "set SMILEID_CALLBACK_URL or -callback-url")
	require.Empty(t, srv.RequestsFor(smileid.OpToken))

	env[exampleutil.EnvCallbackURL] = "https://partner.example/smile"
	out.Reset()
	require.NoError(t, run(exampletest.Context(t), &out, exampletest.Env(env), nil), out.String())
	require.Equal(t, "https://partner.example/smile", tokenRequest(t, srv).CallbackURL)
	require.Equal(t, []string{"https://partner.example/smile (from SMILEID_CALLBACK_URL)"}, exampleutil.FieldValues(out.String(), "Callback URL"))
}
