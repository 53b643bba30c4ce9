#!/usr/bin/env bash
# Set everything up, then review every document in samples/ and write the reports to out/.
# `bash run.sh page` starts the Streamlit page instead (http://localhost:8501).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
if [ "${1:-}" = "page" ]; then
  exec .venv/bin/auditor page
fi
# One pass writes every format; what could not be read is said on stderr.
exec .venv/bin/auditor review samples --format html,xlsx,json,md -o out/
