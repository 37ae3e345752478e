// Command aml screens a person against sanctions, politically-exposed-person and
// adverse-media lists (AML screening, job type 10, POST /aml) with AML.SubmitJob, which
// returns the signed result synchronously, and decides the outcome with its Decision: no
// match, or a possible match that a person must review (AML never approves on a match).
//
// Offline, the in-process fake answers; its -sandbox-result "1" finds the person on a list
// (the default here, to show a match), "2" only in adverse media, "0" finds nobody.
//
//	go run ./examples/aml
//	go run ./examples/aml -full-name "Joe Leo Bloggs" -country NG -country KE -birth-year 1960
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
)

func main() { exampleutil.Main("aml", run) }

// countries is a repeatable -country flag.
type countries []string

func (c *countries) String() string     { return strings.Join(*c, ",") }
func (c *countries) Set(v string) error { *c = append(*c, v); return nil }

func run(ctx context.Context, out io.Writer, getenv func(string) string, args []string, opts ...exampleutil.Option) error {
	fs := flag.NewFlagSet("aml", flag.ContinueOnError)
	fullName := fs.String("full-name", "Joe Leo Bloggs", "the person's full name")
	var cs countries
	fs.Var(&cs, "country", "a nationality, ISO 3166-1 alpha-2 (repeatable; default NG)")
	birthYear := fs.String("birth-year", "1960", "the year of birth (yyyy; empty to leave it out)")
	sandbox := fs.String("sandbox-result", "1", `partner_params.sandbox_result for the fake: "0" nobody, "1" on a list, "2" adverse media only ("" to leave it out)`)
	if err := exampleutil.ParseFlags(fs, args, out); err != nil {
		return err
	}
	if len(cs) == 0 {
		cs = countries{"NG"}
	}

	sess, err := exampleutil.Connect(out, getenv, "AML screening (job type 10) with AML.SubmitJob", opts...)
	if err != nil {
		return err
	}
	defer sess.Close()

	req := smileid.AMLRequest{UserID: exampleutil.NewID("user"), JobID: exampleutil.NewID("aml"),
		FullName: *fullName, Countries: cs, BirthYear: *birthYear}
	if *sandbox != "" {
		req.PartnerParams = map[string]string{"sandbox_result": *sandbox}
	}
	sess.PrintJob(smileid.PartnerParams{UserID: req.UserID, JobID: req.JobID, JobType: smileid.AMLScreening})
	sess.Field("Screening", strings.Join(cs, ", ")+" (name and birth year not shown)")

	sess.Step("AML.SubmitJob (POST /aml) returns the result")
	res, err := sess.Client.AML.SubmitJob(ctx, req)
	var je *smileid.JobError
	switch {
	case errors.As(err, &je):
		return err // it names the screening (job_id, and SmileJobID when an answer gave it)
	case err != nil:
		return fmt.Errorf("screening %s (nothing was created): %w", req.JobID, err)
	}
	sess.Field("SmileJobID", res.SmileJobID)
	sess.Field("ResultCode", res.ResultCode)
	sess.Field("ResultText", res.ResultText)
	if res.Actions != nil && res.Actions.Listed != nil {
		sess.Field("Listed", string(*res.Actions.Listed))
	}
	sess.Field("People found", len(res.People))
	for i, p := range res.People {
		sess.Field(fmt.Sprintf("Person %d", i+1), fmt.Sprintf("PEP %t, %d sanctions entries, %d adverse media (name not shown)",
			p.Pep != nil, len(p.Sanctions), len(p.AdverseMedia)))
	}
	if res.StrictMatch != nil {
		sess.Field("StrictMatch", *res.StrictMatch)
	}
	fmt.Fprintln(out)
	sess.PrintVerifiedSignature("AML response")
	d := res.Decision()
	switch d.Outcome {
	case smileid.OutcomeApproved:
		sess.Field("Outcome", "no match: "+string(d.Outcome))
	case smileid.OutcomeProvisional:
		sess.Field("Outcome", "a possible match: a person must review it ("+string(d.Outcome)+")")
	default:
		sess.Field("Outcome", string(d.Outcome)+": "+d.Reason)
	}
	sess.PrintElapsed()
	return nil
}
