// Package generated is the client and the models oapi-codegen generates from
// openapi/smileid.yaml. Do not edit it: change the spec or oapi-codegen.yaml and run
// `go generate ./...`.
//
// Most programs should use package smileid, which adds what the spec cannot say: request
// signing, the upload flow, validation, retries and typed errors. This package carries no
// compatibility promise of its own.
package generated

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../openapi/smileid.yaml
