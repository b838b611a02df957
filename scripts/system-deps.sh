#!/usr/bin/env bash
# Debian packages profdiag needs at run and test time; installs the missing ones when root.
set -euo pipefail
# python3-venv: the virtual environment; Pango and HarfBuzz's subsetter: WeasyPrint (PDF
# reports; without libharfbuzz-subset0 it warns at import and subsets fonts 3x slower);
# poppler-utils: pdftoppm, for the tests that turn report pages into PNG.
# chromium, chromium-driver: the kiosk's browser tests; npm fetches axe-core for them (any
# npm will do: a machine whose Node.js comes from elsewhere has one, and Debian's npm
# package would conflict with that Node.js, so it is installed only when there is none).
packages=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils
    chromium chromium-driver)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "profdiag needs these Debian packages: ${missing[*]}" >&2
        echo "install them with: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
