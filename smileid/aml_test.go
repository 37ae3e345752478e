package smileid_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

func amlRequest(id string) smileid.AMLRequest {
	return smileid.AMLRequest{UserID: "user-" + id, JobID: "job-" + id, FullName: "Joe Leo Bloggs",
		Countries: []string{"NG"}, BirthYear: "1960"}
}

// TestAML: each sandbox outcome of the fake, the body sent (the Ruby SDK's shape, in the
// Go SDK's canonical form), the decision, and the job kept by the fake.
func TestAML(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		sandbox, code string
		listed        smileid.ActionResult
		people        int
		outcome       smileid.Outcome
	}{
		{"", "1031", smileid.ActionNotListed, 0, smileid.OutcomeApproved},
		{"1", "1030", smileid.ActionListed, 1, smileid.OutcomeProvisional},
		{"2", "1017", smileid.ActionListed, 1, smileid.OutcomeProvisional},
	} {
		t.Run("sandbox "+c.sandbox, func(t *testing.T) {
			srv, client := fake(t, []smileidtest.Option{smileidtest.Strict()})
			req := amlRequest("aml" + c.sandbox)
			if c.sandbox != "" {
				req.PartnerParams = map[string]string{"sandbox_result": c.sandbox}
			}
			res, err := client.AML.SubmitJob(ctx, req)
			require.NoError(t, err)
			require.Equal(t, c.code, res.ResultCode)
			require.Equal(t, c.listed, *res.Actions.Listed)
			require.Len(t, res.People, c.people)
			require.Equal(t, c.people, *res.NoOfPersonsFound)
			require.Equal(t, c.outcome, res.Decision().Outcome)
			require.NotEmpty(t, res.SmileJobID)
			require.Contains(t, string(res.Raw), `"SmileJobID":"`+res.SmileJobID+`"`, "Raw is the body received")
			require.Equal(t, req.JobID, res.PartnerParams.JobID)
			if c.people > 0 {
				require.Equal(t, "JOE LEO BLOGGS", res.People[0].Name)
			}
			if c.sandbox == "1" {
				require.NotNil(t, res.People[0].Pep)
				require.Len(t, res.People[0].Sanctions, 1)
			}

			sent := srv.RequestsFor(smileid.OpAML)
			require.Len(t, sent, 1)
			var body map[string]any
			require.NoError(t, json.Unmarshal(sent[0].Body, &body))
			require.Equal(t, map[string]any{
				"user_id": req.UserID, "job_id": req.JobID, "full_name": "Joe Leo Bloggs", "countries": []any{"NG"},
				"birth_year": "1960", "search_existing_user": false, "strict_match": true, "job_type": float64(10),
				"partner_id": srv.PartnerID, "timestamp": body["timestamp"], "signature": body["signature"],
				"source_sdk": "go", "source_sdk_version": smileid.Version,
			}, withoutKey(body, "partner_params"))
			if c.sandbox != "" {
				require.Equal(t, map[string]any{"sandbox_result": c.sandbox}, body["partner_params"])
			} else {
				require.NotContains(t, body, "partner_params", "no empty object is sent")
			}
			j, ok := srv.Job(req.JobID)
			require.True(t, ok)
			require.Equal(t, res.SmileJobID, j.SmileJobID)
		})
	}

	t.Run("strict_match and aliases as chosen", func(t *testing.T) {
		srv, client := fake(t, nil)
		req := amlRequest("opts")
		req.StrictMatch, req.Aliases, req.SearchExistingUser = new(bool), []string{"Joe Bloggs", "J. L. Bloggs"}, true
		res, err := client.AML.SubmitJob(ctx, req)
		require.NoError(t, err)
		require.False(t, *res.StrictMatch)
		var body map[string]any
		require.NoError(t, json.Unmarshal(srv.RequestsFor(smileid.OpAML)[0].Body, &body))
		require.Equal(t, false, body["strict_match"])
		require.Equal(t, true, body["search_existing_user"])
		require.Equal(t, []any{"Joe Bloggs", "J. L. Bloggs"}, body["aliases"])
	})
}

func withoutKey(m map[string]any, k string) map[string]any {
	out := map[string]any{}
	for key, v := range m {
		if key != k {
			out[key] = v
		}
	}
	return out
}

