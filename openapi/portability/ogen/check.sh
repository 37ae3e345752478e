#!/usr/bin/env bash
# ogen (a second Go generator) on ../../smileid.yaml, unchanged: it must generate, the
# result must build, and it must emit the info.json type (UploadManifest) and the zip's
# (UploadZip), which only the uploadZip operation reaches. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf api
go tool ogen --config ogen.yml --target api --package api --clean ../../smileid.yaml 2>&1 | grep -v '^INFO' || true
test -f api/oas_schemas_gen.go || { echo "ogen generated nothing"; exit 1; }
go build ./...
go vet ./...
go test -count=1 ./...
for t in UploadManifest UploadZip ManifestImage PartnerParams ActionValue AMLResult AddressVerificationRequest; do
	grep -q "^type $t " api/oas_schemas_gen.go || { echo "ogen emitted no type $t"; exit 1; }
done
echo "ogen: generated, built and vetted; UploadManifest, UploadZip and the AML and address types are emitted"
