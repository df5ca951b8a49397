#!/usr/bin/env bash
# Checks, without writing, that the sources are formatted and lint-clean: Biome for TypeScript/JavaScript
# (biome.jsonc), Ruff for Python (ruff.toml, run from train/.venv). `npm test` runs it first; `npm run format`
# fixes what it reports about formatting and import order.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
failed=()
npx --no-install biome ci --error-on-warnings --max-diagnostics=20 . || failed+=("TypeScript (biome)")
bash "$root/scripts/setup-python.sh"
train/.venv/bin/ruff format --check . || failed+=("Python formatting (ruff format)")
train/.venv/bin/ruff check . || failed+=("Python lint (ruff check)")
if [ "${#failed[@]}" -gt 0 ]; then
  printf '[lint] FAILED: %s\n' "${failed[@]}" >&2
  echo "[lint] run \`npm run format\` to format the code and apply the safe fixes, then commit the result;" \
    "fix by hand any lint finding it leaves" >&2
  exit 1
fi
echo "[lint] formatting and lint clean (biome, ruff)" >&2
