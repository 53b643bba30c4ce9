#!/usr/bin/env bash
# Set everything up, then run the whole test suite (no network needed).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
export PYMUPDF_SUGGEST_LAYOUT_ANALYZER=0
exec .venv/bin/python -m pytest "$@"
