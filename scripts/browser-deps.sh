#!/usr/bin/env bash
# axe-core (accessibility rules) for the browser tests, pinned, into .cache/axe.
set -euo pipefail
cd "$(dirname "$0")/.."
version=4.10.3
if [[ ! -f .cache/axe/node_modules/axe-core/axe.min.js ]] \
    || ! grep -q "\"version\": \"$version\"" .cache/axe/node_modules/axe-core/package.json; then
    command -v npm >/dev/null || { echo "npm is needed for axe-core (scripts/system-deps.sh)" >&2; exit 1; }
    npm install --prefix .cache/axe --no-save --no-audit --no-fund "axe-core@$version" >/dev/null
fi
