// Package ogencheck builds the client and server ogen generates from
// ../../smileid.yaml into ./api (check.sh); it is a nested module so that the SDK's
// go.mod does not carry ogen.
package ogencheck

import _ "github.com/smileidentity/smile-identity-core-go/openapi/portability/ogen/api"
