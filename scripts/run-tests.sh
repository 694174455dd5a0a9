#!/usr/bin/env bash
# Quick start, command 2: set everything up, then run the whole test suite.
#   --fast  only tests/unit and tests/gui (no child process, no training), with the .venv as it is
# Every test runs once with Keras on JAX (the backend that starts fastest); the Keras tests
# (marker "backend") run again on torch and on TensorFlow, each backend in its own process, since
# a process can load Keras on one backend only. With pytest-xdist (the dev extra), a pass spreads
# its test files over up to 4 processes, one per core. Other arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."

lanes=()
args=()
for arg in "$@"; do
  if [ "$arg" = --fast ]; then lanes=(tests/unit tests/gui); else args+=("$arg"); fi
done
if [ ${#lanes[@]} -eq 0 ]; then
  bash scripts/setup.sh || exit 1
elif [ ! -x .venv/bin/python ]; then
  echo "no .venv: run ./scripts/run-tests.sh once without --fast, which sets everything up" >&2
  exit 2
fi

export QT_QPA_PLATFORM=offscreen
export TF_CPP_MIN_LOG_LEVEL=2
workers=()
cores=$(nproc 2>/dev/null || echo 1)
if [ "$cores" -gt 1 ] && .venv/bin/python -c "import xdist" 2>/dev/null; then
  workers=(-n "$(( cores < 4 ? cores : 4 ))" --dist loadfile)
fi
reports=$(mktemp -d)
status=0

run_pass() {  # run_pass BACKEND LABEL [pytest options]: the tests, with Keras on BACKEND
  local backend=$1 label=$2
  shift 2
  echo "=== $label, Keras on $backend"
  KERAS_BACKEND=$backend .venv/bin/python -m pytest -q --junitxml="$reports/$backend.xml" "$@" \
    ${workers[@]+"${workers[@]}"} ${lanes[@]+"${lanes[@]}"} ${args[@]+"${args[@]}"} || status=1
}

run_pass jax "all tests"
# The quick lane holds a few Keras tests only: one process loads each backend once.
if [ ${#lanes[@]} -gt 0 ]; then workers=(); fi
for backend in torch tensorflow; do
  run_pass $backend "Keras tests" -m backend
done

.venv/bin/python - "$reports" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
for path in glob.glob(sys.argv[1] + "/*.xml"):
    for suite in ET.parse(path).getroot().iter("testsuite"):
        for key in total:
            total[key] += int(suite.get(key, 0))
failed = total["failures"] + total["errors"]
passed = total["tests"] - failed - total["skipped"]
print(f"All backends: {passed} passed, {failed} failed, {total['skipped']} skipped")
PY
rm -rf "$reports"
exit $status
