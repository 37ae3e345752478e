package smileid

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// GetServices returns the services document (GET /services): the supported countries and
// ID types with their required fields, per product, and the bank codes. It needs no
// signature and always fetches it (the checks of WithValidationAPI use a cached copy; this
// call refreshes it). Safe to repeat; retried per the RetryPolicy.
func (u *Utilities) GetServices(ctx context.Context) (*Services, error) {
	v, err := u.c.fetchServices(ctx, nil)
	if err != nil {
		return nil, err
	}
	u.c.services.mu.Lock()
	u.c.services.doc, u.c.services.fetched, u.c.services.failed = v, u.c.cfg.now(), nil
	u.c.services.mu.Unlock()
	return v, nil
}

// fetchServices gets the services document, retried per cc (nil: the client's settings).
func (c *Client) fetchServices(ctx context.Context, cc *callConfig) (*Services, error) {
	v, _, err := do(ctx, c, call[generated.ServicesResponse]{
		op: OpServices, retryable: true, cfg: cc,
		send: func(ctx context.Context) (*http.Response, error) { return c.gen.GetServices(ctx) },
	})
	return v, err
}

// PrefetchServices fetches the services document into the client's cache, so that the
// first submissions checked against it (WithValidationAPI) do not wait for it: call it at
// start-up. It returns the fetch's error, if any; submissions then fetch it again.
func (u *Utilities) PrefetchServices(ctx context.Context) error {
	_, err := u.c.cachedServices(ctx, nil)
	return err
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
	return u.c.checkServices(ctx, info, pp, nil)
}

// checkServices checks id_info against the services document, fetching it (cached) only
// when the job has something the document can check. cc is the settings of the call that
// checks (nil: the client's), which a fetch it starts follows.
func (c *Client) checkServices(ctx context.Context, info IDInfo, pp PartnerParams, cc *callConfig) error {
	if !needsServices(pp.JobType, info) {
		return nil
	}
	doc, err := c.cachedServices(ctx, cc)
	if err != nil {
		return fmt.Errorf("smileid: checking the job against the services document (see WithValidationAPI): %w", err)
	}
	return checkAgainstServices(doc, pp.JobType, info, pp)
}

// servicesFailureTTL is how long a failed fetch of the services document is remembered:
// callers in that time get its error (or the stale document) without fetching again.
const servicesFailureTTL = 15 * time.Second

// cachedServices returns the services document: the cached one while it is younger than
// the TTL (WithServicesTTL), else from one fetch shared by every caller, each waiting for it
// only as long as its own context allows. When the fetch fails, a stale document is used
// (with a warning log); without one the error is returned, and remembered for
// servicesFailureTTL so that a burst of callers does not refetch it one after another. A
// fetch follows the retry policy and attempt timeout of cc (nil: the client's), the
// settings of the call that starts it; a caller that joins a fetch in flight waits for it
// within its own context.
func (c *Client) cachedServices(ctx context.Context, cc *callConfig) (*Services, error) {
	sc := &c.services
	sc.mu.Lock()
	now := c.cfg.now()
	if sc.doc != nil && now.Sub(sc.fetched) < c.cfg.servicesTTL {
		doc := sc.doc
		sc.mu.Unlock()
		return doc, nil
	}
	if ctx.Err() != nil {
		// Nothing to wait for: report it as every request the context stopped is reported.
		sc.mu.Unlock()
		_, err := c.fetchServices(ctx, cc)
		return nil, err
	}
	if sc.failed != nil && now.Sub(sc.failedAt) < servicesFailureTTL {
		doc, err, at := sc.doc, sc.failed, sc.failedAt
		sc.mu.Unlock()
		if doc != nil {
			return doc, nil // stale, the failure was logged when it happened
		}
		return nil, fmt.Errorf("smileid: %s: the last fetch failed %s ago: %w", OpServices, now.Sub(at).Round(time.Millisecond), err)
	}
	f := sc.inflight
	if f == nil {
		f = &servicesFetch{done: make(chan struct{})}
		sc.inflight = f
		// The fetch belongs to no caller: it outlives the one that started it (bounded by
		// the retry policy and the per-attempt timeout), so that the others still get it.
		var fcc *callConfig
		if cc != nil {
			fcc = ptr(*cc) // the fetch's own copy: it may outlive the call
		}
		go c.runServicesFetch(context.WithoutCancel(ctx), f, fcc)
	}
	sc.mu.Unlock()

	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("smileid: %s: waiting for the services document: %w", OpServices, ctx.Err())
	}
	if f.err == nil {
		return f.doc, nil
	}
	sc.mu.Lock()
	doc := sc.doc
	sc.mu.Unlock()
	if doc != nil {
		return doc, nil
	}
	return nil, f.err
}

// runServicesFetch fetches the document for f and stores the outcome.
func (c *Client) runServicesFetch(ctx context.Context, f *servicesFetch, cc *callConfig) {
	doc, err := c.fetchServices(ctx, cc)
	sc := &c.services
	sc.mu.Lock()
	now := c.cfg.now()
	if err == nil {
		sc.doc, sc.fetched, sc.failed = doc, now, nil
	} else {
		sc.failed, sc.failedAt = err, now
		if sc.doc != nil {
			c.log.LogAttrs(ctx, slog.LevelWarn, "smileid services document refresh failed; using the cached copy",
				slog.Duration("age", now.Sub(sc.fetched).Round(time.Second)), slog.String("error", safeErrorText(err)))
		}
	}
	sc.inflight = nil
	f.doc, f.err = doc, err
	sc.mu.Unlock()
	close(f.done)
}
