package smileid

import (
	"bytes"
	"encoding/json"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// The wire types come from package generated (generated from openapi/smileid.yaml); these
// aliases give them short names here.
type (
	// PartnerParams identifies a job: JobID (unique per partner), UserID and JobType. Set
	// free-form string keys, echoed back in results, with Set(key, value); in the sandbox,
	// Set("sandbox_result", "0"|"1"|"2") forces approval, rejection or a provisional result.
	PartnerParams = generated.PartnerParams
	// JobType is the product a job runs.
	JobType = generated.JobType
	// IDInfo is the person's (or business's) identity details.
	IDInfo = generated.IDInfo
	// EnteredFlag is IDInfo.Entered: EnteredTrue when the ID number must be looked up with
	// the ID authority.
	EnteredFlag = generated.EnteredFlag
	// ConsentInformation records the user's consent, for ID types that need it.
	ConsentInformation = generated.ConsentInformation
	// ConsentDetails is ConsentInformation.Consented: when consent was granted and to what.
	ConsentDetails = generated.ConsentInformation_Consented
	// ImageType says what an image is and how it travels (in the zip, or inline as base64).
	ImageType = generated.ImageType
	// JobResult is the result of a job, as job status, the ID API and callbacks deliver it.
	JobResult = generated.JobResult
	// Actions is the outcome of each check of a job.
	Actions = generated.Actions
	// ActionResult is one value of Actions ("Passed", "Approved", "Not Applicable"...).
	ActionResult = generated.ActionResult
	// Product is the hosted web product a token is for.
	Product = generated.Product
	// Services is the services document (GET /services).
	Services = generated.ServicesResponse
	// ValidDocuments lists the documents Document Verification accepts, per country.
	ValidDocuments = generated.ValidDocumentsResponse
	// BusinessVerificationResult is the result of a Business Verification.
	BusinessVerificationResult = generated.BusinessVerificationJobResult
	// UploadResponse is the answer to the prep upload.
	UploadResponse = generated.UploadResponse
)

// Job types.
const (
	BiometricKYC                 = generated.JobTypeBiometricKYC                 // 1
	SmartSelfieAuthentication    = generated.JobTypeSmartSelfieAuthentication    // 2
	SmartSelfieRegistration      = generated.JobTypeSmartSelfieRegistration      // 4
	EnhancedKYC                  = generated.JobTypeEnhancedKYC                  // 5 (ID API)
	DocumentVerification         = generated.JobTypeDocumentVerification         // 6
	BusinessVerification         = generated.JobTypeBusinessVerification         // 7 (ID API)
	AMLScreening                 = generated.JobTypeAML                          // 10 (POST /aml)
	EnhancedDocumentVerification = generated.JobTypeEnhancedDocumentVerification // 11
	AddressVerification          = generated.JobTypeAddressVerification          // 12 (POST /async-verify-address)
)

// Image types: files go into the zip, base64 images into info.json.
const (
	ImageSelfieFile       = generated.ImageTypeSelfieFile       // 0
	ImageIDCardFile       = generated.ImageTypeIDCardFile       // 1
	ImageSelfieBase64     = generated.ImageTypeSelfieBase64     // 2
	ImageIDCardBase64     = generated.ImageTypeIDCardBase64     // 3
	ImageLivenessFile     = generated.ImageTypeLivenessFile     // 4
	ImageIDCardBackFile   = generated.ImageTypeIDCardBackFile   // 5
	ImageLivenessBase64   = generated.ImageTypeLivenessBase64   // 6
	ImageIDCardBackBase64 = generated.ImageTypeIDCardBackBase64 // 7
)

// Values of IDInfo.Entered.
const (
	EnteredTrue  = generated.EnteredFlagEnteredTrue
	EnteredFalse = generated.EnteredFlagEnteredFalse
)

// Hosted web products (GetWebToken).
const (
	ProductAuthentication               = generated.ProductAuthentication
	ProductBasicKYC                     = generated.ProductBasicKYC
	ProductSmartSelfie                  = generated.ProductSmartSelfie
	ProductBiometricKYC                 = generated.ProductBiometricKYC
	ProductEnhancedKYC                  = generated.ProductEnhancedKYC
	ProductDocVerification              = generated.ProductDocVerification
	ProductEKYCSmartSelfie              = generated.ProductEKYCSmartSelfie
	ProductIdentityVerification         = generated.ProductIdentityVerification
	ProductEnhancedDocumentVerification = generated.ProductEnhancedDocumentVerification
)

// isUploadJob reports whether jt goes through prep upload, zip and PUT.
func isUploadJob(jt JobType) bool {
	switch jt {
	case BiometricKYC, SmartSelfieAuthentication, SmartSelfieRegistration, DocumentVerification, EnhancedDocumentVerification:
		return true
	}
	return false
}

// isIDAPIJob reports whether jt goes to the ID API (no images).
func isIDAPIJob(jt JobType) bool { return jt == EnhancedKYC || jt == BusinessVerification }

// codeText returns a Smile ID code as text, whether it was sent as a string or a number.
func codeText(c *generated.SmileCode) string {
	if c == nil {
		return ""
	}
	return scalarText(c)
}

// scalarText returns the text of a JSON string or number held by a generated union, ""
// for anything else.
func scalarText(u json.Marshaler) string {
	raw, err := u.MarshalJSON()
	if err != nil {
		return ""
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// ResultJobTypeText returns the job type a result echoes, as text ("1"), whether it was
// sent as a number or a string; "" when absent.
func ResultJobTypeText(r *JobResult) string {
	if r == nil || r.PartnerParams == nil || r.PartnerParams.JobType == nil {
		return ""
	}
	return scalarText(r.PartnerParams.JobType)
}

// ConfidenceText returns a result's ConfidenceValue as text ("99"), "" when absent.
func ConfidenceText(r *JobResult) string {
	if r == nil || r.ConfidenceValue == nil {
		return ""
	}
	return scalarText(r.ConfidenceValue)
}

// signedText returns the timestamp of a signed response as the text to verify.
func signedText(ts *generated.ResponseTimestamp) string {
	if ts == nil {
		return ""
	}
	return scalarText(ts)
}

// Values of Actions.
const (
	ActionPassed                       = generated.ActionResultPassed
	ActionCompleted                    = generated.ActionResultCompleted
	ActionApproved                     = generated.ActionResultApproved
	ActionVerified                     = generated.ActionResultVerified
	ActionProvisionallyApproved        = generated.ActionResultProvisionallyApproved
	ActionUnderReview                  = generated.ActionResultUnderReview
	ActionSentToHumanReview            = generated.ActionResultSentToHumanReview
	ActionReturned                     = generated.ActionResultReturned
	ActionNotReturned                  = generated.ActionResultNotReturned
	ActionFailed                       = generated.ActionResultFailed
	ActionRejected                     = generated.ActionResultRejected
	ActionUnableToDetermine            = generated.ActionResultUnableToDetermine
	ActionNotApplicable                = generated.ActionResultNotApplicable
	ActionNotVerified                  = generated.ActionResultNotVerified
	ActionNotDone                      = generated.ActionResultNotDone
	ActionIssuerUnavailable            = generated.ActionResultIssuerUnavailable
	ActionIDAuthorityPhotoNotAvailable = generated.ActionResultIDAuthorityPhotoNotAvailable
	ActionListed                       = generated.ActionResultListed    // AML: a person was found
	ActionNotListed                    = generated.ActionResultNotListed // AML: nobody was found
)