// TestAMLValidation: bad input is a *ValidationError naming the field, and nothing is sent.
func TestAMLValidation(t *testing.T) {
	long := strings.Repeat("é", smileid.MaxAMLNameLength+1)
	for name, c := range map[string]struct {
		mod   func(*smileid.AMLRequest)
		field string
	}{
		"no user_id":           {func(r *smileid.AMLRequest) { r.UserID = " " }, "user_id"},
		"no job_id":            {func(r *smileid.AMLRequest) { r.JobID = "" }, "job_id"},
		"job_id with a NUL":    {func(r *smileid.AMLRequest) { r.JobID = "a\x00b" }, "job_id"},
		"job_id too long":      {func(r *smileid.AMLRequest) { r.JobID = strings.Repeat("j", smileid.MaxIDLength+1) }, "job_id"},
		"no full_name":         {func(r *smileid.AMLRequest) { r.FullName = "" }, "full_name"},
		"full_name not needed": {func(r *smileid.AMLRequest) { r.FullName, r.SearchExistingUser = "", true }, "full_name"},
		"full_name too long":   {func(r *smileid.AMLRequest) { r.FullName = long }, "full_name"},
		"full_name line break": {func(r *smileid.AMLRequest) { r.FullName = "Joe\nBloggs" }, "full_name"},
		"no countries":         {func(r *smileid.AMLRequest) { r.Countries = nil }, "countries"},
		"lower-case country":   {func(r *smileid.AMLRequest) { r.Countries = []string{"NG", "ke"} }, "countries[1]"},
		"alpha-3 country":      {func(r *smileid.AMLRequest) { r.Countries = []string{"NGA"} }, "countries[0]"},
		"birth_year yy":        {func(r *smileid.AMLRequest) { r.BirthYear = "60" }, "birth_year"},
		"birth_year a date":    {func(r *smileid.AMLRequest) { r.BirthYear = "1960-01-01" }, "birth_year"},
		"too many aliases":     {func(r *smileid.AMLRequest) { r.Aliases = make([]string, smileid.MaxAMLAliases+1) }, "aliases"},
		"empty alias":          {func(r *smileid.AMLRequest) { r.Aliases = []string{"A", ""} }, "aliases[1]"},
		"alias too long":       {func(r *smileid.AMLRequest) { r.Aliases = []string{long} }, "aliases[0]"},
		"reserved param":       {func(r *smileid.AMLRequest) { r.PartnerParams = map[string]string{"job_id": "x"} }, "partner_params.job_id"},
		"empty param key":      {func(r *smileid.AMLRequest) { r.PartnerParams = map[string]string{"": "x"} }, "partner_params"},
	} {
		t.Run(name, func(t *testing.T) {
			srv, client := fake(t, nil)
			req := amlRequest("v")
			c.mod(&req)
			res, err := client.AML.SubmitJob(context.Background(), req)
			require.Nil(t, res)
			var ve *smileid.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, c.field, ve.Field)
			require.NotContains(t, err.Error(), "Joe", "the error does not repeat the name")
			require.Empty(t, srv.Requests(), "nothing is sent")
		})
	}
	t.Run("a bad call option", func(t *testing.T) {
		srv, client := fake(t, nil)
		_, err := client.AML.SubmitJob(context.Background(), amlRequest("o"), smileid.WithAttemptTimeout(-1))
		var ve *smileid.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Empty(t, srv.Requests())
	})
}

// TestAMLFailures: after the request was sent, every failure names the screening.
func TestAMLFailures(t *testing.T) {
	ctx := context.Background()

	t.Run("answer lost after the screening ran", func(t *testing.T) {
		srv, client := fake(t, nil)
		srv.InjectFault(smileid.OpAML, 1, smileidtest.Fault{Status: 502, AfterProcessing: true})
		req := amlRequest("lost")
		res, err := client.AML.SubmitJob(ctx, req)
		require.Nil(t, res)
		require.ErrorIs(t, err, smileid.ErrJobMayExist)
		var je *smileid.JobError
		require.ErrorAs(t, err, &je, "if err != nil { return err } keeps the job")
		require.Equal(t, req.JobID, je.JobID)
		require.Equal(t, req.UserID, je.UserID)
		require.Equal(t, smileid.OpAML, je.Stage)
		require.Len(t, srv.RequestsFor(smileid.OpAML), 1, "a job-creating call is not repeated after it may have run")
		_, ok := srv.Job(req.JobID)
		require.True(t, ok, "the fake did run it: reconcile with job status")
		st, err := client.Utilities.GetJobStatus(ctx, smileid.JobStatusQuery{UserID: req.UserID, JobID: req.JobID})
		require.NoError(t, err)
		require.Equal(t, "1031", st.LatestResult().ResultCode)
	})

	t.Run("connection dropped after the screening ran", func(t *testing.T) {
		srv, client := fake(t, nil)
		srv.InjectFault(smileid.OpAML, 1, smileidtest.Fault{DropConnection: true, AfterProcessing: true})
		_, err := client.AML.SubmitJob(ctx, amlRequest("drop"))
		require.ErrorIs(t, err, smileid.ErrJobMayExist)
		var je *smileid.JobError
		require.ErrorAs(t, err, &je)
		require.Equal(t, "job-drop", je.JobID)
	})

	t.Run("result signed with another key", func(t *testing.T) {
		srv, client := fake(t, nil)
		srv.InjectFault(smileid.OpAML, 1, smileidtest.Fault{BadSignature: true})
		res, err := client.AML.SubmitJob(ctx, amlRequest("sig"))
		require.Nil(t, res)
		require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
		var je *smileid.JobError
		require.ErrorAs(t, err, &je)
		require.Equal(t, "job-sig", je.JobID)
		j, _ := srv.Job("job-sig")
		require.Equal(t, j.SmileJobID, je.SmileJobID, "the answer's SmileJobID, unverified, is kept")
		require.NotEmpty(t, je.Body)
	})

	t.Run("duplicate job_id is Smile ID's refusal", func(t *testing.T) {
		_, client := fake(t, nil)
		_, err := client.AML.SubmitJob(ctx, amlRequest("dup"))
		require.NoError(t, err)
		_, err = client.AML.SubmitJob(ctx, amlRequest("dup"))
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, "2215", apiErr.Code)
	})
}

