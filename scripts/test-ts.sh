#!/usr/bin/env bash
# Type-checks the TypeScript sources and runs their tests with node's test runner (through tsx). The Python
# environment and the browser come first: the fuzz test runs schemathesis from train/.venv, the tests under
# test/browser/ a headless Chromium.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mapfile -t files < <(find test eval server sdk -name '*.test.ts' -not -path '*/node_modules/*' 2>/dev/null | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "[test-ts] no TypeScript tests yet"
  exit 0
fi
bash "$root/scripts/setup-python.sh"
bash "$root/scripts/setup-browser.sh"
npx tsc --noEmit
exec node --import tsx --test --test-reporter=spec --test-concurrency=1 "${files[@]}"
