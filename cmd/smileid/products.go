package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// listFlag is a flag that may be repeated; each value may also hold several, separated by
// commas.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// paramsFlag is a repeated key=value flag (free-form partner_params).
type paramsFlag map[string]string

func (p paramsFlag) String() string { return "" }

func (p paramsFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return errors.New("want key=value")
	}
	p[k] = val
	return nil
}

// given returns the names of the flags set on the command line.
func given(fs *flagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// readRequestFile decodes the JSON object of --job (- for stdin) into v: one object, no
// unknown keys, nothing after it.
func (e *env) readRequestFile(name string, v any) error {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(io.LimitReader(e.stdin, 1<<20))
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return usageError("reading the job file: %v", unwrapPathError(err))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return usageError("%s: %v", name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return usageError("%s: data after the JSON object", name)
	}
	return nil
}

// yearText is a birth year written as a string ("1960", as Smile ID documents it) or a
// number.
type yearText string

func (y *yearText) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*y = yearText(n.String())
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("birth_year must be a string (or a number) such as \"1960\"")
	}
	*y = yearText(s)
	return nil
}

// amlFile is the job file of `smileid aml`: the fields of POST /aml.
type amlFile struct {
	UserID             string            `json:"user_id"`
	JobID              string            `json:"job_id"`
	FullName           string            `json:"full_name"`
	Countries          []string          `json:"countries"`
	BirthYear          yearText          `json:"birth_year"`
	SearchExistingUser bool              `json:"search_existing_user"`
	StrictMatch        *bool             `json:"strict_match"`
	Aliases            []string          `json:"aliases"`
	PartnerParams      map[string]string `json:"partner_params"`
}

func cmdAML(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "aml", "[--job FILE] [--user-id U --job-id J --full-name N --country C ...] [flags]")
	server := serverFlag(fs)
	jobPath := fs.String("job", "", "the screening, a JSON `file` with the fields of POST /aml (- for stdin); flags given override it")
	userID := fs.String("user-id", "", "the user's ID")
	jobID := fs.String("job-id", "", "the screening's unique ID")
	fullName := fs.String("full-name", "", "the person's full `name`")
	var countries, aliases listFlag
	fs.Var(&countries, "country", "a nationality, ISO 3166-1 alpha-2 (`CC`); repeat it, or separate with commas")
	birthYear := fs.String("birth-year", "", "the year of birth (`yyyy`)")
	fs.Var(&aliases, "alias", "another `name` of the person; repeat it for several")
	searchExisting := fs.Bool("search-existing-user", false, "also use the user's earlier KYC job")
	strict := fs.Bool("strict-match", true, "the stricter match filters (--strict-match=false for the looser ones)")
	params := paramsFlag{}
	fs.Var(params, "param", "a partner_params `key=value` (repeatable), echoed back in the result")
	if err := fs.parse(args); err != nil {
		return err
	}
	var f amlFile
	if *jobPath != "" {
		if err := e.readRequestFile(*jobPath, &f); err != nil {
			return err
		}
	}
	set := given(fs)
	req := smileid.AMLRequest{UserID: f.UserID, JobID: f.JobID, FullName: f.FullName, Countries: f.Countries,
		BirthYear: string(f.BirthYear), SearchExistingUser: f.SearchExistingUser, StrictMatch: f.StrictMatch,
		Aliases: f.Aliases, PartnerParams: f.PartnerParams}
	override(set, "user-id", &req.UserID, *userID)
	override(set, "job-id", &req.JobID, *jobID)
	override(set, "full-name", &req.FullName, *fullName)
	override(set, "birth-year", &req.BirthYear, *birthYear)
	if set["country"] {
		req.Countries = countries
	}
	if set["alias"] {
		req.Aliases = aliases
	}
	if set["search-existing-user"] {
		req.SearchExistingUser = *searchExisting
	}
	if set["strict-match"] {
		req.StrictMatch = strict
	}
	req.PartnerParams = mergeParams(req.PartnerParams, params)

	client, done, err := e.client(*server)
	if err != nil {
		return err
	}
	defer done()
	res, err := client.AML.SubmitJob(ctx, req)
	if err != nil {
		return err // a *smileid.ValidationError exits 2; a *smileid.JobError names the screening
	}
	if err := e.writeJSON([]byte(res.Raw)); err != nil {
		return err
	}
	d := res.Decision()
	switch d.Outcome {
	case smileid.OutcomeError:
		return failure("the screening could not be done (ResultCode %s %s); retry later with a new job_id", d.Code, d.Text)
	case smileid.OutcomeApproved:
		fmt.Fprintf(e.stderr, "smileid aml: ResultCode %s %s: no match\n", d.Code, d.Text)
	case smileid.OutcomeProvisional:
		fmt.Fprintf(e.stderr, "smileid aml: ResultCode %s %s: a possible match, for a person to review\n", d.Code, d.Text)
	default:
		fmt.Fprintf(e.stderr, "smileid aml: ResultCode %s %s: a code this SDK does not know; read the result\n", d.Code, d.Text)
	}
	return nil
}

