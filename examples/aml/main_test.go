package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampletest"
	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// TestMatch: the default run finds the person on a list; the outcome is a review, the
// name is not printed.
func TestMatch(t *testing.T) {
	report, srv := exampletest.Run(t, run, nil)
	jobs := srv.Jobs()
	require.Len(t, jobs, 1)
	require.Equal(t, smileid.AMLScreening, jobs[0].PartnerParams.JobType)
	require.Equal(t, jobs[0].SmileJobID, exampleutil.FieldValue(report, "SmileJobID"))
	require.Equal(t, "1030", exampleutil.FieldValue(report, "ResultCode"))
	require.Equal(t, "Listed", exampleutil.FieldValue(report, "Listed"))
	require.Equal(t, "1", exampleutil.FieldValue(report, "People found"))
	require.Equal(t, "PEP true, 1 sanctions entries, 1 adverse media (name not shown)", exampleutil.FieldValue(report, "Person 1"))
	require.Contains(t, exampleutil.FieldValue(report, "Outcome"), "a person must review it")
	require.Contains(t, exampleutil.FieldValue(report, "Signature"), "verified by the SDK on the AML response")
	require.NotContains(t, report, "Bloggs")
	require.NotContains(t, report, "BLOGGS")
	exampletest.NoSecrets(t, report, smileidtest.DefaultAPIKey)
}

// TestNoMatch: nobody found, two countries, no birth year.
func TestNoMatch(t *testing.T) {
	report, srv := exampletest.Run(t, run, nil, "-sandbox-result", "0", "-country", "NG", "-country", "KE", "-birth-year", "")
	require.Equal(t, "1031", exampleutil.FieldValue(report, "ResultCode"))
	require.Equal(t, "0", exampleutil.FieldValue(report, "People found"))
	require.Equal(t, "no match: approved", exampleutil.FieldValue(report, "Outcome"))
	require.Equal(t, "NG, KE (name and birth year not shown)", exampleutil.FieldValue(report, "Screening"))
	require.Len(t, srv.RequestsFor(smileid.OpAML), 1)
}

// TestBadInput: a refused request sends nothing.
func TestBadInput(t *testing.T) {
	report, srv, err := exampletest.RunErr(t, run, nil, "-country", "Nigeria")
	var ve *smileid.ValidationError
	require.ErrorAs(t, err, &ve, report)
	require.Empty(t, srv.Requests())
}

// TestBadSignature: a result signed with another key is an error naming the screening.
func TestBadSignature(t *testing.T) {
	srv := smileidtest.NewServer(t)
	srv.InjectFault(smileid.OpAML, 1, smileidtest.Fault{BadSignature: true})
	report, _, err := exampletest.RunErr(t, run, srv)
	require.ErrorIs(t, err, smileid.ErrSignatureMismatch)
	var je *smileid.JobError
	require.ErrorAs(t, err, &je)
	require.NotContains(t, report, "ResultCode")
}
