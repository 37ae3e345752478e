package smileid

import (
	"regexp"
	"strings"
)

var countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)

// submittable reports whether SubmitJob submits jobs of this type. JobType.Valid also
// accepts the job types the spec names that SubmitJob does not run: 8 and 9 (no SDK
// submits them), 10 (AML.SubmitJob) and 12 (AddressVerification.SubmitJob).
func submittable(jt JobType) bool {
	switch jt {
	case BiometricKYC, SmartSelfieAuthentication, SmartSelfieRegistration, EnhancedKYC,
		DocumentVerification, BusinessVerification, EnhancedDocumentVerification:
		return true
	}
	return false
}

// validatePartnerParams checks the rules every job's partner params must follow.
func validatePartnerParams(pp PartnerParams) error {
	if err := checkPartnerIDs(pp); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(pp.JobID) == "":
		return invalid("partner_params.job_id", "is required (a unique ID for this job)")
	case strings.TrimSpace(pp.UserID) == "":
		return invalid("partner_params.user_id", "is required")
	case pp.JobType == AMLScreening:
		return invalid("partner_params.job_type", "job type 10 (AML screening) runs with client.AML.SubmitJob")
	case pp.JobType == AddressVerification:
		return invalid("partner_params.job_type", "job type 12 (address verification) runs with client.AddressVerification.SubmitJob")
	case !submittable(pp.JobType):
		return invalid("partner_params.job_type", "%d is not a job type this API runs (want 1, 2, 4, 5, 6, 7 or 11)", int(pp.JobType))
	}
	for k := range pp.AdditionalProperties {
		switch {
		case k == "":
			return invalid("partner_params", "has an empty key")
		case k == "job_id" || k == "user_id" || k == "job_type":
			return invalid("partner_params."+k, "set it with the PartnerParams field, not Set")
		}
	}
	return nil
}

// validateIDInfo checks id_info against the local rules of the job type (those of the
// official SDKs, plus the ID API's required fields).
func validateIDInfo(jt JobType, info IDInfo) error {
	if info.Entered != "" && !info.Entered.Valid() {
		return invalid("id_info.entered", `must be EnteredTrue, EnteredFalse or empty`)
	}
	if info.Country != "" && !countryPattern.MatchString(info.Country) {
		return invalid("id_info.country", "must be an ISO 3166-1 alpha-2 code in capitals, such as NG")
	}
	required := func(fields ...string) error {
		for _, f := range fields {
			if strings.TrimSpace(idInfoField(info, f)) == "" {
				return invalid("id_info."+f, "is required for job type %d", int(jt))
			}
		}
		return nil
	}
	lookup := func() error {
		if err := required("country", "id_type"); err != nil {
			return err
		}
		if info.IDType == "BVN_MFA" {
			return required("session_id")
		}
		return required("id_number")
	}
	switch {
	case isIDAPIJob(jt):
		return lookup() // entered does not apply: the ID API always looks the ID up
	case jt == DocumentVerification:
		return required("country")
	case jt == EnhancedDocumentVerification:
		return required("country", "id_type")
	case info.Entered == EnteredTrue:
		return lookup()
	}
	return nil
}

// idInfoField returns the id_info field of that wire name ("" for unknown names).
func idInfoField(info IDInfo, name string) string {
	switch name {
	case "country":
		return info.Country
	case "id_type":
		return info.IDType
	case "id_number":
		return info.IDNumber
	case "first_name":
		return info.FirstName
	case "middle_name":
		return info.MiddleName
	case "last_name":
		return info.LastName
	case "dob":
		return info.DOB
	case "gender":
		return info.Gender
	case "phone_number":
		return info.PhoneNumber
	case "bank_code":
		return info.BankCode
	case "citizenship":
		return info.Citizenship
	case "business_type":
		return info.BusinessType
	case "postal_address":
		return info.PostalAddress
	case "postal_code":
		return info.PostalCode
	case "session_id":
		return info.SessionID
	}
	return ""
}

// knownField reports whether idInfoField knows the wire name.
func knownField(name string) bool {
	switch name {
	case "country", "id_type", "id_number", "first_name", "middle_name", "last_name", "dob", "gender",
		"phone_number", "bank_code", "citizenship", "business_type", "postal_address", "postal_code", "session_id":
		return true
	}
	return false
}

