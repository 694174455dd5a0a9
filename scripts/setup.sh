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
  echo "[setup] installing dependencies (keras, torch, tensorflow, jax, PySide6, pyqtgraph, pytest, ray) — several minutes the first time"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev,cluster]"
  touch "$stamp"
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
