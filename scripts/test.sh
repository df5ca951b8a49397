#!/usr/bin/env bash
# Every test of the project: Python (train/) then TypeScript (when there is any).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/test-python.sh"
bash "$root/scripts/test-ts.sh"
