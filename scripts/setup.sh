#!/usr/bin/env bash
# Sets up Kernel Lab in this checkout: .venv with every dependency, and Fashion-MNIST.
# Safe to run again: it only installs what is missing or changed.
#
# On Debian/Ubuntu it installs the system packages it needs (python3-venv when `python3 -m venv`
# cannot make a venv with pip, Qt's X11 libraries, dataset-fashion-mnist) as root or through
# `sudo -n`; when neither works it prints the one apt command to run and exits 1.
# KERNEL_LAB_SETUP_DRY_RUN=1 makes every decision and the apt step but installs nothing with pip.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
dry_run=${KERNEL_LAB_SETUP_DRY_RUN:-0}
dataset=${KERNEL_LAB_SETUP_DATASET_DIR:-/usr/share/datasets/fashion-mnist}
say() { echo "[setup] $*"; }

# --- the venv -------------------------------------------------------------------------------
venv_works() { [ -x .venv/bin/python ] && .venv/bin/python -m pip --version >/dev/null 2>&1; }

make_venv() {  # true when .venv now has a python with pip; a half-made one is removed
  command -v "$PYTHON" >/dev/null 2>&1 || return 1
  say "creating .venv with $("$PYTHON" --version 2>&1)"
  if "$PYTHON" -m venv .venv >/dev/null 2>&1 && venv_works; then
    return 0
  fi
  rm -rf .venv
  return 1
}

venv_packages() {  # the Debian packages that give $PYTHON a working `-m venv`
  local version
  echo python3-venv
  version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || return 0
  # A Python that is not Debian's default (e.g. python3.12 beside 3.11) has its own package.
  if command -v apt-cache >/dev/null 2>&1 && apt-cache show "python$version-venv" >/dev/null 2>&1; then
    echo "python$version-venv"
  fi
}

if [ -e .venv ] && ! venv_works; then
  say ".venv has no working pip (a venv made without ensurepip?): making it again"
  rm -rf .venv
fi
need_venv=0
if [ ! -e .venv ] && ! make_venv; then
  need_venv=1
  say "$PYTHON -m venv could not make a venv with pip"
fi

# --- Debian packages: whatever venv needs, Qt's X11 libraries and Fashion-MNIST -------------
apt_packages=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
              libxcb-shape0 libxcb-randr0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libfontconfig1
              libdbus-1-3)
[ -f "$dataset/train-images-idx3-ubyte.gz" ] || apt_packages+=(dataset-fashion-mnist)
if [ "$need_venv" = 1 ]; then
  command -v "$PYTHON" >/dev/null 2>&1 || apt_packages+=(python3)
  mapfile -t extra < <(venv_packages)
  apt_packages+=("${extra[@]}")
fi

missing_packages() {
  local pkg
  for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || echo "$pkg"
  done
}

root_prefix() {  # prints "" (root), "sudo -n" (sudo without a password), or fails
  if [ "$(id -u)" -eq 0 ]; then
    echo ""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    echo "sudo -n"
  else
    return 1
  fi
}

stop_with_apt_command() {  # REASON PACKAGE...: the one command the user must run, then exit 1
  local reason=$1
  shift
  say "$reason. Run this, then run this script again:"
  if [ "$(id -u)" -eq 0 ]; then
    echo "    apt-get install -y $*"
  elif command -v sudo >/dev/null 2>&1; then
    echo "    sudo apt-get install -y $*"
  else
    echo "    su -c 'apt-get install -y $*'"
  fi
  exit 1
}