// TestAMLBinding: a signed answer that echoes the request's signature, or names another
// job, is refused; an unsigned one too; people in another shape decode leniently.
func TestAMLBinding(t *testing.T) {
	ctx := context.Background()
	amlAnswer := func(jobID, userID string) map[string]any {
		return map[string]any{"SmileJobID": "0000000042", "ResultCode": "1030", "ResultText": "Found on list",
			"PartnerParams": map[string]any{"job_id": jobID, "user_id": userID, "job_type": 10},
			"Actions":       map[string]any{"Listed": "Listed"}, "no_of_persons_found": 1,
			"people": []any{map[string]any{"name": "JOE", "aliases": []any{map[string]any{"name": "J"}}, "nationalities": []any{"Nigerian"}}}}
	}
	t.Run("echoed", func(t *testing.T) {
		c := hostile(t, func(req map[string]any, _ *smileid.Signature) any {
			a := amlAnswer("job-e", "user-e")
			a["timestamp"], a["signature"] = req["timestamp"], req["signature"]
			return a
		})
		res, err := c.AML.SubmitJob(ctx, amlRequest("e"))
		require.Nil(t, res)
		require.ErrorIs(t, err, smileid.ErrResponseNotBound)
		var je *smileid.JobError
		require.ErrorAs(t, err, &je)
		require.Equal(t, "job-e", je.JobID)
	})
	t.Run("another job", func(t *testing.T) {
		c := hostile(t, func(_ map[string]any, s *smileid.Signature) any {
			a := amlAnswer("job-other", "user-b")
			ts := smileid.Timestamp(time.Now().Add(time.Second))
			a["timestamp"], a["signature"] = ts, s.Generate(ts)
			return a
		})
		_, err := c.AML.SubmitJob(ctx, amlRequest("b"))
		var be *smileid.ResponseBindingError
		require.ErrorAs(t, err, &be)
		require.Equal(t, "job-other", be.GotJobID)
		var je *smileid.JobError
		require.ErrorAs(t, err, &je)
		require.Empty(t, je.SmileJobID, "an answer about another job lends no SmileJobID")
	})
	t.Run("unsigned", func(t *testing.T) {
		c := hostile(t, func(map[string]any, *smileid.Signature) any { return amlAnswer("job-u", "user-u") })
		_, err := c.AML.SubmitJob(ctx, amlRequest("u"))
		require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	})
	t.Run("people of another shape", func(t *testing.T) {
		c := hostile(t, func(_ map[string]any, s *smileid.Signature) any {
			a := amlAnswer("job-p", "user-p")
			ts := smileid.Timestamp(time.Now().Add(time.Second))
			a["timestamp"], a["signature"] = ts, s.Generate(ts)
			return a
		})
		res, err := c.AML.SubmitJob(ctx, amlRequest("p"))
		require.NoError(t, err)
		require.Len(t, res.People, 1)
		require.Equal(t, "JOE", res.People[0].Name, "what decodes is kept")
		require.Equal(t, []string{"Nigerian"}, res.People[0].Nationalities)
		require.Contains(t, string(res.Raw), `"aliases":[{"name":"J"}]`, "Raw has the rest")
		require.Equal(t, smileid.OutcomeProvisional, res.Decision().Outcome)
	})
	t.Run("an error envelope with HTTP 200", func(t *testing.T) {
		c := hostile(t, func(map[string]any, *smileid.Signature) any {
			return map[string]any{"code": "2213", "error": "missing countries"}
		})
		_, err := c.AML.SubmitJob(ctx, amlRequest("env"))
		var apiErr *smileid.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, "2213", apiErr.Code)
		var je *smileid.JobError
		require.False(t, errors.As(err, &je), "Smile ID refused it: no job")
	})
}

// TestProductJobTypesThroughSubmitJob: WebAPI.SubmitJob refuses job types 10 and 12,
// naming the method that runs them, and sends nothing.
func TestProductJobTypesThroughSubmitJob(t *testing.T) {
	for jt, method := range map[smileid.JobType]string{smileid.AMLScreening: "client.AML.SubmitJob", smileid.AddressVerification: "client.AddressVerification.SubmitJob"} {
		srv, client := fake(t, nil)
		_, err := client.WebAPI.SubmitJob(context.Background(), smileid.Job{PartnerParams: jobParams("p", jt),
			IDInfo: smileid.IDInfo{Country: "NG"}, Options: smileid.JobOptions{ReturnJobStatus: true}})
		var ve *smileid.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, "partner_params.job_type", ve.Field)
		require.Contains(t, ve.Reason, method)
		require.Empty(t, srv.Requests())
	}
}
