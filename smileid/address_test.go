package smileid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// callbackSink is a loopback receiver of the fake's callbacks.
type callbackSink struct {
	URL string
	mu  sync.Mutex
	got [][]byte
}

func newCallbackSink(t *testing.T) *callbackSink {
	t.Helper()
	s := &callbackSink{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.got = append(s.got, b)
		s.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/smile-callback"
	return s
}

func ngAddress(id, utilityNumber string) smileid.AddressRequest {
	return smileid.AddressRequest{UserID: "user-" + id, JobID: "job-" + id, Country: smileid.AddressCountryNigeria,
		Address: "1 Example Street, Ikeja, Lagos", FullName: "Joe Leo Bloggs",
		UtilityNumber: utilityNumber, UtilityProvider: "IkejaElectric", UtilityType: "PrePaid"}
}

func zaAddress(id, idNumber string) smileid.AddressRequest {
	return smileid.AddressRequest{UserID: "user-" + id, JobID: "job-" + id, Country: smileid.AddressCountrySouthAfrica,
		Address: "1 Example Road, Pretoria", IDNumber: idNumber}
}

// TestAddressVerification: the sandbox outcome per last digit of the utility or ID
// number, by a signed callback that Decide reads; the request signed in headers (the fake
// checks the signature) with no signature fields in the body.
func TestAddressVerification(t *testing.T) {
	ctx := context.Background()
	sink := newCallbackSink(t)
	srv, client := fake(t, []smileidtest.Option{smileidtest.Strict()}, smileid.WithCallbackURL(sink.URL))
	cases := []struct {
		req     smileid.AddressRequest
		code    string
		outcome smileid.Outcome
	}{
		{ngAddress("ng0", "0000000000"), "1012", smileid.OutcomeUnknown}, // a match: its code is undocumented
		{ngAddress("ng1", "0000000001"), "1013", smileid.OutcomeRejected},
		{zaAddress("za2", "0000000000002"), "2413", smileid.OutcomeUnknown},
		{zaAddress("za3", "0000000000003"), "1015", smileid.OutcomeError},
		{zaAddress("za4", "0000000000004"), "1022", smileid.OutcomeRejected},
	}
	for _, c := range cases {
		require.NoError(t, client.AddressVerification.SubmitJob(ctx, c.req))
	}
	cbs, err := srv.WaitForCallbacks(ctx, len(cases))
	require.NoError(t, err)
	byJob := map[string]smileidtest.CallbackDelivery{}
	for _, cb := range cbs {
		require.Equal(t, sink.URL, cb.URL, "the client's default callback URL")
		byJob[cb.JobID] = cb
	}
	for _, c := range cases {
		cb := byJob[c.req.JobID]
		signed, err := client.Signature().CheckCallbackSignature(cb.Body)
		require.NoError(t, err, c.req.JobID)
		require.Equal(t, c.code, signed.Result.ResultCode, c.req.JobID)
		require.Equal(t, c.req.JobID, signed.JobID())
		require.Equal(t, c.req.UserID, signed.UserID())
		require.Equal(t, c.outcome, smileid.Decide(smileid.AddressVerification, signed.Result).Outcome, c.req.JobID)
	}

	sent := srv.RequestsFor(smileid.OpAddressVerification)
	require.Len(t, sent, len(cases))
	for _, r := range sent {
		require.Empty(t, r.Problem)
		h := r.Header
		require.Equal(t, srv.PartnerID, h.Get("smileid-partner-id"))
		require.True(t, client.Signature().Confirm(h.Get("smileid-timestamp"), h.Get("smileid-request-signature")))
		_, err := time.Parse("2006-01-02T15:04:05.000Z", h.Get("smileid-timestamp"))
		require.NoError(t, err, "UTC ISO 8601 with milliseconds")
		require.Equal(t, "go", h.Get("smileid-source-sdk"))
		require.Equal(t, smileid.Version, h.Get("smileid-source-sdk-version"))
		require.Equal(t, "application/json", h.Get("Content-Type"))
	}
	var ng, za map[string]any
	require.NoError(t, json.Unmarshal(sent[0].Body, &ng))
	require.Equal(t, map[string]any{"country": "NG", "address": "1 Example Street, Ikeja, Lagos", "full_name": "Joe Leo Bloggs",
		"utility_number": "0000000000", "utility_provider": "IkejaElectric", "utility_type": "PrePaid",
		"callback_url": sink.URL, "partner_params": map[string]any{"user_id": "user-ng0", "job_id": "job-ng0"}}, ng,
		"no signature fields in the body")
	require.NoError(t, json.Unmarshal(sent[2].Body, &za))
	require.Equal(t, map[string]any{"country": "ZA", "address": "1 Example Road, Pretoria", "id_number": "0000000000002",
		"callback_url": sink.URL, "partner_params": map[string]any{"user_id": "user-za2", "job_id": "job-za2"}}, za)
}

// TestAddressVerificationPerCall: a callback URL and partner params of the call.
func TestAddressVerificationPerCall(t *testing.T) {
	sink := newCallbackSink(t)
	srv, client := fake(t, nil)
	req := zaAddress("own", "0000000000000")
	req.CallbackURL, req.PartnerParams = sink.URL, map[string]string{"order": "42"}
	require.NoError(t, client.AddressVerification.SubmitJob(context.Background(), req))
	cbs, err := srv.WaitForCallbacks(context.Background(), 1)
	require.NoError(t, err)
	require.Equal(t, sink.URL, cbs[0].URL)
	require.Equal(t, http.StatusOK, cbs[0].StatusCode)
	var body map[string]any
	require.NoError(t, json.Unmarshal(srv.RequestsFor(smileid.OpAddressVerification)[0].Body, &body))
	require.Equal(t, map[string]any{"user_id": "user-own", "job_id": "job-own", "order": "42"}, body["partner_params"])
}

// TestAddressVerificationResigned: each attempt is signed afresh (a refused first attempt
// is repeated with a new timestamp and signature).
func TestAddressVerificationResigned(t *testing.T) {
	var mu sync.Mutex
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	srv, client := fake(t, nil, smileid.WithClockForTest(now), smileid.WithCallbackURL("https://partner.example.com/cb"))
	srv.InjectFault(smileid.OpAddressVerification, 1, smileidtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"})
	require.NoError(t, client.AddressVerification.SubmitJob(context.Background(), ngAddress("again", "0000000000")))
	sent := srv.RequestsFor(smileid.OpAddressVerification)
	require.Len(t, sent, 2)
	require.NotEqual(t, sent[0].Header.Get("smileid-timestamp"), sent[1].Header.Get("smileid-timestamp"))
	require.NotEqual(t, sent[0].Header.Get("smileid-request-signature"), sent[1].Header.Get("smileid-request-signature"))
	for _, r := range sent {
		require.True(t, client.Signature().Confirm(r.Header.Get("smileid-timestamp"), r.Header.Get("smileid-request-signature")))
	}
	require.Empty(t, sent[1].Problem, "the fake accepted the second signature")
}

// TestAddressVerificationFailures: refusals by Smile ID, and an answer lost after the job
// was created, which names the job.
func TestAddressVerificationFailures(t *testing.T) {
	ctx := context.Background()
	opts := []smileid.Option{smileid.WithCallbackURL("https://partner.example.com/cb")}

	t.Run("answer lost after the job was created", func(t *testing.T) {
		srv, client := fake(t, nil, opts...)
		srv.InjectFault(smileid.OpAddressVerification, 1, smileidtest.Fault{Status: 504, AfterProcessing: true})
		req := ngAddress("lost", "0000000000")
		err := client.AddressVerification.SubmitJob(ctx, req)
		require.ErrorIs(t, err, smileid.ErrJobMayExist)
		var je *smileid.JobError
		require.ErrorAs(t, err, &je)
		require.Equal(t, req.JobID, je.JobID)
		require.Equal(t, req.UserID, je.UserID)
		require.Equal(t, smileid.OpAddressVerification, je.Stage)
		require.Len(t, srv.RequestsFor(smileid.OpAddressVerification), 1, "not repeated: it may have run")
		_, ok := srv.Job(req.JobID)
		require.True(t, ok, "the job exists on the fake")
	})

	t.Run("wrong key", func(t *testing.T) {
		srv := smileidtest.NewServer(t)
		client, err := smileid.NewClient(srv.PartnerID, "not-the-key", append(srv.ClientOptions(), opts...)...)
		require.NoError(t, err)
		err = client.AddressVerification.SubmitJob(ctx, ngAddress("key", "0000000000"))
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, "2205", apiErr.Code)
	})

	t.Run("an answer that is not JSON", func(t *testing.T) {
		srv, client := fake(t, nil, opts...)
		srv.InjectFault(smileid.OpAddressVerification, 1, smileidtest.Fault{Status: 200, Body: "<html>ok</html>", AfterProcessing: true})
		err := client.AddressVerification.SubmitJob(ctx, ngAddress("html", "0000000000"))
		var je *smileid.JobError
		require.ErrorAs(t, err, &je, "a 2xx answer: the job may well exist")
		require.Equal(t, "job-html", je.JobID)
		require.Equal(t, "<html>ok</html>", string(je.Body))
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
	})

	t.Run("success false", func(t *testing.T) {
		srv, client := fake(t, nil, opts...)
		srv.InjectFault(smileid.OpAddressVerification, 1, smileidtest.Fault{Status: 200, Body: `{"success": false}`})
		err := client.AddressVerification.SubmitJob(ctx, ngAddress("no", "0000000000"))
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Contains(t, apiErr.Error(), "not accepted")
	})
}

// TestAddressVerificationValidation: bad input is a *ValidationError naming the field, its
// text without the address or numbers, and nothing is sent.
func TestAddressVerificationValidation(t *testing.T) {
	for name, c := range map[string]struct {
		req   smileid.AddressRequest
		field string
	}{
		"no user_id":             {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.UserID = "" }), "user_id"},
		"no job_id":              {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.JobID = " " }), "job_id"},
		"job_id with ESC":        {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.JobID = "j\x1b" }), "job_id"},
		"no address":             {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.Address = "  " }), "address"},
		"country KE":             {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.Country = "KE" }), "country"},
		"country lower-case":     {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.Country = "ng" }), "country"},
		"NG without number":      {ngAddress("v", ""), "utility_number"},
		"NG without provider":    {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.UtilityProvider = "" }), "utility_provider"},
		"NG with an ID number":   {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.IDNumber = "0000000000000" }), "id_number"},
		"ZA without ID number":   {zaAddress("v", ""), "id_number"},
		"ZA 12 digits":           {zaAddress("v", "000000000000"), "id_number"},
		"ZA with a letter":       {zaAddress("v", "000000000000A"), "id_number"},
		"ZA with utility":        {mod(zaAddress("v", "0000000000000"), func(r *smileid.AddressRequest) { r.UtilityNumber = "1" }), "utility_number"},
		"bad full name":          {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.FullName = "Joe\x00" }), "full_name"},
		"no callback":            {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.CallbackURL = "" }), "callback_url"},
		"http callback":          {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.CallbackURL = "http://partner.example.com/cb" }), "callback_url"},
		"relative callback":      {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.CallbackURL = "/cb" }), "callback_url"},
		"callback with userinfo": {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.CallbackURL = "https://u:p@partner.example.com/cb" }), "callback_url"},
		"reserved param":         {mod(ngAddress("v", "0000000000"), func(r *smileid.AddressRequest) { r.PartnerParams = map[string]string{"user_id": "x"} }), "partner_params.user_id"},
	} {
		t.Run(name, func(t *testing.T) {
			srv, client := fake(t, nil) // no default callback URL
			req := c.req
			if req.CallbackURL == "" && c.field != "callback_url" {
				req.CallbackURL = "https://partner.example.com/cb"
			}
			err := client.AddressVerification.SubmitJob(context.Background(), req)
			var ve *smileid.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, c.field, ve.Field)
			for _, secret := range []string{"Example Street", "0000000000", "Joe", "u:p"} {
				require.NotContains(t, err.Error(), secret)
			}
			require.Empty(t, srv.Requests(), "nothing is sent")
		})
	}
}

