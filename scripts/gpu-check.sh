#!/usr/bin/env bash
# GPU check: on each backend, a 1-epoch study on the full Fashion-MNIST with --device gpu, in both
# modes; then every study's .keras models evaluated on the other two backends (on the GPU); prints
# the devices each backend sees and per-network seconds per epoch; then the seed goal on
# the GPU: what 5 seeds cost against 1 (benchmarks/benchmark.py --seeds-check 5 and
# --seeds-scaling 5, JAX, --device gpu), which a 2-core CPU cannot meet (docs/performance.md#several-seeds).
#
#   ./scripts/gpu-check.sh [OUT_DIR]      (default: studies/gpu-check-YYYYmmdd-HHMMSS)
#
# Needs an NVIDIA GPU and the GPU builds (scripts/setup.sh installs them when nvidia-smi finds a
# GPU). Without a GPU it says so and exits 1 without running anything. One epoch includes each
# backend's compilation and warm-up, so s/epoch here is an upper bound of a steady epoch.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${KERNEL_LAB_PYTHON:-.venv/bin/python}
BACKENDS=(torch tensorflow jax)
MODES=(sequential all-at-once)

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-check: no GPU: nvidia-smi is not installed on this machine; nothing was run" >&2
  exit 1
fi
if ! gpus=$(nvidia-smi -L 2>/dev/null) || ! grep -q '^GPU' <<<"$gpus"; then
  echo "gpu-check: no GPU: nvidia-smi -L lists none on this machine; nothing was run" >&2
  exit 1
fi
echo "$gpus"
out=${1:-studies/gpu-check-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out" || exit 1
export TF_CPP_MIN_LOG_LEVEL=2
status=0

echo "=== devices each backend finds"
for backend in "${BACKENDS[@]}"; do
  "$PY" -c "import sys; from keras_models.backend import list_devices
print(f'{sys.argv[1]:<11}', ', '.join(f'{d.name} ({d.description})' for d in list_devices(sys.argv[1])))" \
    "$backend" 2>>"$out/devices.log" || { echo "$backend: cannot list devices (see $out/devices.log)"; status=1; }
done

for backend in "${BACKENDS[@]}"; do
  for mode in "${MODES[@]}"; do
    run="$out/$backend-$mode"
    echo "=== study: $backend, $mode, 1 epoch, full data, --device gpu"
    start=$(date +%s)
    if "$PY" main.py study --backend "$backend" --device gpu --mode "$mode" --epochs 1 \
        --out "$run" >"$run.log" 2>&1; then
      echo "    done in $(( $(date +%s) - start )) s ($run.log)"
    else
      echo "    FAILED (exit $?): see $run.log"; tail -n 3 "$run.log"; status=1
    fi
  done
done

for study in "$out"/*-*/study-*; do
  [ -d "$study/models" ] || continue
  trained=$(basename "$(dirname "$study")"); trained=${trained%%-*}
  for backend in "${BACKENDS[@]}"; do
    [ "$backend" = "$trained" ] && continue
    echo "=== evaluate $(basename "$(dirname "$study")") on $backend (gpu)"
    "$PY" main.py evaluate "$study" --backend "$backend" --device gpu \
      --out "$study/evaluation-$backend.csv" >"$study/evaluate-$backend.log" 2>&1 \
      || { echo "    FAILED: see $study/evaluate-$backend.log"; tail -n 3 "$study/evaluate-$backend.log"; status=1; }
  done
done

echo "=== results"
"$PY" - "$out" <<'PY'
import csv, glob, json, os, sys

out = sys.argv[1]
def rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))

print("seconds per epoch (one epoch, so compilation and warm-up included):")
print(f"{'study':<24}{'device':<8}" + "".join(f"{n:>10}" for n in
      ("A1-HF", "A1-HT", "A1-DT", "A2-HF", "A2-HT", "A2-DT")) + f"{'shared':>9}")
for study in sorted(glob.glob(os.path.join(out, "*-*", "study-*"))):
    name = os.path.basename(os.path.dirname(study))
    status = json.load(open(os.path.join(study, "status.json")))
    summary = {r["network"]: float(r["seconds_per_epoch"]) for r in rows(os.path.join(study, "summary.csv"))}
    cells = "".join(f"{summary[n]:>10.2f}" if n in summary else f"{'-':>10}" for n in
                    ("NetA1-HF", "NetA1-HT", "NetA1-DT", "NetA2-HF", "NetA2-HT", "NetA2-DT"))
    shared = status.get("shared_epoch_seconds") or []
    shared = f"{shared[0]:>9.2f}" if shared else f"{'':>9}"
    print(f"{name:<24}{status.get('device', '?'):<8}{cells}{shared}  ({status.get('state')})")
print("(all-at-once: per-network figures are isolated-timing estimates; 'shared' is the one model's epoch)")
print()
print(f"{'study':<24}{'evaluated on':<14}{'models':>7}{'max |acc diff| (points)':>26}{'min agreement %':>18}")
for path in sorted(glob.glob(os.path.join(out, "*-*", "study-*", "evaluation-*.csv"))):
    name = os.path.basename(os.path.dirname(os.path.dirname(path)))
    found = rows(path)
    diff = max(abs(float(r["test_accuracy"]) - float(r["recorded_test_accuracy"])) for r in found)
    agree = min(float(r["agreement"]) for r in found if r["agreement"] != "")
    print(f"{name:<24}{found[0]['backend']:<14}{len(found):>7}{100 * diff:>26.3f}{100 * agree:>18.2f}")
PY
echo "=== 5 seeds against 1 on the GPU (JAX, all-at-once, full data, 2 epochs)"
"$PY" benchmarks/benchmark.py --seeds-check 5 --backends jax --device gpu --epochs 2 \
  2>"$out/seeds-check.log" | tee "$out/seeds-check.txt" || { echo "    FAILED: see $out/seeds-check.log"; status=1; }
"$PY" benchmarks/benchmark.py --seeds-scaling 5 --backends jax --device gpu \
  2>"$out/seeds-scaling.log" | tee "$out/seeds-scaling.txt" || { echo "    FAILED: see $out/seeds-scaling.log"; status=1; }

[ $status -eq 0 ] && echo "gpu-check: all runs finished" || echo "gpu-check: some runs FAILED (see above)"
exit $status
