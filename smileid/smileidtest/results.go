package smileidtest

import (
	"strings"

	"github.com/smileidentity/smile-identity-core-go/generated"
	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// outcome is the sandbox outcome a job asks for with partner_params.sandbox_result.
type outcome int

const (
	approve outcome = iota
	reject
	provisional
)

func outcomeOf(pp generated.PartnerParams) outcome {
	switch v, _ := pp.Get("sandbox_result"); v {
	case "1":
		return reject
	case "2":
		return provisional
	}
	return approve
}

// resultParams echoes partner params in a result, job_type as a number.
func resultParams(pp generated.PartnerParams) *generated.ResultPartnerParams {
	var jt generated.ResultJobType
	_ = jt.FromJobTypeNumber(int(pp.JobType))
	rp := &generated.ResultPartnerParams{JobID: pp.JobID, UserID: pp.UserID, JobType: &jt}
	for k, v := range pp.AdditionalProperties {
		rp.Set(k, v)
	}
	return rp
}

// codes gives each image job type its ResultCode and ResultText per outcome. The
// approvals 1210 (Biometric KYC), 1220 (SmartSelfie Authentication) and 0810 (Document
// Verification) are documented (smileid.Decide approves them); the other codes are
// stand-ins from the same families, which Decide calls unknown, never approved.
var codes = map[generated.JobType][3][2]string{
	smileid.BiometricKYC:                 {{"1210", "Enroll User"}, {"1212", "Failed Enroll"}, {"1211", "Provisional Enroll - Under Review"}},
	smileid.SmartSelfieRegistration:      {{"0810", "Enroll User"}, {"0812", "Failed Enroll"}, {"0811", "Provisional Enroll - Under Review"}},
	smileid.SmartSelfieAuthentication:    {{"1220", "Authenticated"}, {"0822", "Failed Authentication"}, {"0821", "Provisional Authentication - Under Review"}},
	smileid.DocumentVerification:         {{"0810", "Document Verified"}, {"0902", "Document Not Verified"}, {"0901", "Provisional Document Verification - Under Review"}},
	smileid.EnhancedDocumentVerification: {{"0900", "Document Verified"}, {"0902", "Document Not Verified"}, {"0901", "Provisional Document Verification - Under Review"}},
	jobTypeUpdatePhoto:                   {{"0830", "Photo Updated"}, {"0832", "Photo Not Updated"}, {"0831", "Provisional Photo Update - Under Review"}},
}

func action(v generated.ActionResult) *generated.ActionResult { return &v }

// imageJobResult is the result of an image job, per its type and sandbox outcome.
func imageJobResult(j *job) (*generated.JobResult, bool) {
	pp := j.PartnerParams
	o := outcomeOf(pp)
	c := codes[pp.JobType][o]
	r := &generated.JobResult{
		SmileJobID: j.SmileJobID, PartnerParams: resultParams(pp), ResultCode: c[0], ResultText: c[1],
		IsFinalResult: map[outcome]string{approve: "true", reject: "true", provisional: "false"}[o],
		JSONVersion:   "1.0.0", Source: "smileidtest",
	}
	var confidence generated.Confidence
	_ = confidence.FromConfidenceText(map[outcome]string{approve: "99", reject: "12", provisional: "60"}[o])
	r.ConfidenceValue = &confidence
	var machine generated.Flag
	_ = machine.FromFlagText(map[outcome]string{approve: "true", reject: "true", provisional: "false"}[o])
	r.IsMachineResult = &machine

	pass := map[outcome]generated.ActionResult{approve: smileid.ActionPassed, reject: smileid.ActionFailed, provisional: smileid.ActionUnderReview}[o]
	approved := map[outcome]generated.ActionResult{approve: smileid.ActionApproved, reject: smileid.ActionRejected, provisional: smileid.ActionProvisionallyApproved}[o]
	compare := map[outcome]generated.ActionResult{approve: smileid.ActionCompleted, reject: smileid.ActionFailed, provisional: smileid.ActionUnderReview}[o]
	review := map[outcome]generated.ActionResult{approve: smileid.ActionNotApplicable, reject: smileid.ActionNotApplicable, provisional: smileid.ActionUnderReview}[o]
	na := action(smileid.ActionNotApplicable)
	a := &generated.Actions{
		LivenessCheck: action(pass), HumanReviewCompare: action(review), HumanReviewLivenessCheck: action(review),
		SelfieToIDAuthorityCompare: na, SelfieToIDCardCompare: na, SelfieToRegisteredSelfieCompare: na,
		RegisterSelfie: na, UpdateRegisteredSelfieOnFile: na, VerifyIDNumber: na, ReturnPersonalInfo: na,
	}
	info := j.idInfo
	switch pp.JobType {
	case smileid.BiometricKYC:
		a.RegisterSelfie = action(approved)
		if info.Entered == smileid.EnteredTrue {
			a.SelfieToIDAuthorityCompare = action(compare)
			a.VerifyIDNumber = action(map[outcome]generated.ActionResult{approve: smileid.ActionVerified, reject: smileid.ActionNotVerified, provisional: smileid.ActionVerified}[o])
			a.ReturnPersonalInfo = action(smileid.ActionReturned)
			fillPersonalInfo(r, info)
		} else {
			a.SelfieToIDCardCompare = action(compare)
		}
	case smileid.SmartSelfieRegistration:
		a.RegisterSelfie = action(approved)
	case smileid.SmartSelfieAuthentication:
		a.SelfieToRegisteredSelfieCompare = action(compare)
	case jobTypeUpdatePhoto:
		a.SelfieToRegisteredSelfieCompare = action(compare)
		a.UpdateRegisteredSelfieOnFile = action(approved)
	case smileid.DocumentVerification, smileid.EnhancedDocumentVerification:
		a.VerifyDocument = action(map[outcome]generated.ActionResult{approve: smileid.ActionPassed, reject: smileid.ActionFailed, provisional: smileid.ActionUnderReview}[o])
		a.DocumentCheck = action(pass)
		a.SelfieToIDCardCompare = action(compare)
		if j.useEnrolled {
			a.SelfieToRegisteredSelfieCompare = action(compare)
		}
		r.Country, r.IDType = info.Country, info.IDType
		if pp.JobType == smileid.EnhancedDocumentVerification {
			a.VerifyIDNumber = action(smileid.ActionVerified)
			a.ReturnPersonalInfo = action(smileid.ActionReturned)
			fillPersonalInfo(r, info)
		}
	}
	r.Actions = a
	return r, o == approve
}

// fillPersonalInfo adds the personal information an ID lookup returns: the names given,
// or the sandbox's test person.
func fillPersonalInfo(r *generated.JobResult, info generated.IDInfo) {
	name := strings.TrimSpace(strings.Join([]string{info.FirstName, info.MiddleName, info.LastName}, " "))
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		name = "Test Person"
	}
	dob := info.DOB
	if dob == "" {
		dob = "1990-01-01"
	}
	r.Country, r.IDType, r.IDNumber, r.FullName, r.DOB = info.Country, info.IDType, info.IDNumber, name, dob
	r.Gender, r.PhoneNumber, r.Photo = "Not Available", info.PhoneNumber, "Not Available"
	r.ExpirationDate = "Not Available"
}

