package smileidtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/smileidentity/smile-identity-core-go/generated"
)

// Job types the fake serves outside the upload flow.
const (
	jobTypeAML                 generated.JobType = 10
	jobTypeAddressVerification generated.JobType = 12
)

// stringParams keeps the string values of a free-form partner_params object (AML and
// address verification echo them back), under user_id and job_id.
func stringParams(userID, jobID string, jt generated.JobType, raw map[string]any) generated.PartnerParams {
	pp := generated.PartnerParams{UserID: userID, JobID: jobID, JobType: jt}
	for k, v := range raw {
		if sv, ok := v.(string); ok && k != "user_id" && k != "job_id" && k != "job_type" {
			pp.Set(k, sv)
		}
	}
	return pp
}

// newJobLocked records a job that completes on submission (ID API, AML, address
// verification); false when its job_id exists already. s.mu is held.
func (s *Server) newJobLocked(pp generated.PartnerParams) (*job, bool) {
	if _, exists := s.jobs[pp.JobID]; exists {
		return nil, false
	}
	s.nextJob++
	j := &job{Job: Job{SmileJobID: fmt.Sprintf("%010d", s.nextJob), PartnerParams: pp, Complete: true}}
	s.jobs[pp.JobID] = j
	s.order = append(s.order, pp.JobID)
	return j, true
}

// aml serves POST /aml (job type 10), synchronously. partner_params.sandbox_result picks the
// outcome: "0" or unset no match (1031), "1" found on a list (1030, one person), "2" only
// adverse media (1017).
func (s *Server) aml(w http.ResponseWriter, body []byte) {
	var req struct {
		UserID        string         `json:"user_id"`
		JobID         string         `json:"job_id"`
		FullName      string         `json:"full_name"`
		Countries     []string       `json:"countries"`
		BirthYear     string         `json:"birth_year"`
		StrictMatch   *bool          `json:"strict_match"`
		PartnerParams map[string]any `json:"partner_params"`
	}
	_ = json.Unmarshal(body, &req)
	pp := stringParams(req.UserID, req.JobID, jobTypeAML, req.PartnerParams)
	s.mu.Lock()
	j, ok := s.newJobLocked(pp)
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusBadRequest, errorBody("2215", "Job already exists. Did you mean to set the retry flag to true?"))
		return
	}
	code, text, listed := "1031", "No matches found", "Not Listed"
	people := []map[string]any{}
	switch outcomeOf(pp) {
	case reject:
		code, text, listed = "1030", "Found on list", "Listed"
		people = append(people, amlPerson(req.FullName, req.BirthYear, true))
	case provisional:
		code, text, listed = "1017", "Only adverse media found", "Listed"
		people = append(people, amlPerson(req.FullName, req.BirthYear, false))
	}
	result := generated.JobResult{
		SmileJobID: j.SmileJobID, PartnerParams: resultParams(pp), ResultCode: code, ResultText: text,
		ResultType: "AML", IsFinalResult: "true", Source: "smileidtest",
	}
	s.mu.Lock()
	j.Result, j.Success = &result, true
	s.mu.Unlock()

	ts := s.stamp()
	out := map[string]any{
		"SmileJobID": j.SmileJobID, "PartnerParams": resultParams(pp), "ResultCode": code, "ResultText": text,
		"Actions": map[string]any{"Listed": listed}, "no_of_persons_found": len(people), "people": people,
		"timestamp": ts, "signature": s.sig.Generate(ts),
	}
	if req.StrictMatch != nil {
		out["StrictMatch"] = *req.StrictMatch
	} else {
		out["StrictMatch"] = true
	}
	writeJSON(w, http.StatusOK, out)
}

