package smileid

import (
	"runtime"
	"strings"
)

// Version is the SDK's version. It is sent as source_sdk_version and in the User-Agent.
const Version = "0.1.0"

// SourceSDK is the value of source_sdk in requests and of package_information.language in
// info.json.
const SourceSDK = "go"

// userAgent returns "smileid-go/<Version> (go<ver>; <os>/<arch>)", followed by the
// application's own name/version (url) when WithAppInfo was given.
func userAgent(app *appInfo) string {
	var b strings.Builder
	b.WriteString("smileid-go/")
	b.WriteString(Version)
	b.WriteString(" (")
	b.WriteString(runtime.Version())
	b.WriteString("; ")
	b.WriteString(runtime.GOOS)
	b.WriteString("/")
	b.WriteString(runtime.GOARCH)
	b.WriteString(")")
	if app != nil {
		b.WriteString(" ")
		b.WriteString(app.name)
		if app.version != "" {
			b.WriteString("/")
			b.WriteString(app.version)
		}
		if app.url != "" {
			b.WriteString(" (")
			b.WriteString(app.url)
			b.WriteString(")")
		}
	}
	return b.String()
}
