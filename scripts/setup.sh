#!/usr/bin/env bash
# Sets up Kernel Lab in this checkout: .venv with every dependency, and Fashion-MNIST.
# Safe to run again: it only installs what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi

# GPU builds when nvidia-smi finds a GPU; KERNEL_LAB_GPU=1 or 0 forces the choice (README "GPU").
if [ -n "${KERNEL_LAB_GPU:-}" ]; then
  gpu=$KERNEL_LAB_GPU
elif command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
  gpu=1
else
  gpu=0
fi
case "$gpu" in 0|1) ;; *) echo "[setup] KERNEL_LAB_GPU must be 0 or 1, not '$gpu'" >&2; exit 2;; esac
want=$([ "$gpu" = 1 ] && echo gpu || echo cpu)

pip() { .venv/bin/python -m pip "$@"; }
installed_version() { pip show "$1" 2>/dev/null | sed -n 's/^Version: //p'; }

stamp=.venv/.kernel-lab-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] installing dependencies (keras, torch, tensorflow, jax, PySide6, pyqtgraph, pytest, ray; $want builds) — several minutes the first time"
  pip install -q --upgrade pip
  if [ "$want" = gpu ]; then
    pip install -q -e ".[dev,cluster,gpu]"
    # tensorflow-cpu (a base dependency on x86_64) and tensorflow (the GPU build) install the
    # same files: remove the CPU one, then put the GPU build's files back in place.
    if [ -n "$(installed_version tensorflow-cpu)" ]; then
      version=$(installed_version tensorflow)
      echo "[setup] replacing tensorflow-cpu with tensorflow $version (the GPU build)"
      pip uninstall -q -y tensorflow-cpu
      pip install -q --force-reinstall --no-deps "tensorflow==$version"
    fi
    # torch==2.13.0 is the CUDA build on PyPI; a local CPU wheel (+cpu) may have won instead.
    if [ "$(.venv/bin/python -c 'import torch; print(torch.version.cuda or "")')" = "" ]; then
      cuda=${KERNEL_LAB_TORCH_CUDA:-cu128}
      echo "[setup] installing torch 2.13.0+$cuda from https://download.pytorch.org/whl/$cuda"
      pip install -q "torch==2.13.0+$cuda" --index-url "https://download.pytorch.org/whl/$cuda" \
        --extra-index-url https://pypi.org/simple \
        || echo "[setup] could not install torch's CUDA build; torch stays on the CPU (README \"GPU\")"
    fi
  else
    # Back from the GPU builds: tensorflow-cpu's files were replaced by tensorflow's.
    if [ -n "$(installed_version tensorflow)" ] && [ "$(uname -m)" = x86_64 ]; then
      version=$(installed_version tensorflow)
      echo "[setup] replacing tensorflow (the GPU build) with tensorflow-cpu $version"
      pip uninstall -q -y tensorflow jax-cuda12-plugin jax-cuda12-pjrt
      pip install -q --force-reinstall --no-deps "tensorflow-cpu==$version"
    fi
    pip install -q -e ".[dev,cluster]"
  fi
  echo "$want" > "$stamp"
fi

# System packages (Debian/Ubuntu): Fashion-MNIST, and the X11 libraries Qt's xcb platform needs.
dataset=/usr/share/datasets/fashion-mnist
apt_packages=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
              libxcb-shape0 libxcb-randr0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libfontconfig1
              libdbus-1-3)
[ -f "$dataset/train-images-idx3-ubyte.gz" ] || apt_packages+=(dataset-fashion-mnist)
if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo -n"
    if [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; then
      echo "[setup] installing Debian packages: ${missing[*]}"
      $sudo apt-get update -qq || true
      $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
        || echo "[setup] could not install ${missing[*]}; the app or the dataset may be missing"
    else
      echo "[setup] please install these Debian packages: ${missing[*]}"
    fi
  fi
fi
if [ ! -f "$dataset/train-images-idx3-ubyte.gz" ]; then
  echo "[setup] Fashion-MNIST is not installed. Install Debian's dataset-fashion-mnist, or put the"
  echo "        four IDX files in a folder and pass --data DIR."
fi
