#!/usr/bin/env bash
# The full world mini-benchmarks: writes them with the Python writer, runs all five against an embedded server,
# scores them (ImgEdit with the world oracle judge) and writes the report under docs/eval/.
#   scripts/eval-world.sh [MODEL_ID] [SIZE] [SEED]      (defaults: lavida-r1-tiny 300 0; npm run eval:world)
# A run with failed samples stops the script (exit 3); re-running continues unfinished runs and retries the failed
# samples (--resume --retry-errors). Env: LAVIDA_MODELS_DIR, CONCURRENCY (default 4), WORK (data and
# runs; default /tmp/lavida-eval-world/<model>), REPORT_DIR (default docs/eval/<model>), SAMPLES (samples per
# run in the report's samples.html, default 20), LAVIDA_WORKERS / LAVIDA_INTRA_OP_THREADS (default 1 / 1) as for
# the server.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
model="${1:-lavida-r1-tiny}"
size="${2:-300}"
seed="${3:-0}"
work="$(realpath -m "${WORK:-/tmp/lavida-eval-world/$model}")"
export LAVIDA_WORKERS="${LAVIDA_WORKERS:-1}" LAVIDA_INTRA_OP_THREADS="${LAVIDA_INTRA_OP_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
models_dir=()
[ -n "${LAVIDA_MODELS_DIR:-}" ] && models_dir=(--models-dir "$LAVIDA_MODELS_DIR")

data="$work/data-seed$seed-size$size"
if [ ! -e "$data/.complete" ]; then
  (cd train && .venv/bin/python -m lavida_r1.world.make_benchmarks --out "$data" --seed "$seed" --size "$size")
  touch "$data/.complete"
fi

declare -A folder=([mathvista]=MathVista [chartqa]=ChartQA [mmmu-pro]=MMMU_Pro [lisa]=lisa_grounding [imgedit]=ImgEdit)
runs=()
for b in mathvista chartqa mmmu-pro lisa imgedit; do
  out="$work/runs/$b"
  resume=()
  [ -s "$out/predictions.jsonl" ] && resume=(--resume --retry-errors)
  node bin/lavida-eval.mjs run --benchmark "$b" --data "$data/${folder[$b]}" --embedded --model "$model" "${models_dir[@]}" \
    --out "$out" --concurrency "${CONCURRENCY:-4}" "${resume[@]}" > /dev/null  # the summary is in $out/summary.json
  runs+=("$out")
done
# the committed report's sample viewer keeps the first SAMPLES (default 20) samples of each run, to stay small
node bin/lavida-eval.mjs report --runs "${runs[@]}" --out "${REPORT_DIR:-docs/eval/$model}" --samples "${SAMPLES:-20}"
