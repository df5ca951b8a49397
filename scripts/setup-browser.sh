#!/usr/bin/env bash
# Makes sure a headless Chromium is there for the browser tests (test/browser/, driven by playwright-core, which
# downloads no browser): $CHROMIUM_PATH when set, else Debian's `chromium` on PATH, installed with apt-get when
# missing (as root, or through sudo). Prints nothing when the browser is already there.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] && exit 0
  echo "[setup-browser] CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2
  exit 1
fi
command -v chromium >/dev/null 2>&1 && exit 0

if [ "$EUID" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "[setup-browser] chromium is missing and cannot be installed without root: run 'apt-get install chromium' as root, or set CHROMIUM_PATH to a Chromium or Chrome binary" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "[setup-browser] chromium is missing and this system has no apt-get: install Chromium and set CHROMIUM_PATH to its binary" >&2
  exit 1
fi
echo "[setup-browser] installing chromium with apt-get (for test/browser/)" >&2
log="$(mktemp)"
if ! { "${as_root[@]}" apt-get update -qq &&
       "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "[setup-browser] installing chromium failed (log above; or set CHROMIUM_PATH to a Chromium or Chrome binary)" >&2
  exit 1
fi
rm -f "$log"
command -v chromium >/dev/null 2>&1 || { echo "[setup-browser] apt-get installed chromium but it is not on PATH" >&2; exit 1; }
echo "[setup-browser] ready: $(command -v chromium)" >&2
