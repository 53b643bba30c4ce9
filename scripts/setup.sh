#!/usr/bin/env bash
# Set up everything the auditor needs on a fresh Debian/Ubuntu machine (idempotent):
# system packages (Chromium and CJK fonts for the browser test and screenshots, LibreOffice
# for old Word/WPS files and the sample renditions, when running as root), a virtual
# environment in .venv, and the package with its test extras.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui libreoffice-calc-nogui)
# count, not grep -q: grep -q exits at the first match and fc-list dies of SIGPIPE, which
# pipefail turns into a failure (a flaky "fonts missing").
cjk_fonts=$(fc-list : family 2>/dev/null | grep -ci "Noto Sans CJK" || true)
[ "${cjk_fonts:-0}" -gt 0 ] || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: ${missing[*]} not installed and not root; the browser test and .doc reading will be skipped" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[test]"
