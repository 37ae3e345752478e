package smileid

// Printing and logging the SDK's own types without personal data.
//
// A job, a job status, an ID API result or a callback carries KYC personal data: ID
// numbers, names, dates of birth, phone numbers, addresses, base64 selfies and document
// images, and the partner's user_id (often an e-mail address or a customer number). With
// fmt's %v (or %+v, %#v, %s...) and with log/slog, the types below print a summary
// instead: the job_id, job type, Smile ID's codes and identifiers, the shape of the data
// (how many images, whether a field is set), never the personal values. Their LogValue
// (slog.LogValuer) gives the same summary as structured attributes; String and Format
// give it as text. Read the fields themselves for the data.
//
// The wire types are aliases of package generated's (IDInfo, PartnerParams, JobResult,
// Actions...): an alias cannot get methods here, so printing one of those directly (fmt's
// %v of an IDInfo, slog.Any("info", info)) prints every field. Log the type that holds
// them (Job, JobStatus, Verification...), or pick the fields you need.

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// LogValue summarizes the job without personal data: its job_id and job type, the
// country and ID type of IDInfo (not the ID number, names, date of birth...), which of
// its other fields are set, its images' types and sources, and its options (the callback
// URL without its query). The user_id is left out.
func (j Job) LogValue() slog.Value {
	images := make([]slog.Attr, len(j.Images))
	for i, img := range j.Images {
		images[i] = slog.Any(strconv.Itoa(i), img.LogValue())
	}
	return slog.GroupValue(
		slog.String("job_id", j.PartnerParams.JobID),
		slog.Int("job_type", int(j.PartnerParams.JobType)),
		slog.Any("id_info", idInfoLogValue(j.IDInfo)),
		slog.Any("images", slog.GroupValue(images...)),
		slog.Bool("return_job_status", j.Options.ReturnJobStatus),
		slog.String("callback_url", Redact(j.Options.CallbackURL)),
	)
}

// String is the job's summary (see LogValue).
func (j Job) String() string { return summaryText("smileid.Job", j.LogValue()) }

// Format prints String with every verb, so that no verb prints the personal data.
func (j Job) Format(f fmt.State, verb rune) { formatSummary(f, verb, j.String()) }

// idInfoLogValue summarizes IDInfo: the country, the ID type, entered, and which personal
// fields are set (their names, not their values).
func idInfoLogValue(info IDInfo) slog.Value {
	var set []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"id_number", info.IDNumber != ""}, {"first_name", info.FirstName != ""}, {"middle_name", info.MiddleName != ""},
		{"last_name", info.LastName != ""}, {"dob", info.DOB != ""}, {"gender", info.Gender != ""},
		{"phone_number", info.PhoneNumber != ""}, {"postal_address", info.PostalAddress != ""},
		{"postal_code", info.PostalCode != ""}, {"citizenship", info.Citizenship != ""}, {"bank_code", info.BankCode != ""},
		{"business_type", info.BusinessType != ""}, {"session_id", info.SessionID != ""},
		{"consent_information", info.ConsentInformation != nil},
	} {
		if f.set {
			set = append(set, f.name)
		}
	}
	return slog.GroupValue(slog.String("country", info.Country), slog.String("id_type", info.IDType),
		slog.String("entered", string(info.Entered)), slog.String("set", strings.Join(set, ",")))
}

// LogValue summarizes the image: its type and where it comes from (a file, bytes, a
// reader, base64 text) with the size of what is in memory; never its content, nor its
// path (a file name may name the person).
func (img Image) LogValue() slog.Value {
	attrs := []slog.Attr{slog.Int("type", int(img.Type))}
	switch {
	case img.isB64:
		attrs = append(attrs, slog.String("source", "base64"), slog.Int("len", len(img.b64)))
	case img.path != "":
		attrs = append(attrs, slog.String("source", "file"))
	case img.reader != nil:
		attrs = append(attrs, slog.String("source", "reader"))
	default:
		attrs = append(attrs, slog.String("source", "bytes"), slog.Int("len", len(img.data)))
	}
	return slog.GroupValue(attrs...)
}

