# Developer tasks. CI runs .ci/run, which runs the same checks on a clean clone.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all generate check-generate fmt vet staticcheck lint test test-race spec-lint portability fuzz-smoke bench offline ci

all: check-generate lint test

# Regenerate generated/ from openapi/smileid.yaml (oapi-codegen v2.8.2, pinned in go.mod).
generate:
	go generate ./...

# Fail when generated/ (or go.mod/go.sum) is not what the spec and config produce.
check-generate:
	go generate ./...
	go mod tidy -diff
	git diff --exit-code -- generated go.mod go.sum
	test -z "$$(git status --porcelain -- generated)"

fmt:
	gofmt -w .

vet:
	go vet ./...

staticcheck:
	go run $(STATICCHECK) ./...

lint: vet staticcheck
	test -z "$$(gofmt -l .)" || (gofmt -l . && exit 1)

# The README's test command.
test:
	go test ./...

test-race:
	go test -race ./...

# Redocly CLI, pinned in openapi/package.json, under the recommended rules.
spec-lint:
	npm ci --prefix openapi --no-audit --no-fund
	npm run --prefix openapi lint

# A second generator consumes the spec unchanged: openapi-typescript, then tsc --noEmit.
portability:
	npm ci --prefix openapi --no-audit --no-fund
	npm run --prefix openapi portability

# Each target must exist and execute inputs: `go test -fuzz` passes when its pattern
# matches no fuzz test, so the output is checked for a non-zero execution count.
# Every fuzz target for FUZZTIME each; fails when one executes no input (.ci/fuzz-smoke).
FUZZTIME ?= 20s

fuzz-smoke:
	FUZZTIME=$(FUZZTIME) .ci/fuzz-smoke

bench:
	go test -run '^$$' -bench . -benchmem ./smileid

# The main job: a Biometric KYC against the built-in fake server, offline.
offline:
	go run ./examples/biometric-kyc

ci:
	.ci/run
