package smileid

import (
	"context"
	"fmt"
	"net/http"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// GetServices returns the services document (GET /services): the supported countries and
// ID types with their required fields, per product, and the bank codes. It needs no
// signature. Safe to repeat; retried per the RetryPolicy.
func (u *Utilities) GetServices(ctx context.Context) (*Services, error) {
	v, _, err := do(ctx, u.c, call[generated.ServicesResponse]{
		op: OpServices, retryable: true,
		send: func(ctx context.Context) (*http.Response, error) { return u.c.gen.GetServices(ctx) },
	})
	if err != nil {
		return nil, err
	}
	u.c.services.mu.Lock()
	u.c.services.doc, u.c.services.fetched = v, u.c.cfg.now()
	u.c.services.mu.Unlock()
	return v, nil
}

// GetValidDocuments returns the documents Document Verification (job types 6 and 11)
// accepts, per country. Safe to repeat; retried per the RetryPolicy.
func (u *Utilities) GetValidDocuments(ctx context.Context) (*ValidDocuments, error) {
	v, _, err := do(ctx, u.c, call[generated.ValidDocumentsResponse]{
		op: OpValidDocuments, retryable: true,
		send: func(ctx context.Context) (*http.Response, error) {
			ts, sig := u.c.sign()
			sdk, ver := sdkFields()
			return sendJSON(ctx, u.c.gen.ValidDocumentsWithBody, generated.ValidDocumentsRequest{
				PartnerID: u.c.sig.partnerID, Timestamp: ts, Signature: sig, SourceSDK: sdk, SourceSDKVersion: ver,
			})
		},
	})
	return v, err
}

// ValidatePartnerParams checks partner params locally: job_id and user_id present, a job
// type this API runs, no empty or reserved extra keys. A violation is a *ValidationError.
func (u *Utilities) ValidatePartnerParams(pp PartnerParams) error { return validatePartnerParams(pp) }

// ValidateIDParams checks id_info for the partner params' job type: always against the
// local rules (required fields per job type, country format), and, when useValidationAPI
// is true, against the services document too (country and ID type known, required fields
// present), as the other SDKs' validate_id_params(use_validation_api=True) does. A
// violation is a *ValidationError; failing to fetch the services document is an error of
// its own.
func (u *Utilities) ValidateIDParams(ctx context.Context, info IDInfo, pp PartnerParams, useValidationAPI bool) error {
	if err := validatePartnerParams(pp); err != nil {
		return err
	}
	if err := validateIDInfo(pp.JobType, info); err != nil {
		return err
	}
	if !useValidationAPI {
		return nil
	}
	return u.c.checkServices(ctx, info, pp)
}

// checkServices checks id_info against the services document, fetching it (cached) only
// when the job has something the document can check.
func (c *Client) checkServices(ctx context.Context, info IDInfo, pp PartnerParams) error {
	if !needsServices(pp.JobType, info) {
		return nil
	}
	doc, err := c.cachedServices(ctx)
	if err != nil {
		return fmt.Errorf("smileid: checking the job against the services document (see WithValidationAPI): %w", err)
	}
	return checkAgainstServices(doc, pp.JobType, info, pp)
}

// cachedServices returns the services document, fetching it when the cache is empty or
// older than an hour.
func (c *Client) cachedServices(ctx context.Context) (*Services, error) {
	cached := func() *Services {
		c.services.mu.Lock()
		defer c.services.mu.Unlock()
		if c.services.doc != nil && c.cfg.now().Sub(c.services.fetched) < c.cfg.servicesTTL {
			return c.services.doc
		}
		return nil
	}
	if doc := cached(); doc != nil {
		return doc, nil
	}
	c.services.fetching.Lock()
	defer c.services.fetching.Unlock()
	if doc := cached(); doc != nil {
		return doc, nil // fetched while this call waited
	}
	return c.Utilities.GetServices(ctx)
}
