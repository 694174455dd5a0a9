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

stamp=.venv/.kernel-lab-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "[setup] installing dependencies (keras, torch, tensorflow, jax, PySide6, pyqtgraph, pytest) — several minutes the first time"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
fi

dataset=/usr/share/datasets/fashion-mnist
if [ ! -f "$dataset/train-images-idx3-ubyte.gz" ] && [ -z "${KERNEL_LAB_DATA:-}" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
    if [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; then
      echo "[setup] installing Fashion-MNIST (Debian package dataset-fashion-mnist)"
      $sudo apt-get update -qq || true
      $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >/dev/null
    fi
  fi
  if [ ! -f "$dataset/train-images-idx3-ubyte.gz" ]; then
    echo "[setup] Fashion-MNIST is not installed. Install Debian's dataset-fashion-mnist, or put the"
    echo "        four IDX files in a folder and pass --data DIR (or set KERNEL_LAB_DATA=DIR)."
  fi
fi
