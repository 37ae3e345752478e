package smileid

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// ErrResponseNotBound is returned (wrapped in a *ResponseBindingError) when a signed
// response is not an answer to the request it came back for: it carries the request's own
// timestamp and signature (anyone who saw the request can copy them: the signature does
// not cover the body), or its result names another job (job_id or user_id).
var ErrResponseNotBound = errors.New("smileid: " + notBound)

const notBound = "the response is not bound to its request"

// ResponseBindingError is a response the SDK refused because it is not bound to its
// request. It matches ErrResponseNotBound with errors.Is, and, when Echoed, also
// ErrSignatureMismatch. The result it carried is not returned: it cannot be trusted. For a
// job-creating call (the ID API) the job may nevertheless exist: read its status with the
// same job_id.
//
// Its text names the job_ids, never the user_ids (they may be personal data, such as an
// e-mail address): read them from the fields.
type ResponseBindingError struct {
	Operation Operation
	// Echoed: the response carries the signature of a request this client sent, this
	// call's or one sent before the call (the client remembers up to an hour of them): a
	// copy, not Smile ID's signature.
	Echoed bool
	// Stale: the response was signed too long before this call's first request (more than
	// MaxResponseSkew before it, or before a pair the client no longer remembers): a pair
	// seen earlier and replayed, or a server whose clock is far behind the client's.
	Stale bool
	// JobID and UserID name the job asked for; GotJobID and GotUserID what the response
	// named instead (clipped, control characters removed).
	JobID, UserID       string
	GotJobID, GotUserID string
}

func (e *ResponseBindingError) Error() string {
	switch {
	case e.Echoed:
		return fmt.Sprintf("smileid: %s: %s: it carries the signature of a request this client sent (echoed, not signed by Smile ID)", e.Operation, notBound)
	case e.Stale:
		return fmt.Sprintf("smileid: %s: %s: it was signed too long before the request (more than %s, or before the signatures this client still remembers): a replayed signature, or the server's clock is far behind this one's", e.Operation, notBound, MaxResponseSkew)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "smileid: %s: %s: the result is for another job:", e.Operation, notBound)
	if e.GotJobID != e.JobID {
		fmt.Fprintf(&b, " job_id %q, not %q", e.GotJobID, e.JobID)
	}
	if e.GotUserID != e.UserID {
		b.WriteString(" another user_id") // the values stay in the fields: personal data
	}
	return b.String()
}

// Is makes errors.Is match ErrResponseNotBound, and ErrSignatureMismatch for an echoed
// signature.
func (e *ResponseBindingError) Is(target error) bool {
	return target == ErrResponseNotBound || e.Echoed && target == ErrSignatureMismatch
}

// MaxResponseSkew is how long before a call's first request a signed answer may have been
// signed. Smile ID signs each answer over its own clock's "now", so a genuine answer is
// never older than its request unless the clocks differ; an older one (or one signed over
// a pair this client sent) is a *ResponseBindingError. A client whose clock runs more
// than this ahead of Smile ID's sees every signed answer refused as Stale.
const MaxResponseSkew = 15 * time.Minute

// The client's memory of the pairs it sent: for recentPairsWindow, at most
// maxRecentPairs of them. Replaying a pair older than the newest one forgotten is
// refused by the age check (see recentPairs.floor).
const (
	recentPairsWindow = time.Hour
	maxRecentPairs    = 1 << 16
)

// pairKey is the first half of a signature's HMAC: enough to recognise it (a collision
// needs a 128-bit HMAC match), half the memory.
type pairKey [16]byte

func keyOf(mac []byte) (k pairKey) { copy(k[:], mac); return k }

// recentPairs remembers the signatures a client sent recently, across calls, so that an
// answer copying any of them is refused: a hostile server (a mistyped base URL, an
// intercepting proxy) that answers each request with the pair of an earlier one knows no
// key, and the per-call check alone would let it through. It is bounded: pairs older than
// recentPairsWindow, and the oldest beyond maxRecentPairs, are forgotten, and floor keeps
// the send time of the newest pair forgotten: an answer signed at or before it could copy
// one, and is refused. Times are Unix milliseconds, as the pairs' timestamps are (at most
// about 5 MB for a client sending thousands of requests a minute). Its zero value is
// ready to use.
type recentPairs struct {
	mu    sync.Mutex
	keys  map[pairKey]int64 // when each was sent (the latest, if signed twice)
	ring  []sentPair        // circular, oldest first from head; grows up to maxRecentPairs
	head  int
	n     int
	floor int64 // 0: nothing forgotten yet
}

type sentPair struct {
	key pairKey
	at  int64
}

// add records the HMAC of a pair sent at t.
func (r *recentPairs) add(mac []byte, t time.Time) {
	now := t.UnixMilli()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.keys == nil {
		r.keys = map[pairKey]int64{}
	}
	for r.n > 0 && (r.n >= maxRecentPairs || now-r.ring[r.head].at > recentPairsWindow.Milliseconds()) {
		old := r.ring[r.head]
		if at, ok := r.keys[old.key]; ok && at <= old.at {
			delete(r.keys, old.key) // (a pair signed twice in one millisecond stays until its second goes)
		}
		r.floor = max(r.floor, old.at)
		r.head = (r.head + 1) % len(r.ring)
		r.n--
	}
	if r.n == len(r.ring) { // full, and smaller than maxRecentPairs: grow
		grown := make([]sentPair, min(max(2*len(r.ring), 64), maxRecentPairs))
		for i := range r.n {
			grown[i] = r.ring[(r.head+i)%len(r.ring)]
		}
		r.ring, r.head = grown, 0
	}
	k := keyOf(mac)
	r.keys[k] = now
	r.ring[(r.head+r.n)%len(r.ring)] = sentPair{k, now}
	r.n++
}

