package smileid_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/smileidentity/smile-identity-core-go/smileid"
	"github.com/smileidentity/smile-identity-core-go/smileid/smileidtest"
)

// AML screening against the fake server of package smileidtest, whose sandbox finds the
// person on a list when partner_params.sandbox_result is "1". The result is signed and
// bound to the request; a match needs a person's review, never an automatic approval.
func ExampleAMLCheck_SubmitJob() {
	srv, err := smileidtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := smileid.NewClient(srv.PartnerID, srv.APIKey, srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	res, err := client.AML.SubmitJob(context.Background(), smileid.AMLRequest{
		UserID: "user-0001", JobID: "aml-0001",
		FullName: "Joe Leo Bloggs", Countries: []string{"NG"}, BirthYear: "1960",
		PartnerParams: map[string]string{"sandbox_result": "1"},
	})
	var je *smileid.JobError
	switch {
	case errors.As(err, &je):
		log.Fatalf("screening %s may have run: %v", je.JobID, err) // reconcile with job status
	case err != nil:
		log.Fatal(err) // nothing was created
	}
	fmt.Println(res.ResultCode, res.ResultText, *res.Actions.Listed)
	for _, p := range res.People {
		fmt.Println(p.Name, p.Nationalities, "PEP:", p.Pep != nil, "sanctions:", len(p.Sanctions))
	}
	fmt.Println(res.Decision().Outcome)
	// Output:
	// 1030 Found on list Listed
	// JOE LEO BLOGGS [Nigerian] PEP: true sanctions: 1
	// provisional
}

// Address verification is asynchronous: SubmitJob returns once Smile ID accepted the job,
// and the result arrives at the callback URL (here a loopback receiver; in the sandbox the
// last digit of the utility or ID number picks the outcome: 1 is "not found").
func ExampleAddressVerificationAPI_SubmitJob() {
	srv, err := smileidtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	sig := smileid.NewSignature(srv.PartnerID, srv.APIKey)
	results := make(chan *smileid.SignedCallback, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, smileid.MaxCallbackSize))
		cb, err := sig.CheckCallbackSignature(body)
		if err != nil {
			http.Error(w, "not signed by Smile ID", http.StatusUnauthorized)
			return
		}
		results <- cb
	}))
	defer receiver.Close()

	client, err := smileid.NewClient(srv.PartnerID, srv.APIKey,
		append(srv.ClientOptions(), smileid.WithCallbackURL(receiver.URL+"/smile-callback"))...)
	if err != nil {
		log.Fatal(err)
	}
	err = client.AddressVerification.SubmitJob(context.Background(), smileid.AddressRequest{
		UserID: "user-0001", JobID: "address-0001", Country: smileid.AddressCountryNigeria,
		Address: "1 Example Street, Ikeja, Lagos", FullName: "Joe Leo Bloggs",
		UtilityNumber: "0000000001", UtilityProvider: "IkejaElectric", UtilityType: "PrePaid",
	})
	if err != nil {
		log.Fatal(err)
	}
	cb := <-results
	fmt.Println(cb.JobID(), cb.Result.ResultCode, cb.Result.ResultText)
	fmt.Println(smileid.Decide(smileid.AddressVerification, cb.Result).Outcome)
	// Output:
	// address-0001 1013 Identifier not found
	// rejected
}