// String is the image's summary (see LogValue).
func (img Image) String() string { return summaryText("smileid.Image", img.LogValue()) }

// Format prints String with every verb, so that no verb prints the image's bytes.
func (img Image) Format(f fmt.State, verb rune) { formatSummary(f, verb, img.String()) }

// resultAttrs summarizes a result: Smile ID's codes and identifiers, the job it names
// (job_id and job type, not the user_id) and its Actions; never the personal information
// on record (names, ID number, date of birth, photo, FullData...).
func resultAttrs(r *JobResult) []slog.Attr {
	if r == nil {
		return nil
	}
	attrs := []slog.Attr{slog.String("result_code", r.ResultCode), slog.String("result_text", r.ResultText),
		slog.String("smile_job_id", r.SmileJobID)}
	if r.ResultType != "" {
		attrs = append(attrs, slog.String("result_type", r.ResultType))
	}
	if r.PartnerParams != nil {
		attrs = append(attrs, slog.String("job_id", r.PartnerParams.JobID), slog.String("job_type", ResultJobTypeText(r)))
	}
	if r.Actions != nil {
		if b, err := json.Marshal(r.Actions); err == nil {
			attrs = append(attrs, slog.String("actions", string(b)))
		}
	}
	return attrs
}

// LogValue summarizes the status without personal data: job_complete, job_success, the
// code, the latest result's codes, SmileJobID and job_id (see resultAttrs), how many
// results the history holds; never the personal information on record, image links,
// the user_id or the signature.
func (s JobStatus) LogValue() slog.Value {
	attrs := []slog.Attr{slog.Bool("job_complete", s.JobComplete), slog.Bool("job_success", s.JobSuccess),
		slog.String("code", s.SmileCode())}
	attrs = append(attrs, resultAttrs(s.LatestResult())...)
	if len(s.History) > 0 {
		attrs = append(attrs, slog.Int("history", len(s.History)))
	}
	return slog.GroupValue(attrs...)
}

// String is the status's summary (see LogValue).
func (s JobStatus) String() string { return summaryText("smileid.JobStatus", s.LogValue()) }

// Format prints String with every verb, so that no verb prints the personal data.
func (s JobStatus) Format(f fmt.State, verb rune) { formatSummary(f, verb, s.String()) }

// LogValue summarizes the result without personal data (see JobStatus.LogValue): for
// Enhanced KYC the names, ID number, date of birth and photo on record are left out, for
// Business Verification the company's details, directors and owners.
func (v Verification) LogValue() slog.Value {
	attrs := resultAttrs(&v.JobResult)
	if v.Business != nil {
		attrs = append(attrs, slog.Bool("business", true))
	}
	return slog.GroupValue(attrs...)
}

// String is the result's summary (see LogValue).
func (v Verification) String() string { return summaryText("smileid.Verification", v.LogValue()) }

// Format prints String with every verb, so that no verb prints the personal data.
func (v Verification) Format(f fmt.State, verb rune) { formatSummary(f, verb, v.String()) }

// LogValue summarizes the callback without personal data: the result it claims (codes,
// SmileJobID, job_id: see JobStatus.LogValue), its shape, the timestamp it was signed
// over and its size; never its body or the user_id.
func (cb SignedCallback) LogValue() slog.Value {
	attrs := resultAttrs(cb.Result)
	if cb.Status != nil {
		attrs = append(attrs, slog.Bool("job_complete", cb.Status.JobComplete), slog.Bool("job_success", cb.Status.JobSuccess))
	}
	attrs = append(attrs, slog.String("timestamp", clip(oneLineText(cb.Timestamp), 40)), slog.Int("size", len(cb.Raw)))
	return slog.GroupValue(attrs...)
}

// String is the callback's summary (see LogValue).
func (cb SignedCallback) String() string {
	return summaryText("smileid.SignedCallback", cb.LogValue())
}

// Format prints String with every verb, so that no verb prints the body.
func (cb SignedCallback) Format(f fmt.State, verb rune) { formatSummary(f, verb, cb.String()) }