// validateImageJob checks the images, options and id_info of a job that goes through the
// upload flow (job types 1, 2, 4, 6, 11).
func validateImageJob(job *Job, callbackURL string) error {
	jt := job.PartnerParams.JobType
	opts := job.Options
	if len(job.Images) == 0 {
		return invalid("images", "at least one image is required (a selfie, unless UseEnrolledImage)")
	}
	has := func(types ...ImageType) bool {
		for _, img := range job.Images {
			for _, t := range types {
				if img.Type == t {
					return true
				}
			}
		}
		return false
	}
	docV := jt == DocumentVerification || jt == EnhancedDocumentVerification
	if opts.UseEnrolledImage && !docV {
		return invalid("options.use_enrolled_image", "applies to Document Verification (job types 6 and 11) only")
	}
	if !has(ImageSelfieFile, ImageSelfieBase64) && !(docV && opts.UseEnrolledImage) {
		return invalid("images", "a selfie (image type 0 or 2) is required for job type %d", int(jt))
	}
	if docV && !has(ImageIDCardFile, ImageIDCardBase64) {
		return invalid("images", "Document Verification needs the front of the ID document (image type 1 or 3)")
	}
	if jt == BiometricKYC && !has(ImageIDCardFile, ImageIDCardBase64) && job.IDInfo.Entered != EnteredTrue {
		return invalid("id_info.entered", "Biometric KYC needs either an ID card image (type 1 or 3) or id_info with Entered: EnteredTrue and the ID number to look up")
	}
	if err := validateIDInfo(jt, job.IDInfo); err != nil {
		return err
	}
	if callbackURL == "" && !opts.ReturnJobStatus {
		return invalid("options", "choose how to get the result: set a callback URL (WithCallbackURL or Options.CallbackURL), or ReturnJobStatus")
	}
	if opts.CallbackURL != "" {
		if _, err := checkURL("callback URL", opts.CallbackURL); err != nil {
			return &ValidationError{Field: "options.callback_url", Reason: strings.TrimPrefix(err.Error(), "smileid: "), Err: err}
		}
	}
	return nil
}

// checkAgainstServices checks id_info against the services document: the country and ID
// type must be known for the job's product, and the fields the services document lists
// as required for that ID type must be present. Fields the SDK does not know are skipped.
func checkAgainstServices(doc *Services, jt JobType, info IDInfo, pp PartnerParams) error {
	switch {
	case !needsServices(jt, info):
		return nil
	case jt == DocumentVerification || jt == EnhancedDocumentVerification:
		return checkDocumentCountry(doc, info)
	}
	types, ok := doc.IDTypes[info.Country]
	hosted := hostedIDTypes(doc, info.Country, "basic_kyc", "enhanced_kyc", "biometric_kyc", "ekyc_smartselfie")
	if !ok && len(hosted) == 0 {
		return invalid("id_info.country", "%s is not a country of the services document", info.Country)
	}
	fields, ok := types[info.IDType]
	if h, hok := hosted[info.IDType]; !ok && hok {
		fields, ok = h, true
	}
	if !ok {
		return invalid("id_info.id_type", "%s is not an ID type of %s in the services document", info.IDType, info.Country)
	}
	for _, f := range fields {
		var v string
		switch {
		case f == "user_id":
			v = pp.UserID
		case f == "job_id":
			v = pp.JobID
		case f == "day" || f == "month" || f == "year":
			v = info.DOB
		case knownField(f):
			v = idInfoField(info, f)
		default:
			continue
		}
		if strings.TrimSpace(v) == "" {
			return invalid("id_info."+f, "is required for %s %s (services document)", info.Country, info.IDType)
		}
	}
	return nil
}

// needsServices reports whether the services document has anything to check for the job:
// an ID to look up, or a document's country. Business registries are not listed in it.
func needsServices(jt JobType, info IDInfo) bool {
	switch jt {
	case BusinessVerification:
		return false
	case EnhancedKYC, DocumentVerification, EnhancedDocumentVerification:
		return true
	}
	return info.Entered == EnteredTrue
}

// hostedIDTypes merges the required fields of the country's ID types over the hosted web
// products given.
func hostedIDTypes(doc *Services, country string, products ...string) map[string][]string {
	out := map[string][]string{}
	for _, p := range products {
		c, ok := doc.HostedWeb[p][country]
		if !ok {
			continue
		}
		for id, t := range c.IDTypes {
			if _, seen := out[id]; !seen {
				out[id] = t.RequiredFields
			}
		}
	}
	return out
}

func checkDocumentCountry(doc *Services, info IDInfo) error {
	products := []string{"doc_verification", "enhanced_document_verification"}
	if len(doc.HostedWeb["doc_verification"]) == 0 && len(doc.HostedWeb["enhanced_document_verification"]) == 0 {
		return nil // this services document does not list documents
	}
	types := hostedIDTypes(doc, info.Country, products...)
	if len(types) == 0 {
		return invalid("id_info.country", "%s is not a Document Verification country of the services document", info.Country)
	}
	if _, ok := types[info.IDType]; info.IDType != "" && !ok {
		return invalid("id_info.id_type", "%s is not a document type of %s in the services document", info.IDType, info.Country)
	}
	return nil
}
