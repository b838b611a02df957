#!/usr/bin/env bash
# The whole test suite: lint, types, tests (including the wheel install test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh dev
bash scripts/browser-deps.sh
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
