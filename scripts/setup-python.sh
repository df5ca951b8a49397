#!/usr/bin/env bash
# Creates train/.venv from train/requirements.txt and test/requirements.txt (the Python tools the TypeScript tests
# run) when it is missing or the requirements changed. A stamp holding the requirements' hash makes re-runs free.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/train/.venv"
req="$root/train/requirements.txt"
test_req="$root/test/requirements.txt"
stamp="$venv/.requirements.sha256"
want="$(cat "$req" "$test_req" | sha256sum | cut -d' ' -f1)"

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "[setup-python] preparing $venv (torch CPU build, transformers, diffusers, ..., schemathesis, openapi-python-client)" >&2
python3 -m venv "$venv"
log="$venv/install.log"
# pip's output goes to a log, shown only when the install fails.
if ! { "$venv/bin/pip" install --disable-pip-version-check -r "$req" -r "$test_req" &&
       "$venv/bin/pip" install --disable-pip-version-check --no-deps --no-build-isolation -e "$root/train"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "[setup-python] installing the Python environment failed (log: $log)" >&2
  exit 1
fi
echo "$want" > "$stamp"
echo "[setup-python] ready" >&2