// amlPerson is a sandbox match for name: a politically exposed person on a sanctions
// list, or only in adverse media.
func amlPerson(name, birthYear string, listed bool) map[string]any {
	if name == "" {
		name = "Test Person"
	}
	dob := []string{}
	if birthYear != "" {
		dob = append(dob, birthYear+"-01-01")
	}
	p := map[string]any{
		"name": strings.ToUpper(name), "aliases": []string{}, "addresses": []string{"Lagos"}, "dates_of_birth": dob,
		"nationalities": []string{"Nigerian"}, "associations": []map[string]any{},
		"adverse_media": []map[string]any{{"date_published": "2020-01-01", "publisher": "Example News",
			"source_link": "https://news.example.invalid/story", "title": "A story naming " + name}},
	}
	if listed {
		p["pep"] = map[string]any{"pep_level": 1,
			"political_positions": []map[string]any{{"country": "Nigeria", "from": "2015", "position": "Minister", "to": nil}},
			"sources":             []map[string]any{{"source_link": "https://source.example.invalid/pep", "source_name": "Example PEP list"}}}
		p["sanctions"] = []map[string]any{{"date_of_birth": "", "nationality": "Nigerian", "source_details": map[string]any{
			"listed_date": "2019-05-01", "source_link": []string{"https://source.example.invalid/sanctions"},
			"source_name": "Example sanctions list", "source_type": "sanction"}}}
	}
	return p
}

// addressVerification serves POST /async-verify-address (job type 12): it answers
// {"success": true} and POSTs the result to callback_url. As in Smile ID's sandbox, the
// last digit of id_number (ZA) or utility_number (NG) picks the outcome: 0 (or anything
// else) the address matches, 1 not found (1013), 2 invalid number format (2413), 3 the
// database is unavailable (1015), 4 the addresses are too far apart (1022). The codes of
// a match are not documented: the fake's are marked Source "smileidtest".
func (s *Server) addressVerification(w http.ResponseWriter, body []byte) {
	var req struct {
		Country       string         `json:"country"`
		Address       string         `json:"address"`
		CallbackURL   string         `json:"callback_url"`
		FullName      string         `json:"full_name"`
		UtilityNumber string         `json:"utility_number"`
		IDNumber      string         `json:"id_number"`
		PartnerParams map[string]any `json:"partner_params"`
	}
	_ = json.Unmarshal(body, &req)
	userID, _ := req.PartnerParams["user_id"].(string)
	jobID, _ := req.PartnerParams["job_id"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	if jobID == "" {
		jobID = fmt.Sprintf("smileidtest-address-%d", s.nextJob+1)
	}
	pp := stringParams(userID, jobID, jobTypeAddressVerification, req.PartnerParams)
	j, ok := s.newJobLocked(pp)
	if !ok {
		writeJSON(w, http.StatusBadRequest, errorBody("2215", "Job already exists. Did you mean to set the retry flag to true?"))
		return
	}
	number := req.IDNumber
	if req.Country == "NG" {
		number = req.UtilityNumber
	}
	last := byte('0')
	if number != "" {
		last = number[len(number)-1]
	}
	code, text, success := "1012", "Address Verified", true
	matched, nameMatch := req.Address, "true"
	switch last {
	case '1':
		code, text, success, matched, nameMatch = "1013", "Identifier not found", false, "", "false"
	case '2':
		code, text, success, matched, nameMatch = "2413", "Invalid identifier format", false, "", "false"
	case '3':
		code, text, success, matched, nameMatch = "1015", "Database unavailable", false, "", "false"
	case '4':
		code, text, success, matched = "1022", "Addresses too far apart", false, "9 Other Road, Pretoria"
	}
	result := generated.JobResult{
		SmileJobID: j.SmileJobID, PartnerParams: resultParams(pp), ResultCode: code, ResultText: text,
		ResultType: "Address Verification", IsFinalResult: "true", Source: "smileidtest", Country: req.Country,
	}
	j.Result, j.Success, j.CallbackURL = &result, success, req.CallbackURL
	cb := map[string]any{}
	b, _ := json.Marshal(result)
	_ = json.Unmarshal(b, &cb)
	cb["submitted_address"], cb["matched_address"], cb["other_addresses"], cb["full_name_match"] = req.Address, matched, []string{}, nameMatch
	s.sendJSONCallbackLocked(req.CallbackURL, jobID, cb)
	writeJSON(w, http.StatusOK, generated.AsyncSubmitResponse{Success: true})
}
