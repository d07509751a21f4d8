#!/usr/bin/env bash
# Regenerates the committed OpenAPI documents from the ones the build writes (obj/openapi of the server project), so
# that a change of the wire contract shows up as a diff of docs/openapi/*.json in review. The server tests fail while
# the served documents differ from these files.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build src/ImagingCommons.Server -v quiet -nologo
generated=src/ImagingCommons.Server/obj/openapi
cp "$generated/imagingcommons.json" docs/openapi/v1.json
for file in "$generated"/imagingcommons_*.json; do
    name=$(basename "$file" .json)
    cp "$file" "docs/openapi/${name#imagingcommons_}.json"
done
ls -l docs/openapi/*.json
