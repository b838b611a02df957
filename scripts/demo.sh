#!/usr/bin/env bash
# The main job on bundled sample data: profiles and PDF reports for the sample respondents
# (out/*.pdf, out/profiles.json), plus score tables from the sample answer files.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh research
mkdir -p out
.venv/bin/profdiag instruments
.venv/bin/profdiag demo --out out --lang both
.venv/bin/profdiag score ipip-bfm-50 examples/ipip-bfm-50-sample.csv \
    --id-column respondent --out out/ipip-bfm-50-scores.csv
.venv/bin/profdiag score klimov-ddo examples/klimov-ddo-sheets.csv \
    --id-column respondent --answers-column answers --out out/klimov-ddo-scores.csv
echo "wrote PDF reports and profiles.json to out/, and score tables out/*-scores.csv"
