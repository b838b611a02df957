#!/usr/bin/env bash
# Creates .venv (Python >= 3.11) and installs profdiag into it, editable, with EXTRAS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "profdiag needs Python 3.11 or newer; $python is $("$python" --version)" >&2; exit 1; }
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[${1:-research}]"