// LogValue summarizes the confirmed callback: its job_id and the confirmed status (see
// JobStatus.LogValue); never the user_id or the body.
func (cc ConfirmedCallback) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("job_id", cc.JobID)}
	if cc.Status != nil {
		attrs = append(attrs, slog.Any("status", cc.Status.LogValue()))
	}
	return slog.GroupValue(attrs...)
}

// String is the confirmed callback's summary (see LogValue).
func (cc ConfirmedCallback) String() string {
	return summaryText("smileid.ConfirmedCallback", cc.LogValue())
}

// Format prints String with every verb, so that no verb prints the personal data.
func (cc ConfirmedCallback) Format(f fmt.State, verb rune) { formatSummary(f, verb, cc.String()) }

// summaryText renders a summary as name{key: value, group: {...}}, values on one line.
func summaryText(name string, v slog.Value) string {
	var b strings.Builder
	b.WriteString(name)
	writeSummary(&b, v)
	return b.String()
}

func writeSummary(b *strings.Builder, v slog.Value) {
	v = v.Resolve()
	if v.Kind() != slog.KindGroup {
		if v.Kind() == slog.KindString {
			b.WriteString(summaryString(v.String()))
			return
		}
		b.WriteString(v.String())
		return
	}
	b.WriteByte('{')
	for i, a := range v.Group() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Key)
		b.WriteString(": ")
		writeSummary(b, a.Value)
	}
	b.WriteByte('}')
}

// summaryString is s as is when it is a plain token, else quoted: a summary stays on one
// line and its separators stay unambiguous.
func summaryString(s string) string {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r > '~' || strings.ContainsRune(`",{}\`, r)
	}) {
		return strconv.Quote(s)
	}
	return s
}

// formatSummary prints text for every verb: quoted for %q, as is otherwise.
func formatSummary(f fmt.State, verb rune, text string) {
	if verb == 'q' {
		text = strconv.Quote(text)
	}
	_, _ = f.Write([]byte(text))
}

// LogValue summarizes the screening request without personal data: its job_id, the
// countries and options, how many aliases; never the name, birth year, aliases or the
// user_id.
func (r AMLRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("job_id", r.JobID), slog.String("countries", strings.Join(r.Countries, ",")),
		slog.Bool("birth_year", r.BirthYear != ""), slog.Int("aliases", len(r.Aliases)),
		slog.Bool("search_existing_user", r.SearchExistingUser))
}

// String is the request's summary (see LogValue).
func (r AMLRequest) String() string { return summaryText("smileid.AMLRequest", r.LogValue()) }

// Format prints String with every verb, so that no verb prints the personal data.
func (r AMLRequest) Format(f fmt.State, verb rune) { formatSummary(f, verb, r.String()) }

// LogValue summarizes the screening's result: its codes, SmileJobID, job_id and how many
// people it matched; never the people (names, dates of birth, sanctions, adverse media)
// or the user_id.
func (r AMLResult) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("result_code", r.ResultCode), slog.String("result_text", r.ResultText),
		slog.String("smile_job_id", r.SmileJobID)}
	if r.PartnerParams != nil {
		attrs = append(attrs, slog.String("job_id", r.PartnerParams.JobID))
	}
	return slog.GroupValue(append(attrs, slog.Int("people", len(r.People)))...)
}

// String is the result's summary (see LogValue).
func (r AMLResult) String() string { return summaryText("smileid.AMLResult", r.LogValue()) }

// Format prints String with every verb, so that no verb prints the personal data.
func (r AMLResult) Format(f fmt.State, verb rune) { formatSummary(f, verb, r.String()) }

// LogValue summarizes the address verification request without personal data: its
// job_id, country and utility provider and type; never the address, name, utility or ID
// number, or the user_id.
func (r AddressRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("job_id", r.JobID), slog.String("country", r.Country),
		slog.String("utility_provider", r.UtilityProvider), slog.String("utility_type", r.UtilityType),
		slog.String("callback_url", Redact(r.CallbackURL)))
}

// String is the request's summary (see LogValue).
func (r AddressRequest) String() string { return summaryText("smileid.AddressRequest", r.LogValue()) }

// Format prints String with every verb, so that no verb prints the personal data.
func (r AddressRequest) Format(f fmt.State, verb rune) { formatSummary(f, verb, r.String()) }
