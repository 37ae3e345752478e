package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// jobFile is a job in the JSON shape of the Python SDK's submit_job arguments, plus the
// callback URL its WebApi constructor takes:
//
//	{"callback_url": "...", "partner_params": {...}, "image_details": [...], "id_info": {...}, "options": {...}}
//
// jobfile.schema.json describes it; the tests check the parser against the schema.
type jobFile struct {
	// CallbackURL is the seed's WebApi(partner_id, call_back_url, ...) callback: the
	// default for this job, which options.optional_callback overrides.
	CallbackURL   *string         `json:"callback_url"`
	PartnerParams json.RawMessage `json:"partner_params"`
	ImageDetails  []imageDetail   `json:"image_details"`
	IDInfo        json.RawMessage `json:"id_info"`
	Options       *jobOptions     `json:"options"`
}

type imageDetail struct {
	ImageTypeID *int    `json:"image_type_id"`
	Image       *string `json:"image"`
}

// jobOptions are the Python SDK's options_params, with the aliases other SDKs use.
type jobOptions struct {
	ReturnJobStatus  *bool   `json:"return_job_status"`
	ReturnHistory    *bool   `json:"return_history"`
	ReturnImages     *bool   `json:"return_images"`
	ReturnImageLinks *bool   `json:"return_image_links"` // alias of return_images
	UseEnrolledImage *bool   `json:"use_enrolled_image"`
	OptionalCallback *string `json:"optional_callback"`
	CallbackURL      *string `json:"callback_url"` // alias of optional_callback
	UseValidationAPI *bool   `json:"use_validation_api"`
	// Signature is the Python SDK's switch between signatures and the retired sec_key.
	// This CLI always signs; the key is accepted so that seed job files load.
	Signature *bool `json:"signature"`
	// Async sends a job type 5 or 7 to the asynchronous ID API (the Node SDK's
	// submitAsyncjob): the result goes to the callback URL.
	Async *bool `json:"async"`
}

// jobDefaults are what submit's flags say: --callback-url is the job file's top-level
// callback_url (it wins over the file's), --async is options.async.
type jobDefaults struct {
	callbackURL string
	async       bool
}

// parsedJob is a job file turned into the SDK's Job, plus notes for stderr.
type parsedJob struct {
	Job   smileid.Job
	Async bool
	Notes []string
}

