#!/usr/bin/env bash
# Everything the test suite needs beyond the .NET SDK. Idempotent: safe to run on a machine that has it all.
set -euo pipefail
command -v dotnet >/dev/null || { echo ".NET SDK 10 is required (dotnet not on PATH)"; exit 1; }
