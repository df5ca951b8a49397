#!/usr/bin/env bash
# Formats every source and applies the linters' safe fixes (import order, unused imports): Biome for
# TypeScript/JavaScript (biome.jsonc), Ruff for Python (ruff.toml). scripts/lint.sh checks the same without writing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash "$root/scripts/setup-python.sh"
npx --no-install biome check --write . || true
train/.venv/bin/ruff check --fix --exit-zero --quiet .
train/.venv/bin/ruff format .
echo "[format] done; \`npm run lint\` lists any finding left to fix by hand" >&2
