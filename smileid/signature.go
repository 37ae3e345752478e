package smileid

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// TimestampLayout is the layout of the timestamps this SDK signs and sends: RFC 3339 in
// UTC with milliseconds, like JavaScript's toISOString ("2026-11-25T18:33:07.561Z").
const TimestampLayout = "2006-01-02T15:04:05.000Z"

// Timestamp formats t in UTC with TimestampLayout.
func Timestamp(t time.Time) string { return t.UTC().Format(TimestampLayout) }

// Signature signs requests and checks Smile ID's signatures with a partner ID and API key.
// It is safe for concurrent use. Its String method never reveals the key.
type Signature struct {
	partnerID string
	apiKey    secretKey
}

// secretKey is an API key that prints as [REDACTED] with every fmt verb.
type secretKey []byte

func (secretKey) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[REDACTED]") }

// NewSignature returns a Signature for the partner ID (as a string: leading zeros count)
// and the API key of the environment in use ("API Key for Signature" in the portal).
func NewSignature(partnerID, apiKey string) *Signature {
	return &Signature{partnerID: partnerID, apiKey: secretKey(apiKey)}
}

// String describes the Signature without its key.
func (s Signature) String() string {
	return "smileid.Signature{partner_id: " + s.partnerID + ", api_key: [REDACTED]}"
}

// GoString is String, so that %#v does not print the key either.
func (s Signature) GoString() string { return s.String() }

// Format prints String with every verb (%v, %d, %c, %x, %q...): no verb reaches the key.
func (s Signature) Format(f fmt.State, verb rune) {
	text := s.String()
	if verb == 'q' {
		text = strconv.Quote(text)
	}
	_, _ = io.WriteString(f, text)
}

// Generate returns base64(HMAC-SHA256(api key, timestamp + partner_id + "sid_request")),
// the signature Smile ID expects next to timestamp. The timestamp is signed exactly as
// given: send the same string.
func (s *Signature) Generate(timestamp string) string {
	return base64.StdEncoding.EncodeToString(s.mac(timestamp))
}

func (s *Signature) mac(timestamp string) []byte {
	m := hmac.New(sha256.New, []byte(s.apiKey))
	m.Write([]byte(timestamp))
	m.Write([]byte(s.partnerID))
	m.Write([]byte("sid_request"))
	return m.Sum(nil)
}

// Now returns a fresh timestamp (TimestampLayout, UTC) and its signature.
func (s *Signature) Now() (timestamp, signature string) {
	timestamp = Timestamp(time.Now())
	return timestamp, s.Generate(timestamp)
}

// Confirm reports whether signature is Smile ID's signature over timestamp, comparing in
// constant time. Like the official Node SDK it accepts the signature with or without
// base64 padding and in the URL-safe alphabet; anything that does not decode to the
// expected 32 bytes is rejected.
func (s *Signature) Confirm(timestamp, signature string) bool {
	got, ok := decodeSignature(signature)
	if !ok {
		return false
	}
	return hmac.Equal(got, s.mac(timestamp))
}

// confirmResponse checks the signature of a response or callback whose timestamp was
// delivered as text. Older responses carry epoch milliseconds; for those the official
// Node SDK signs the ISO form of the instant, so both are accepted.
func (s *Signature) confirmResponse(timestamp, signature string) bool {
	if s.Confirm(timestamp, signature) {
		return true
	}
	if ms, err := strconv.ParseInt(timestamp, 10, 64); err == nil && timestamp != "" && timestamp[0] != '+' && timestamp[0] != '-' {
		return s.Confirm(Timestamp(time.UnixMilli(ms)), signature)
	}
	return false
}

func decodeSignature(sig string) ([]byte, bool) {
	if sig == "" {
		return nil, false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.Strict().DecodeString(sig); err == nil {
			return b, len(b) == sha256.Size
		}
	}
	return nil, false
}

// ---------------------------------------------------------------- legacy sec_key

// GenerateSecKey returns the legacy sec_key for timestamp (an integer Unix time: seconds
// in the Python, Ruby and PHP SDKs, milliseconds in Node and Java):
// base64(RSA-PKCS#1-v1.5-encrypt(public key, hash)) + "|" + hash, where hash is the hex
// SHA-256 of "<partner_id as an integer>:<timestamp>". The API key must be the legacy one:
// a base64-encoded PEM RSA public key.
//
// Deprecated: sec_key was retired by Smile ID and removed from every official SDK in 2022.
// Use Generate.
func (s *Signature) GenerateSecKey(timestamp int64) (string, error) {
	pub, hash, err := s.secKeyParts(timestamp)
	if err != nil {
		return "", err
	}
	cipher, err := rsa.EncryptPKCS1v15(rand.Reader, pub, []byte(hash))
	if err != nil {
		return "", fmt.Errorf("smileid: sec_key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(cipher) + "|" + hash, nil
}

// ConfirmSecKey reports whether secKey is a valid legacy sec_key from Smile ID for
// timestamp: its hash part must be the hash of this partner and timestamp, and its first
// part a PKCS#1 v1.5 signature of that hash by the key pair of the API key.
//
// Deprecated: sec_key was retired by Smile ID. Use Confirm.
func (s *Signature) ConfirmSecKey(timestamp int64, secKey string) bool {
	pub, hash, err := s.secKeyParts(timestamp)
	if err != nil {
		return false
	}
	sigPart, hashPart, ok := strings.Cut(secKey, "|")
	if !ok || subtle.ConstantTimeCompare([]byte(hashPart), []byte(hash)) != 1 {
		return false
	}
	sig, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(sigPart, "\n", ""))
	if err != nil {
		return false
	}
	return rsa.VerifyPKCS1v15(pub, crypto.Hash(0), []byte(hash), sig) == nil
}

var errSecKeyPartnerID = errors.New("smileid: sec_key needs a numeric partner ID")

func (s *Signature) secKeyParts(timestamp int64) (*rsa.PublicKey, string, error) {
	id, err := strconv.ParseUint(s.partnerID, 10, 63)
	if err != nil {
		return nil, "", errSecKeyPartnerID
	}
	pub, err := parseLegacyKey(s.apiKey)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256([]byte(strconv.FormatUint(id, 10) + ":" + strconv.FormatInt(timestamp, 10)))
	return pub, hex.EncodeToString(sum[:]), nil
}

var errLegacyKey = errors.New("smileid: the legacy API key must be a base64-encoded PEM RSA public key")

func parseLegacyKey(apiKey []byte) (*rsa.PublicKey, error) {
	pemText, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(apiKey)))
	if err != nil {
		pemText = apiKey // also accept the decoded PEM text, as the Java SDK does
	}
	block, _ := pem.Decode(pemText)
	if block == nil {
		return nil, errLegacyKey
	}
	var key any
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, errLegacyKey
	}
	pub, ok := key.(*rsa.PublicKey)
	if err != nil || !ok {
		return nil, errLegacyKey
	}
	return pub, nil
}
