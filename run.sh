#!/usr/bin/env bash
# Set everything up, then review every document in samples/ and write the reports to out/.
# `bash run.sh page` starts the Streamlit page instead (http://localhost:8501).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
if [ "${1:-}" = "page" ]; then
  exec .venv/bin/auditor page
fi
mkdir -p out
for fmt in json md html; do
  .venv/bin/auditor review samples --format "$fmt" -o "out/review.$fmt" 2>/dev/null
done
.venv/bin/auditor review samples --format xlsx -o out/review.xlsx
echo "reports: out/review.html out/review.xlsx out/review.json out/review.md"
