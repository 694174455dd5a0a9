#!/usr/bin/env bash
# Quick start, command 1: set everything up, then open Kernel Lab on the default Fashion-MNIST study.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python main.py "$@"
