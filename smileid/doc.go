// Package smileid is the Go SDK for Smile ID's v1 KYC API: Biometric KYC, SmartSelfie
// registration and authentication, Enhanced KYC, Document Verification, Business
// Verification, AML screening, address verification, job status, web tokens, the services
// document, and the receiving of Smile ID's callbacks.
//
// Create one Client per partner and environment and share it; it is safe for concurrent
// use:
//
//	client, err := smileid.NewClient(partnerID, apiKey,
//		smileid.WithEnvironment(smileid.Sandbox),
//		smileid.WithCallbackURL("https://example.com/smile/callback"))
//
// Its methods follow the other Smile ID SDKs: client.WebAPI.SubmitJob submits a job (image
// jobs through prep upload, zip and upload; job types 5 and 7 through the ID API),
// client.IDAPI verifies ID numbers and businesses, client.AML screens people against
// sanctions, PEP and adverse-media lists (the Ruby SDK's AmlCheck), client.AddressVerification
// verifies addresses in Nigeria and South Africa, and client.Utilities gets job status
// and the services document and validates input. NewSignature signs and verifies by hand.
//
// Client.CallbackHandler receives callbacks. A callback's signature covers its timestamp,
// not its body (the same text every request carries), so the handler treats a callback as
// a notification: it gets the job's signed status from the API and passes your code that,
// never the body as a result. Every response is bound to its request: an answer that
// echoes a signature the client sent, was signed long before the request
// (MaxResponseSkew), or names another job, is a *ResponseBindingError.
//
// Every request is signed afresh. Input is checked before anything is sent: bad input is a
// *ValidationError and nothing is created on the server. Server errors are *APIError.
// Every error tells what happened on the server: a request that never left the client is
// a *NotSentError (ErrNotSent: nothing was created, and the SDK retried it); one that was
// sent and got no answer saying what happened is ErrJobMayExist when it creates a job;
// any error once a job was created is a *JobError naming it (user_id, job_id, SmileJobID),
// and results are nil whenever the error is not. Requests that are safe to repeat are
// retried; those that create a job only when that cannot create a second one (nothing was
// sent, or the server refused with 429 or 503 and Retry-After). ErrJobMayExist documents
// how to reconcile a job; WebAPI.ResumeJob does it for image jobs. Call options
// (WithPolling, WithAttemptTimeout, WithRetry) change a single call. The SDK logs nothing
// unless given a logger (WithLogger), and never logs bodies, the API key, signatures or
// presigned URLs.
//
// The wire types come from package generated, generated from openapi/smileid.yaml. Package
// smileidtest is a fake Smile ID server to test with, offline.
package smileid
