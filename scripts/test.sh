#!/usr/bin/env bash
# Every test of the project: the format and lint check (scripts/lint.sh, seconds; `npm run format` fixes what it
# reports), then Python (train/), then TypeScript (when there is any).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/lint.sh"
bash "$root/scripts/test-python.sh"
bash "$root/scripts/test-ts.sh"
