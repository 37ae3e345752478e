//go:build tools

// Package tools pins the build-time tools in go.mod, next to the `tool` directive that
// `go tool oapi-codegen` (used by go generate) resolves. Both point at the same
// requirement, so they cannot drift apart. This file is never compiled.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)
