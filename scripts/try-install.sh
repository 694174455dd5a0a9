#!/usr/bin/env bash
# Installs this checkout as a user would: `pip install CHECKOUT` into a fresh venv made in a temp
# folder outside the checkout, then runs the installed `kernel-lab` command from there.
# Usage: scripts/try-install.sh [--keep]   (PYTHON=python3.X picks the interpreter)
set -euo pipefail
checkout=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
keep=0
[ "${1:-}" = --keep ] && keep=1

work=$(mktemp -d "${TMPDIR:-/tmp}/kernel-lab-try.XXXXXX")
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
cd "$work"

step() { echo; echo "=== $*"; }
timed() {  # run a command, then say how long it took
  local start=$SECONDS
  "$@"
  echo "[try-install] $(( SECONDS - start )) s: $*"
}

step "a fresh venv in $work with $("$python" --version)"
timed "$python" -m venv venv
# A copy of the checkout's files (committed or not, ignored ones left out): building in place
# would leave build/ and *.egg-info in the checkout.
source=$checkout
if git -C "$checkout" rev-parse --git-dir >/dev/null 2>&1; then
  source=$work/source
  mkdir -p "$source"
  (cd "$checkout" && git ls-files -z --cached --others --exclude-standard \
    | xargs -0 cp --parents -t "$source" 2>/dev/null || true)
fi
step "pip install $checkout"
timed venv/bin/python -m pip install -q "$source"
export PATH="$work/venv/bin:$PATH"

step "kernel-lab --help"
timed kernel-lab --help
if kernel-lab --help | grep -q -- --version; then
  step "kernel-lab --version"
  timed kernel-lab --version
fi
step "kernel-lab list (an empty folder)"
mkdir -p studies
timed kernel-lab list studies
step "a one-epoch headless study on a subset"
if kernel-lab study --help | grep -q -- --quick; then
  timed kernel-lab study --quick --out studies
else
  timed kernel-lab study --epochs 1 --train-limit 2048 --test-limit 512 --mode all-at-once \
    --backend jax --out studies
fi
step "kernel-lab list"
timed kernel-lab list studies
[ "$keep" = 1 ] && echo "[try-install] kept $work"
echo "[try-install] done in ${SECONDS} s"