func mod(r smileid.AddressRequest, f func(*smileid.AddressRequest)) smileid.AddressRequest {
	f(&r)
	return r
}

// TestProductsKeepSecretsAndPersonalDataOutOfLogs: AML and address verification, with a
// debug logger, a retried refusal and failures after sending: neither the logs nor the
// errors hold the API key, a signature (header-signed ones included) or the person's data.
func TestProductsKeepSecretsAndPersonalDataOutOfLogs(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, client := fake(t, nil, smileid.WithLogger(logger), smileid.WithCallbackURL("https://partner.example.com/cb"))
	var errs []error

	aml := smileid.AMLRequest{UserID: "user-s", JobID: "job-s", FullName: "Adaeze Okonkwo-Test", Countries: []string{"NG"},
		BirthYear: "1991", Aliases: []string{"Ada Okonkwo"}}
	srv.InjectFault(smileid.OpAML, 1, smileidtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"})
	_, err := client.AML.SubmitJob(ctx, aml)
	require.NoError(t, err)
	aml.JobID = "job-s2"
	srv.InjectFault(smileid.OpAML, 1, smileidtest.Fault{Status: 502, AfterProcessing: true})
	_, err = client.AML.SubmitJob(ctx, aml)
	errs = append(errs, err)

	addr := smileid.AddressRequest{UserID: "user-a", JobID: "job-a", Country: "NG", Address: "14 Adeola Odeku Street, Victoria Island",
		FullName: "Adaeze Okonkwo-Test", UtilityNumber: "4512987631", UtilityProvider: "EKEDC"}
	srv.InjectFault(smileid.OpAddressVerification, 1, smileidtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"})
	require.NoError(t, client.AddressVerification.SubmitJob(ctx, addr))
	addr.JobID = "job-a2"
	srv.InjectFault(smileid.OpAddressVerification, 1, smileidtest.Fault{DropConnection: true, AfterProcessing: true})
	errs = append(errs, client.AddressVerification.SubmitJob(ctx, addr))

	secrets := append(secretsIn(t, srv), "Adaeze", "Okonkwo", "Adeola", "4512987631")
	for _, r := range srv.RequestsFor(smileid.OpAddressVerification) {
		secrets = append(secrets, r.Header.Get("smileid-request-signature"))
	}
	require.Contains(t, logs.String(), "smileid retry", "the logger saw the calls")
	for _, s := range secrets {
		require.NotEmpty(t, s)
		require.NotContains(t, logs.String(), s)
		for _, err := range errs {
			require.Error(t, err)
			require.NotContains(t, err.Error(), s)
			require.NotContains(t, fmt.Sprintf("%+v", err), s)
		}
	}
}
