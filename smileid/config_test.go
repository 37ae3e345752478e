package smileid_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// Every NewClient refusal is a *ConfigError naming the argument or option, matched by
// ErrInvalidConfig, without the API key in its text.
func TestNewClientErrorsAreTyped(t *testing.T) {
	const key = "config-test-api-key-4242"
	for _, tc := range []struct {
		partner, key string
		opts         []smileid.Option
		field        string
	}{
		{"", key, nil, "partner_id"},
		{"21 2", key, nil, "partner_id"},
		{"212", "", nil, "api_key"},
		{"212", key, []smileid.Option{smileid.WithEnvironment("staging")}, "WithEnvironment"},
		{"212", key, []smileid.Option{smileid.WithBaseURL("https://api.example.com/v2")}, "WithBaseURL"},
		{"212", key, []smileid.Option{smileid.WithBaseURL("http://api.example.com/v1")}, "WithBaseURL"},
		{"212", key, []smileid.Option{smileid.WithCallbackURL("ftp://x/cb")}, "WithCallbackURL"},
		{"212", key, []smileid.Option{smileid.WithHTTPClient(nil)}, "WithHTTPClient"},
		{"212", key, []smileid.Option{smileid.WithTimeout(0)}, "WithTimeout"},
		{"212", key, []smileid.Option{smileid.WithRetryPolicy(smileid.RetryPolicy{MaxRetries: 99})}, "WithRetryPolicy"},
		{"212", key, []smileid.Option{smileid.WithPollPolicy(smileid.PollPolicy{})}, "WithPollPolicy"},
		{"212", key, []smileid.Option{smileid.WithAppInfo("app\x1b[2J", "1", "")}, "WithAppInfo"},
		{"212", key, []smileid.Option{smileid.WithServicesTTL(-time.Second)}, "WithServicesTTL"},
		{"212", key, []smileid.Option{smileid.WithHTTPClient(&http.Client{}), smileid.WithConnectTimeout(time.Second)}, "WithHTTPClient"},
	} {
		c, err := smileid.NewClient(tc.partner, tc.key, tc.opts...)
		var ce *smileid.ConfigError
		if c != nil || !errors.As(err, &ce) || !errors.Is(err, smileid.ErrInvalidConfig) {
			t.Fatalf("NewClient(%q, ..., %d opts) = %v, %v; want a *ConfigError", tc.partner, len(tc.opts), c, err)
		}
		if ce.Field != tc.field || ce.Reason == "" {
			t.Errorf("%v: Field %q, want %q", err, ce.Field, tc.field)
		}
		if strings.Contains(err.Error(), key) {
			t.Errorf("the API key is in %q", err)
		}
	}
	if _, err := smileid.NewClient("212", key, smileid.WithEnvironment(smileid.Production)); err != nil {
		t.Fatalf("a valid configuration: %v", err)
	}
}