// addressFile is the job file of `smileid address`: the fields of POST
// /async-verify-address, with user_id and job_id at the top level.
type addressFile struct {
	UserID          string            `json:"user_id"`
	JobID           string            `json:"job_id"`
	Country         string            `json:"country"`
	Address         string            `json:"address"`
	FullName        string            `json:"full_name"`
	UtilityNumber   string            `json:"utility_number"`
	UtilityProvider string            `json:"utility_provider"`
	UtilityType     string            `json:"utility_type"`
	IDNumber        string            `json:"id_number"`
	CallbackURL     string            `json:"callback_url"`
	PartnerParams   map[string]string `json:"partner_params"`
}

func cmdAddress(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "address", "[--job FILE] [--user-id U --job-id J --country NG|ZA --address A --callback-url URL ...] [flags]")
	server := serverFlag(fs)
	jobPath := fs.String("job", "", "the job, a JSON `file` with the fields of POST /async-verify-address and user_id, job_id (- for stdin); flags given override it")
	userID := fs.String("user-id", "", "the user's ID")
	jobID := fs.String("job-id", "", "the job's unique ID (the callback echoes it)")
	country := fs.String("country", "", "NG or ZA")
	address := fs.String("address", "", "the person's full `address`")
	fullName := fs.String("full-name", "", "the person's full `name` (compared with the name on record)")
	utilityNumber := fs.String("utility-number", "", "NG: the meter or utility account `number`")
	utilityProvider := fs.String("utility-provider", "", "NG: the electricity distribution `company` (e.g. IkejaElectric)")
	utilityType := fs.String("utility-type", "", "NG: PrePaid or PostPaid")
	idNumber := fs.String("id-number", "", "ZA: the 13-digit ID `number`")
	callbackURL := fs.String("callback-url", "", "where Smile ID POSTs the result (`URL`, https)")
	params := paramsFlag{}
	fs.Var(params, "param", "a partner_params `key=value` (repeatable), echoed back in the callback")
	if err := fs.parse(args); err != nil {
		return err
	}
	var f addressFile
	if *jobPath != "" {
		if err := e.readRequestFile(*jobPath, &f); err != nil {
			return err
		}
	}
	set := given(fs)
	req := smileid.AddressRequest{UserID: f.UserID, JobID: f.JobID, Country: f.Country, Address: f.Address,
		FullName: f.FullName, UtilityNumber: f.UtilityNumber, UtilityProvider: f.UtilityProvider,
		UtilityType: f.UtilityType, IDNumber: f.IDNumber, CallbackURL: f.CallbackURL, PartnerParams: f.PartnerParams}
	for name, pair := range map[string]struct {
		dst *string
		v   string
	}{
		"user-id": {&req.UserID, *userID}, "job-id": {&req.JobID, *jobID}, "country": {&req.Country, *country},
		"address": {&req.Address, *address}, "full-name": {&req.FullName, *fullName},
		"utility-number": {&req.UtilityNumber, *utilityNumber}, "utility-provider": {&req.UtilityProvider, *utilityProvider},
		"utility-type": {&req.UtilityType, *utilityType}, "id-number": {&req.IDNumber, *idNumber},
		"callback-url": {&req.CallbackURL, *callbackURL},
	} {
		override(set, name, pair.dst, pair.v)
	}
	req.PartnerParams = mergeParams(req.PartnerParams, params)

	client, done, err := e.client(*server)
	if err != nil {
		return err
	}
	defer done()
	if err := client.AddressVerification.SubmitJob(ctx, req); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "smileid address: job %s accepted; its result goes to the callback URL\n", req.JobID)
	return e.writeJSON(map[string]any{"success": true, "job_id": req.JobID, "user_id": req.UserID})
}

// override sets *dst to v when the flag was given.
func override(set map[string]bool, name string, dst *string, v string) {
	if set[name] {
		*dst = v
	}
}

// mergeParams returns the file's partner params with the flags' over them.
func mergeParams(file map[string]string, flags paramsFlag) map[string]string {
	if len(flags) == 0 {
		return file
	}
	out := map[string]string{}
	for k, v := range file {
		out[k] = v
	}
	for k, v := range flags {
		out[k] = v
	}
	return out
}