// parseJobFile parses a job file. dir is the directory image paths are relative to. Every
// error is bad input (exit status 2).
func parseJobFile(data []byte, dir string, def jobDefaults) (*parsedJob, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var jf jobFile
	if err := dec.Decode(&jf); err != nil {
		return nil, fmt.Errorf("the job file is not a valid job: %s", jsonErrText(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("the job file is not a valid job: unexpected data after the JSON object")
	}
	if len(jf.PartnerParams) == 0 || string(jf.PartnerParams) == "null" {
		return nil, errors.New(`the job file has no "partner_params"`)
	}
	out := &parsedJob{}
	pp, err := parsePartnerParams(jf.PartnerParams)
	if err != nil {
		return nil, err
	}
	out.Job.PartnerParams = pp

	info, entered, err := parseIDInfo(jf.IDInfo)
	if err != nil {
		return nil, err
	}
	info.Entered = entered
	out.Job.IDInfo = info

	for i, d := range jf.ImageDetails {
		img, err := parseImage(i, d, dir)
		if err != nil {
			return nil, err
		}
		out.Job.Images = append(out.Job.Images, img)
	}

	if o := jf.Options; o != nil {
		returnImages, err := alias("options.return_images", o.ReturnImages, "options.return_image_links", o.ReturnImageLinks)
		if err != nil {
			return nil, err
		}
		callback, err := alias("options.optional_callback", o.OptionalCallback, "options.callback_url", o.CallbackURL)
		if err != nil {
			return nil, err
		}
		out.Job.Options = smileid.JobOptions{
			ReturnJobStatus:   deref(o.ReturnJobStatus),
			ReturnHistory:     deref(o.ReturnHistory),
			ReturnImageLinks:  deref(returnImages),
			UseEnrolledImage:  deref(o.UseEnrolledImage),
			CallbackURL:       strings.TrimSpace(deref(callback)),
			SkipValidationAPI: o.UseValidationAPI != nil && !*o.UseValidationAPI,
		}
		out.Async = deref(o.Async)
		if o.Signature != nil && !*o.Signature {
			out.Notes = append(out.Notes, "options.signature false (the retired sec_key) is not supported; the job is signed with a signature")
		}
	}
	if def.callbackURL != "" {
		jf.CallbackURL = &def.callbackURL
	}
	if jf.CallbackURL != nil && out.Job.Options.CallbackURL == "" {
		out.Job.Options.CallbackURL = strings.TrimSpace(*jf.CallbackURL)
	}
	out.Async = out.Async || def.async
	if err := out.applyJobType(); err != nil {
		return nil, err
	}
	return out, nil
}

// applyJobType applies what the job type implies: job types 5 and 7 go to the ID API,
// which takes no images (the seed says to omit them and the official SDKs ignore them),
// so images and image options are dropped with a note; async is for 5 and 7 only.
func (p *parsedJob) applyJobType() error {
	jt := p.Job.PartnerParams.JobType
	idAPI := jt == smileid.EnhancedKYC || jt == smileid.BusinessVerification
	if p.Async && !idAPI {
		return fmt.Errorf("options.async applies to job types 5 and 7 (the asynchronous ID API), not %d; image jobs are asynchronous unless options.return_job_status is set", int(jt))
	}
	if !idAPI {
		return nil
	}
	o := &p.Job.Options
	if n := len(p.Job.Images); n > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("job type %d goes to the ID API, which takes no images: ignoring %d image_details", int(jt), n))
		p.Job.Images = nil
	}
	var ignored []string
	for _, opt := range []struct {
		name string
		set  *bool
	}{{"return_job_status", &o.ReturnJobStatus}, {"return_history", &o.ReturnHistory}, {"return_images", &o.ReturnImageLinks}, {"use_enrolled_image", &o.UseEnrolledImage}} {
		if *opt.set {
			ignored = append(ignored, "options."+opt.name)
			*opt.set = false
		}
	}
	if len(ignored) > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("job type %d goes to the ID API: ignoring the image options %s", int(jt), strings.Join(ignored, ", ")))
	}
	if !p.Async && o.CallbackURL != "" {
		p.Notes = append(p.Notes, fmt.Sprintf("job type %d is answered synchronously: the callback URL is used only with options.async", int(jt)))
	}
	return nil
}

// alias returns the value of a key or of its alias; giving both with different values is
// an error.
func alias[T comparable](name string, v *T, aliasName string, a *T) (*T, error) {
	switch {
	case v == nil:
		return a, nil
	case a == nil || *a == *v:
		return v, nil
	}
	return nil, fmt.Errorf("the job file gives both %s and its alias %s, with different values", name, aliasName)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// parsePartnerParams reads partner_params: user_id and job_id (strings), job_type (a number,
// or a string of digits) and any other keys, which must be strings.
func parsePartnerParams(raw json.RawMessage) (smileid.PartnerParams, error) {
	var pp smileid.PartnerParams
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return pp, errors.New(`"partner_params" must be a JSON object`)
	}
	str := func(key string) (string, error) {
		v, ok := m[key]
		if !ok || string(v) == "null" {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", fmt.Errorf("partner_params.%s must be a string", key)
		}
		return s, nil
	}
	var err error
	if pp.UserID, err = str("user_id"); err != nil {
		return pp, err
	}
	if pp.JobID, err = str("job_id"); err != nil {
		return pp, err
	}
	jt, ok := m["job_type"]
	if !ok || string(jt) == "null" {
		return pp, errors.New("partner_params.job_type is required")
	}
	var n int
	if err := json.Unmarshal(jt, &n); err != nil {
		var s string
		if json.Unmarshal(jt, &s) != nil {
			return pp, errors.New("partner_params.job_type must be a number")
		}
		if n, err = strconv.Atoi(strings.TrimSpace(s)); err != nil {
			return pp, errors.New("partner_params.job_type must be a number")
		}
	}
	pp.JobType = smileid.JobType(n)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "user_id" || k == "job_id" || k == "job_type" {
			continue
		}
		var s string
		if err := json.Unmarshal(m[k], &s); err != nil {
			return pp, fmt.Errorf("partner_params.%s must be a string (extra partner params are strings)", k)
		}
		pp.Set(k, s)
	}
	return pp, nil
}

