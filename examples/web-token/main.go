// Command web-token gets a token for Smile ID's hosted web integration with
// WebAPI.GetWebToken (POST /token): a browser can then run one product for this user and
// job without the API key. The token is a credential: the example shows only its length
// and first characters unless -show-token.
//
// A callback URL is required: SMILEID_CALLBACK_URL against a real server (or -callback-url);
// offline a placeholder the fake never calls.
//
//	go run ./examples/web-token
//	go run ./examples/web-token -product smartselfie -show-token
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/smileidentity/smile-identity-core-go/examples/internal/exampleutil"
	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// placeholderCallback is the callback URL offline runs send: the fake never calls it.
const placeholderCallback = "https://callback.example/smileid"

func main() { exampleutil.Main("web-token", run) }

func run(ctx context.Context, out io.Writer, getenv func(string) string, args []string, opts ...exampleutil.Option) error {
	fs := flag.NewFlagSet("web-token", flag.ContinueOnError)
	req := smileid.WebTokenRequest{Product: smileid.ProductBiometricKYC}
	fs.StringVar(&req.UserID, "user-id", "", "the `user_id` the token is for (default: a new one)")
	fs.StringVar(&req.JobID, "job-id", "", "the `job_id` the token is for (default: a new one)")
	fs.StringVar((*string)(&req.Product), "product", string(req.Product), "the hosted product: authentication, basic_kyc, smartselfie, biometric_kyc, enhanced_kyc, doc_verification, ekyc_smartselfie, identity_verification or enhanced_document_verification")
	fs.StringVar(&req.CallbackURL, "callback-url", "", "the https `URL` the result is POSTed to (default: "+exampleutil.EnvCallbackURL+")")
	show := fs.Bool("show-token", false, "print the whole token (it is a credential)")
	if err := exampleutil.ParseFlags(fs, args, out); err != nil {
		return err
	}
	if !req.Product.Valid() {
		return fmt.Errorf("unknown -product %q (run with -h for the list)", req.Product)
	}

	sess, err := exampleutil.Connect(out, getenv, "web token for the hosted web integration", opts...)
	if err != nil {
		return err
	}
	defer sess.Close()
	if req.UserID == "" {
		req.UserID = exampleutil.NewID("user")
	}
	if req.JobID == "" {
		req.JobID = exampleutil.NewID("job")
	}
	callback := "" // when it comes from SMILEID_CALLBACK_URL, Connect printed it
	switch {
	case req.CallbackURL != "":
		callback = exampleutil.RedactURL(req.CallbackURL)
	case sess.Offline():
		req.CallbackURL, callback = placeholderCallback, placeholderCallback+" (placeholder: the fake never calls it)"
	case sess.CallbackURL == "":
		return errors.New("a web token needs a callback URL: set " + exampleutil.EnvCallbackURL + " or -callback-url")
	}
	sess.Field("User ID", req.UserID)
	sess.Field("Job ID", req.JobID)
	sess.Field("Product", req.Product)
	if callback != "" {
		sess.Field("Callback URL", callback)
	}

	sess.Step("WebAPI.GetWebToken (POST /token)...")
	token, err := sess.Client.WebAPI.GetWebToken(ctx, req)
	if err != nil {
		return err
	}
	if *show {
		sess.Field("Token", token)
	} else {
		sess.Field("Token", fmt.Sprintf("%s... (%d characters; -show-token prints it all)", token[:min(6, len(token))], len(token)))
	}
	sess.More("hand it to Smile ID's web integration in the browser, with the partner ID,")
	sess.More("user_id, job_id and product above; it expires, so get a new one per session")
	fmt.Fprintln(out)
	sess.PrintElapsed()
	return nil
}
