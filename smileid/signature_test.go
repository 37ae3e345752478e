package smileid_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

type signatureVectors struct {
	Generate []struct {
		KeyLabel       string          `json:"key_label"`
		PartnerID      string          `json:"partner_id"`
		APIKey         string          `json:"api_key"`
		InputTimestamp json.RawMessage `json:"input_timestamp"`
		HMACMessage    string          `json:"hmac_message"`
		Output         struct {
			Signature string `json:"signature"`
		} `json:"output"`
	} `json:"generate_vectors"`
	Confirm []struct {
		PartnerID string          `json:"partner_id"`
		APIKey    string          `json:"api_key"`
		Timestamp json.RawMessage `json:"timestamp"`
		Signature string          `json:"signature"`
		Note      string          `json:"note"`
		Result    bool            `json:"result"`
	} `json:"confirm_vectors"`
}

func loadVectors(t *testing.T) signatureVectors {
	t.Helper()
	b, err := os.ReadFile("../testdata/conformance/signatures.json")
	require.NoError(t, err)
	var v signatureVectors
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

// vectorTimestamp returns the timestamp string a vector signs: strings verbatim; numbers
// are Unix milliseconds, which the Node SDK signs in their ISO form (what
// smileid.Timestamp produces).
func vectorTimestamp(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var ms int64
	require.NoError(t, json.Unmarshal(raw, &ms))
	return smileid.Timestamp(time.UnixMilli(ms))
}

func TestSignatureGenerateMatchesEveryVector(t *testing.T) {
	v := loadVectors(t)
	require.Len(t, v.Generate, 36)
	for _, vec := range v.Generate {
		ts := vectorTimestamp(t, vec.InputTimestamp)
		require.Equal(t, vec.HMACMessage, ts+vec.PartnerID+"sid_request", "%s %s", vec.KeyLabel, vec.InputTimestamp)
		sig := smileid.NewSignature(vec.PartnerID, vec.APIKey)
		require.Equal(t, vec.Output.Signature, sig.Generate(ts), "%s %s", vec.KeyLabel, vec.InputTimestamp)
		require.True(t, sig.Confirm(ts, vec.Output.Signature))
	}
}

func TestSignatureConfirmMatchesEveryVector(t *testing.T) {
	v := loadVectors(t)
	require.Len(t, v.Confirm, 10)
	for _, vec := range v.Confirm {
		sig := smileid.NewSignature(vec.PartnerID, vec.APIKey)
		require.Equal(t, vec.Result, sig.Confirm(vectorTimestamp(t, vec.Timestamp), vec.Signature), vec.Note)
	}
}

// The Java SDK's two fixed vectors (official-sdks.md §2.3).
func TestSignatureJavaVectors(t *testing.T) {
	require.Equal(t, "+S/hVtmFwynoroXQQbjOQ3/l+a5zshNldrQh/iBdxRQ=",
		smileid.NewSignature("partner", "apikey").Generate("2023-03-09T21:35:00.279Z"))
	require.Equal(t, "XxThLHZy2ij1WINkqNEPgzVs9RvUDHWlebDYzprqS74=",
		smileid.NewSignature("partner", "apiKey").Generate("2023-02-13T15:07:42.214Z"))
}

func TestSignatureNowIsFreshAndSigned(t *testing.T) {
	s := smileid.NewSignature("212", "key")
	ts, sig := s.Now()
	parsed, err := time.Parse(smileid.TimestampLayout, ts)
	require.NoError(t, err)
	require.Len(t, ts, 24)
	require.True(t, strings.HasSuffix(ts, "Z"))
	require.WithinDuration(t, time.Now(), parsed, 5*time.Second)
	require.Len(t, sig, 44)
	require.True(t, s.Confirm(ts, sig))
	require.False(t, smileid.NewSignature("213", "key").Confirm(ts, sig), "another partner")
	require.False(t, smileid.NewSignature("212", "other").Confirm(ts, sig), "another key")
	require.Equal(t, "2026-11-25T18:33:07.561Z", smileid.Timestamp(time.Date(2026, 11, 25, 19, 33, 7, 561_900_000, time.FixedZone("WAT", 3600))))
}

func TestSignatureStringHidesTheKey(t *testing.T) {
	s := smileid.NewSignature("212", "very-secret-key")
	for _, out := range []string{s.String(), s.GoString()} {
		require.NotContains(t, out, "very-secret-key")
		require.Contains(t, out, "212")
	}
}

// legacyKey returns an RSA key pair and the legacy API key: the base64 of the PEM public key.
func legacyKey(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	require.NoError(t, err)
	pemText := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	return priv, base64.StdEncoding.EncodeToString(pemText)
}

func TestLegacySecKey(t *testing.T) {
	priv, apiKey := legacyKey(t)
	s := smileid.NewSignature("212", apiKey)
	const ts = 1293971640 // the PHP SDK's frozen clock, 2011-01-02 12:34 UTC

	secKey, err := s.GenerateSecKey(ts)
	require.NoError(t, err)
	cipherB64, hash, ok := strings.Cut(secKey, "|")
	require.True(t, ok)
	// sha256_hex("212:1293971640"), derived in official-sdks.md §2.3.
	require.Equal(t, "4b359c1adc9b6ff4167bf4d717c67e9d07c4e93b870788aa4200350d7a7191d2", hash)
	cipher, err := base64.StdEncoding.DecodeString(cipherB64)
	require.NoError(t, err)
	plain, err := rsa.DecryptPKCS1v15(nil, priv, cipher)
	require.NoError(t, err)
	require.Equal(t, hash, string(plain), "the key pair's owner recovers the hash")

	// Leading zeros of the partner ID are dropped, as int(partner_id) in the old SDKs.
	padded, err := smileid.NewSignature("0212", apiKey).GenerateSecKey(ts)
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(padded, "|"+hash))

	// Smile ID's sec_key: the hash signed with the private key (PKCS#1 v1.5 type 1).
	serverSig, err := rsa.SignPKCS1v15(nil, priv, crypto.Hash(0), []byte(hash))
	require.NoError(t, err)
	server := base64.StdEncoding.EncodeToString(serverSig) + "|" + hash
	require.True(t, s.ConfirmSecKey(ts, server))
	require.False(t, s.ConfirmSecKey(ts+1, server), "another timestamp")
	require.False(t, smileid.NewSignature("213", apiKey).ConfirmSecKey(ts, server), "another partner")
	other := sha256.Sum256([]byte("212:1"))
	require.False(t, s.ConfirmSecKey(ts, base64.StdEncoding.EncodeToString(serverSig)+"|"+hex.EncodeToString(other[:])))
	require.False(t, s.ConfirmSecKey(ts, "garbage"))
	require.False(t, s.ConfirmSecKey(ts, secKey), "an encrypted sec_key is not a signature")

	_, err = smileid.NewSignature("abc", apiKey).GenerateSecKey(ts)
	require.Error(t, err, "sec_key needs a numeric partner ID")
	_, err = smileid.NewSignature("212", "not a key").GenerateSecKey(ts)
	require.Error(t, err)
}

// FuzzSignatureConfirm checks that Confirm accepts exactly the spellings of the genuine
// MAC: whatever it accepts decodes to the bytes of Generate's signature.
func FuzzSignatureConfirm(f *testing.F) {
	s := smileid.NewSignature("212", "key")
	good := s.Generate("2024-01-01T00:00:00.000Z")
	f.Add("2024-01-01T00:00:00.000Z", good)
	f.Add("2024-01-01T00:00:00.000Z", strings.TrimRight(good, "="))
	f.Add("", "")
	f.Add("x", "not base64!!")
	f.Fuzz(func(t *testing.T, ts, sig string) {
		if !s.Confirm(ts, sig) {
			return
		}
		want, _ := base64.StdEncoding.DecodeString(s.Generate(ts))
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if got, err := enc.Strict().DecodeString(sig); err == nil {
				require.Equal(t, want, got, "Confirm(%q, %q) accepted another MAC", ts, sig)
				return
			}
		}
		t.Fatalf("Confirm(%q, %q) accepted a signature that does not decode", ts, sig)
	})
}