// idResult is the result of an ID API job (5 or 7), plus the business details for 7.
func idResult(j *job) (generated.JobResult, generated.BusinessInformation, bool) {
	pp := j.PartnerParams
	info := j.idInfo
	found := outcomeOf(pp) != reject
	r := generated.JobResult{
		SmileJobID: j.SmileJobID, PartnerParams: resultParams(pp), JSONVersion: "1.0.0",
		IsFinalResult: "true", Source: "smileidtest",
	}
	var biz generated.BusinessInformation
	if pp.JobType == smileid.BusinessVerification {
		r.ResultType = "Business Verification"
		if found {
			r.ResultCode, r.ResultText = "1012", "Business Verified"
			r.Actions = &generated.Actions{VerifyBusiness: action(smileid.ActionVerified), ReturnBusinessInfo: action(smileid.ActionReturned)}
			biz = generated.BusinessInformation{
				Success: ptr(true),
				CompanyInformation: map[string]any{
					"legal_name": "Test Business Ltd", "registration_number": info.IDNumber, "country": info.Country,
					"company_type": "PRIVATE_COMPANY_LIMITED_BY_SHARES", "status": "ACTIVE",
				},
				Directors:        []map[string]any{{"name": "Test Director", "id_type": "PASSPORT"}},
				BeneficialOwners: []map[string]any{{"name": "Test Owner", "shareholdings": "100%"}},
			}
		} else {
			r.ResultCode, r.ResultText = "1013", "Unable to validate business"
			r.Actions = &generated.Actions{VerifyBusiness: action(smileid.ActionNotVerified), ReturnBusinessInfo: action(smileid.ActionNotReturned)}
			biz.Success = ptr(true)
		}
		return r, biz, found
	}
	r.ResultType = "ID Verification"
	if found {
		r.ResultCode, r.ResultText = "1012", "ID Number Validated"
		r.Actions = &generated.Actions{VerifyIDNumber: action(smileid.ActionVerified), ReturnPersonalInfo: action(smileid.ActionReturned)}
		fillPersonalInfo(&r, info)
	} else {
		r.ResultCode, r.ResultText = "1013", "Unable to validate ID"
		r.Actions = &generated.Actions{VerifyIDNumber: action(smileid.ActionNotVerified), ReturnPersonalInfo: action(smileid.ActionNotReturned)}
		r.Country, r.IDType, r.IDNumber = info.Country, info.IDType, info.IDNumber
	}
	return r, biz, found
}

