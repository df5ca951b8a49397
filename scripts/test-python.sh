#!/usr/bin/env bash
# Runs the Python test suite of train/ inside its virtual environment (created on first use).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup-python.sh"
cd "$root/train"
exec .venv/bin/python -m pytest -q "$@"
