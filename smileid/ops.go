package smileid

// Operation names one v1 API operation. The same names appear in errors
// (APIError.Operation), log lines, and smileidtest (faults, recorded requests), so a
// test and the code under test speak of an operation the same way.
type Operation string

// The v1 operations.
const (
	OpUpload                    Operation = "upload"     // POST /upload (prep upload)
	OpUploadZip                 Operation = "upload_zip" // PUT of the zip to the presigned URL
	OpJobStatus                 Operation = "job_status" // POST /job_status
	OpIDVerification            Operation = "id_verification"
	OpAsyncIDVerification       Operation = "async_id_verification"
	OpBusinessVerification      Operation = "business_verification"
	OpAsyncBusinessVerification Operation = "async_business_verification"
	OpToken                     Operation = "token"
	OpServices                  Operation = "services"
	OpValidDocuments            Operation = "valid_documents"
	OpAML                       Operation = "aml"                  // POST /aml (AML screening, job type 10)
	OpAddressVerification       Operation = "async_verify_address" // POST /async-verify-address (job type 12)
)

// Operations lists every operation, in the order above.
func Operations() []Operation {
	return []Operation{OpUpload, OpUploadZip, OpJobStatus, OpIDVerification, OpAsyncIDVerification,
		OpBusinessVerification, OpAsyncBusinessVerification, OpToken, OpServices, OpValidDocuments,
		OpAML, OpAddressVerification}
}

// String returns the operation's name.
func (o Operation) String() string { return string(o) }
