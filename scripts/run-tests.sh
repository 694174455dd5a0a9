#!/usr/bin/env bash
# Quick start, command 2: set everything up, then run the whole test suite.
# The Keras tests (marker "backend") run once per backend, each in its own process, since a
# process can load Keras on one backend only.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

export QT_QPA_PLATFORM=offscreen
export TF_CPP_MIN_LOG_LEVEL=2
reports=$(mktemp -d)
status=0

echo "=== all tests, Keras on torch"
KERAS_BACKEND=torch .venv/bin/python -m pytest -q --junitxml="$reports/torch.xml" "$@" || status=1
for backend in tensorflow jax; do
  echo "=== Keras tests on $backend"
  KERAS_BACKEND=$backend .venv/bin/python -m pytest -q -m backend \
    --junitxml="$reports/$backend.xml" "$@" || status=1
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