// DefaultServices returns the services document the fake serves: an excerpt of the real
// one (a few countries and ID types of each product).
func DefaultServices() *generated.ServicesResponse {
	base := []string{"country", "id_type", "id_number", "user_id", "job_id"}
	with := func(extra ...string) []string { return append(append([]string(nil), base...), extra...) }
	idTypes := map[string]map[string][]string{
		"NG": {"BVN": base, "NIN_V2": base, "NIN_SLIP": base, "V_NIN": base, "PASSPORT": base, "VOTER_ID": base,
			"BANK_ACCOUNT": with("bank_code"), "PHONE_NUMBER": base, "DRIVERS_LICENSE": with("first_name", "last_name", "dob")},
		"GH": {"GHANA_CARD": base, "PASSPORT": base, "SSNIT": base, "VOTER_ID": base, "DRIVERS_LICENSE": base},
		"KE": {"NATIONAL_ID": base, "NATIONAL_ID_NO_PHOTO": base, "ALIEN_CARD": base, "PASSPORT": base, "KRA_PIN": with("citizenship")},
		"ZA": {"NATIONAL_ID": base, "NATIONAL_ID_NO_PHOTO": base, "PHONE_NUMBER": base},
		"UG": {"NATIONAL_ID_NO_PHOTO": base},
	}
	hosted := func(products map[string][]string) map[string]generated.HostedWebCountry {
		out := map[string]generated.HostedWebCountry{}
		names := map[string]string{"NG": "Nigeria", "GH": "Ghana", "KE": "Kenya", "ZA": "South Africa", "UG": "Uganda"}
		for cc, types := range products {
			c := generated.HostedWebCountry{Name: names[cc], IDTypes: map[string]generated.HostedWebIDType{}}
			for _, t := range types {
				c.IDTypes[t] = generated.HostedWebIDType{Label: strings.ReplaceAll(t, "_", " "), RequiredFields: idTypes[cc][t]}
			}
			out[cc] = c
		}
		return out
	}
	docs := func() map[string]generated.HostedWebCountry {
		out := map[string]generated.HostedWebCountry{}
		for cc, name := range map[string]string{"NG": "Nigeria", "GH": "Ghana", "KE": "Kenya", "ZA": "South Africa", "UG": "Uganda"} {
			out[cc] = generated.HostedWebCountry{Name: name, IDTypes: map[string]generated.HostedWebIDType{
				"PASSPORT": {Label: "Passport"}, "DRIVERS_LICENSE": {Label: "Driver's License"},
				"NATIONAL_ID": {Label: "National ID"}, "VOTER_ID": {Label: "Voter's ID"},
			}}
		}
		return out
	}
	return &generated.ServicesResponse{
		BankCodes: []generated.BankCode{{Name: "Access Bank", Code: "044", NipCode: "000014"}, {Name: "Zenith Bank", Code: "057"}},
		IDTypes:   idTypes,
		HostedWeb: map[string]map[string]generated.HostedWebCountry{
			"enhanced_kyc":                   hosted(map[string][]string{"NG": {"BVN", "NIN_V2", "BANK_ACCOUNT"}, "KE": {"NATIONAL_ID"}, "GH": {"GHANA_CARD"}}),
			"biometric_kyc":                  hosted(map[string][]string{"NG": {"BVN", "NIN_V2"}, "KE": {"NATIONAL_ID"}, "ZA": {"NATIONAL_ID"}}),
			"doc_verification":               docs(),
			"enhanced_document_verification": docs(),
		},
	}
}

func defaultValidDocuments() generated.ValidDocumentsResponse {
	doc := func(code, name string, back bool, example string) generated.CountryDocuments_IDTypes {
		return generated.CountryDocuments_IDTypes{Code: code, Name: name, HasBack: &back, Example: []string{example}}
	}
	return generated.ValidDocumentsResponse{ValidDocuments: []generated.CountryDocuments{
		{Country: generated.CountryDocuments_Country{Code: "GH", Name: "Ghana", Continent: "Africa"},
			IDTypes: []generated.CountryDocuments_IDTypes{doc("PASSPORT", "Passport", false, "G0000000"), doc("DRIVERS_LICENSE", "Driver's License", true, "B0000000")}},
		{Country: generated.CountryDocuments_Country{Code: "KE", Name: "Kenya", Continent: "Africa"},
			IDTypes: []generated.CountryDocuments_IDTypes{doc("NATIONAL_ID", "National ID", true, "00000000"), doc("PASSPORT", "Passport", false, "A00000000")}},
		{Country: generated.CountryDocuments_Country{Code: "NG", Name: "Nigeria", Continent: "Africa"},
			IDTypes: []generated.CountryDocuments_IDTypes{doc("PASSPORT", "Passport", false, "A00000000"), doc("DRIVERS_LICENSE", "Driver's License", true, "ABC000000000")}},
	}}
}