// seen reports whether mac is the HMAC of a pair the client still remembers, sent before
// the millisecond of before, and returns the send time of the newest pair forgotten (the
// zero time when none was).
func (r *recentPairs) seen(mac []byte, before time.Time) (bool, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.keys[keyOf(mac)]
	var floor time.Time
	if r.floor != 0 {
		floor = time.UnixMilli(r.floor)
	}
	return ok && at < before.UnixMilli(), floor
}

// sentSignatures are the timestamps and signatures a call's requests carried (one per
// attempt: each retry is signed afresh), to refuse an answer that merely copies one.
type sentSignatures []struct{ timestamp, signature string }

// add records one attempt's pair.
func (s *sentSignatures) add(timestamp, signature string) {
	*s = append(*s, struct{ timestamp, signature string }{timestamp, signature})
}

// echoes reports whether a response signed over respTS with respSig is one of the
// requests' own pairs: the same timestamp (then a valid signature is the request's), or
// the same signature bytes in any encoding. Checks of answers call checkReplay, which
// calls this.
func (s sentSignatures) echoes(respTS, respSig string) bool {
	got, gotOK := decodeSignature(respSig)
	for _, p := range s {
		if respTS == p.timestamp {
			return true
		}
		if sent, ok := decodeSignature(p.signature); ok && gotOK && subtle.ConstantTimeCompare(got, sent) == 1 {
			return true
		}
	}
	return false
}

// firstSent returns the time of the call's first request, from its timestamp.
func (s sentSignatures) firstSent() (time.Time, bool) {
	if len(s) == 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(TimestampLayout, s[0].timestamp)
	return t, err == nil
}

// checkReplay refuses an answer, already confirmed as signed with this partner's key
// over respTS, that does not come from Smile ID for this call: it copies the pair of one
// of the call's requests or of any request the client sent before the call (Echoed), or
// it was signed more than MaxResponseSkew before the call's first request, or at or
// before a pair the client no longer remembers (Stale). A timestamp that is neither ISO
// 8601 nor epoch milliseconds cannot be one the SDK sent, and is not held against the
// answer.
//
// The protocol's signature covers the timestamp only, to the millisecond: Smile ID's
// answer signed in the millisecond another request of this client was signed carries
// that request's very pair. So the pairs of requests sent while the call is in flight
// (other goroutines' calls) are not held against it: at ten requests a second, about one
// genuine answer in a hundred would be refused. A hostile server that copies the
// pair of such a concurrent request is not caught by this check; the answer must still
// name the job asked for (checkResultBinding).
func (c *Client) checkReplay(op Operation, respTS, respSig string, sent sentSignatures, jobID, userID string) error {
	refuse := func(echoed bool) error {
		return &ResponseBindingError{Operation: op, Echoed: echoed, Stale: !echoed, JobID: jobID, UserID: userID}
	}
	if sent.echoes(respTS, respSig) {
		return refuse(true)
	}
	mac, ok := decodeSignature(respSig)
	if !ok {
		return nil // confirmResponse already refused it
	}
	first, hasFirst := sent.firstSent()
	if !hasFirst {
		first = c.cfg.now()
	}
	known, floor := c.sent.seen(mac, first)
	if known {
		return refuse(true)
	}
	signed, ok := callbackTime(respTS)
	if !ok {
		return nil
	}
	if !floor.IsZero() && !signed.After(floor) {
		return refuse(false)
	}
	if hasFirst && signed.Before(first.Add(-MaxResponseSkew)) {
		return refuse(false)
	}
	return nil
}

// checkResultBinding refuses a result whose PartnerParams name another job than
// (jobID, userID). A result without PartnerParams, or without one of the two, is not
// refused: there is nothing to compare.
func checkResultBinding(op Operation, r *JobResult, jobID, userID string) error {
	if r == nil || r.PartnerParams == nil {
		return nil
	}
	got := r.PartnerParams
	if (got.JobID != "" && got.JobID != jobID) || (got.UserID != "" && got.UserID != userID) {
		e := &ResponseBindingError{Operation: op, JobID: jobID, UserID: userID, GotJobID: jobID, GotUserID: userID}
		if got.JobID != "" {
			e.GotJobID = clip(oneLineText(got.JobID), 80)
		}
		if got.UserID != "" {
			e.GotUserID = clip(oneLineText(got.UserID), 80)
		}
		return e
	}
	return nil
}

// checkJobStatus checks that a job status answers this request: signed with this
// partner's key, over a timestamp of the server's own (not the request's signature
// echoed, nor any the client sent before, nor one signed long before the request), and
// about the job asked for (every result's PartnerParams).
func (c *Client) checkJobStatus(st *JobStatus, q JobStatusQuery, sent sentSignatures) error {
	if !c.sig.confirmResponse(st.SignedTimestamp(), st.Signature) {
		return fmt.Errorf("smileid: %s: %w: the response was not signed with this partner's API key", OpJobStatus, ErrSignatureMismatch)
	}
	if err := c.checkReplay(OpJobStatus, st.SignedTimestamp(), st.Signature, sent, q.JobID, q.UserID); err != nil {
		return err
	}
	if err := checkResultBinding(OpJobStatus, st.LatestResult(), q.JobID, q.UserID); err != nil {
		return err
	}
	for i := range st.History {
		if err := checkResultBinding(OpJobStatus, &st.History[i], q.JobID, q.UserID); err != nil {
			return err
		}
	}
	return nil
}