// parseIDInfo reads id_info. entered may be a JSON boolean (as the Python SDK sends it) or
// the string "true" or "false"; unknown keys are refused.
func parseIDInfo(raw json.RawMessage) (smileid.IDInfo, smileid.EnteredFlag, error) {
	var info smileid.IDInfo
	if len(raw) == 0 || string(raw) == "null" {
		return info, "", nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return info, "", errors.New(`"id_info" must be a JSON object`)
	}
	var entered smileid.EnteredFlag
	if v, ok := m["entered"]; ok {
		delete(m, "entered")
		var b bool
		var s string
		switch {
		case string(v) == "null":
		case json.Unmarshal(v, &b) == nil:
			entered = smileid.EnteredFalse
			if b {
				entered = smileid.EnteredTrue
			}
		case json.Unmarshal(v, &s) == nil && strings.EqualFold(strings.TrimSpace(s), "true"):
			entered = smileid.EnteredTrue
		case json.Unmarshal(v, &s) == nil && strings.EqualFold(strings.TrimSpace(s), "false"):
			entered = smileid.EnteredFalse
		default:
			return info, "", errors.New(`id_info.entered must be true or false (a JSON boolean or the string "true" or "false")`)
		}
	}
	rest, err := json.Marshal(m)
	if err != nil {
		return info, "", fmt.Errorf("id_info: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(rest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&info); err != nil {
		return info, "", fmt.Errorf("id_info: %s", jsonErrText(err))
	}
	return info, entered, nil
}

// parseImage reads one entry of image_details: a path (relative to dir) for the file
// types 0, 1, 4 and 5, base64 text for the types 2, 3, 6 and 7.
func parseImage(i int, d imageDetail, dir string) (smileid.Image, error) {
	field := fmt.Sprintf("image_details[%d]", i)
	if d.ImageTypeID == nil {
		return smileid.Image{}, fmt.Errorf("%s.image_type_id is required", field)
	}
	if d.Image == nil || strings.TrimSpace(*d.Image) == "" {
		return smileid.Image{}, fmt.Errorf("%s.image is required (a file path for types 0, 1, 4, 5; base64 for 2, 3, 6, 7)", field)
	}
	t := smileid.ImageType(*d.ImageTypeID)
	switch t {
	case smileid.ImageSelfieFile, smileid.ImageIDCardFile, smileid.ImageLivenessFile, smileid.ImageIDCardBackFile:
		p := *d.Image
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return smileid.ImageFile(t, p), nil
	case smileid.ImageSelfieBase64, smileid.ImageIDCardBase64, smileid.ImageLivenessBase64, smileid.ImageIDCardBackBase64:
		return smileid.ImageBase64(t, *d.Image), nil
	}
	return smileid.Image{}, fmt.Errorf("%s.image_type_id %d is not an image type (want 0 to 7)", field, *d.ImageTypeID)
}

// jsonErrText describes a JSON decoding error in one line, with the offset of a syntax
// error.
func jsonErrText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("%s must be a JSON %s, not %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
	}
	if errors.Is(err, io.EOF) {
		return "the file is empty"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "malformed JSON: unexpected end of file"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonKind(k string) string {
	switch k {
	case "bool":
		return "boolean"
	case "string":
		return "string"
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	}
	return "number"
}
