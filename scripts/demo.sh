#!/usr/bin/env bash
# The main job on bundled sample data: scores the sample respondents, writes out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh research
mkdir -p out
.venv/bin/profdiag instruments
.venv/bin/profdiag score ipip-bfm-50 examples/ipip-bfm-50-sample.csv \
    --id-column respondent --out out/ipip-bfm-50-scores.csv
.venv/bin/profdiag score ipip-bfm-50 examples/ipip-bfm-50-sample.csv \
    --id-column respondent --out out/ipip-bfm-50-scores.json
.venv/bin/profdiag score klimov-ddo examples/klimov-ddo-sheets.csv \
    --id-column respondent --answers-column answers --out out/klimov-ddo-scores.csv
echo "wrote out/ipip-bfm-50-scores.csv, out/ipip-bfm-50-scores.json and out/klimov-ddo-scores.csv"
