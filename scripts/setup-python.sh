#!/usr/bin/env bash
# Creates train/.venv from train/requirements.txt when it is missing or the requirements changed.
# A stamp holding the requirements' hash makes re-runs free.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/train/.venv"
req="$root/train/requirements.txt"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "[setup-python] preparing $venv (torch CPU build, transformers, diffusers, ...)" >&2
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e "$root/train"
echo "$want" > "$stamp"
echo "[setup-python] ready" >&2
