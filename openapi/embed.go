// Package openapi holds the OpenAPI 3.0.3 description of Smile ID's v1 API, the single
// source of truth of this SDK. The generated client in package generated comes from it,
// and the fake server in package smileidtest validates the requests it receives against
// it.
package openapi

import _ "embed"

// Spec is the YAML text of smileid.yaml.
//
//go:embed smileid.yaml
var Spec []byte
