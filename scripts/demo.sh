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
echo "wrote out/ipip-bfm-50-scores.csv and out/ipip-bfm-50-scores.json"