if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  mapfile -t missing < <(missing_packages)
  if [ ${#missing[@]} -gt 0 ]; then
    if prefix=$(root_prefix); then
      say "installing Debian packages: ${missing[*]}"
      $prefix apt-get update -qq >/dev/null 2>&1 || true
      if ! $prefix env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; then
        stop_with_apt_command "could not install ${missing[*]}" "${missing[@]}"
      fi
    else
      why="sudo asks for a password"
      command -v sudo >/dev/null 2>&1 || why="no sudo here"
      stop_with_apt_command "root rights are needed to install ${missing[*]} ($why)" "${missing[@]}"
    fi
  fi
elif [ "$need_venv" = 1 ]; then
  say "install Python's venv module for $PYTHON (Debian/Ubuntu: python3-venv), then run this again"
  exit 1
fi

if [ "$need_venv" = 1 ] && ! make_venv; then
  say "$PYTHON -m venv still cannot make a venv with pip; install the venv module of that Python"
  say "(Debian/Ubuntu: python3-venv, or python3.X-venv for python3.X), or set PYTHON=another python3"
  exit 1
fi

if [ ! -f "$dataset/train-images-idx3-ubyte.gz" ]; then
  say "Fashion-MNIST is not installed. Install Debian's dataset-fashion-mnist, or put the"
  echo "        four IDX files in a folder and pass --data DIR."
fi

# --- Python packages ------------------------------------------------------------------------
# GPU builds when nvidia-smi finds a GPU; KERNEL_LAB_GPU=1 or 0 forces the choice (README "GPU").
if [ -n "${KERNEL_LAB_GPU:-}" ]; then
  gpu=$KERNEL_LAB_GPU
elif command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
  gpu=1
else
  gpu=0
fi
case "$gpu" in 0|1) ;; *) say "KERNEL_LAB_GPU must be 0 or 1, not '$gpu'" >&2; exit 2;; esac
want=$([ "$gpu" = 1 ] && echo gpu || echo cpu)

pip() { .venv/bin/python -m pip "$@"; }
installed_version() { pip show "$1" 2>/dev/null | sed -n 's/^Version: //p'; }

stamp=.venv/.kernel-lab-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  if [ "$dry_run" = 1 ]; then
    say "dry run: would install the dependencies ($want builds)"
    exit 0
  fi
  say "installing dependencies (keras, torch, tensorflow, jax, PySide6, pyqtgraph, pytest, ray; $want builds) — several minutes the first time"
  pip install -q --upgrade pip
  if [ "$want" = gpu ]; then
    pip install -q -e ".[dev,cluster,gpu]"
    # tensorflow-cpu (a base dependency on x86_64) and tensorflow (the GPU build) install the
    # same files: remove the CPU one, then put the GPU build's files back in place.
    if [ -n "$(installed_version tensorflow-cpu)" ]; then
      version=$(installed_version tensorflow)
      say "replacing tensorflow-cpu with tensorflow $version (the GPU build)"
      pip uninstall -q -y tensorflow-cpu
      pip install -q --force-reinstall --no-deps "tensorflow==$version"
    fi
    # torch==2.13.0 is the CUDA build on PyPI; a local CPU wheel (+cpu) may have won instead.
    if [ "$(.venv/bin/python -c 'import torch; print(torch.version.cuda or "")')" = "" ]; then
      cuda=${KERNEL_LAB_TORCH_CUDA:-cu128}
      say "installing torch 2.13.0+$cuda from https://download.pytorch.org/whl/$cuda"
      pip install -q "torch==2.13.0+$cuda" --index-url "https://download.pytorch.org/whl/$cuda" \
        --extra-index-url https://pypi.org/simple \
        || say "could not install torch's CUDA build; torch stays on the CPU (README \"GPU\")"
    fi
  else
    # Back from the GPU builds: tensorflow-cpu's files were replaced by tensorflow's.
    if [ -n "$(installed_version tensorflow)" ] && [ "$(uname -m)" = x86_64 ]; then
      version=$(installed_version tensorflow)
      say "replacing tensorflow (the GPU build) with tensorflow-cpu $version"
      pip uninstall -q -y tensorflow jax-cuda12-plugin jax-cuda12-pjrt
      pip install -q --force-reinstall --no-deps "tensorflow-cpu==$version"
    fi
    pip install -q -e ".[dev,cluster]"
  fi
  echo "$want" > "$stamp"
fi
