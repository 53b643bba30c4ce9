#!/usr/bin/env bash
# Set up everything the auditor needs on a fresh Debian/Ubuntu machine (idempotent):
# system packages (Chromium and CJK fonts for the browser test and screenshots, LibreOffice
# for old Word/WPS files and the sample renditions, when running as root), a virtual
# environment in .venv, and the package with its test extras.
# A second run installs nothing and needs no network (see the stamp below).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui libreoffice-calc-nogui)
# count, not grep -q: grep -q exits at the first match and fc-list dies of SIGPIPE, which
# pipefail turns into a failure (a flaky "fonts missing").
cjk_fonts=$(fc-list : family 2>/dev/null | grep -ci "Noto Sans CJK" || true)
[ "${cjk_fonts:-0}" -gt 0 ] || missing+=(fonts-noto-cjk)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)  # the workspace tests on PostgreSQL
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: ${missing[*]} not installed and not root; the browser test and .doc reading will be skipped" >&2
  fi
fi

# The package and its pinned dependencies, installed once: the stamp in .venv holds the hash
# of pyproject.toml (and of a lock file, if there is one); while it matches, nothing is
# installed again and no network is needed.
stamp=.venv/.auditor-installed
want=$(cat pyproject.toml $(ls requirements*.txt *.lock 2>/dev/null) | sha256sum | cut -d' ' -f1)
if [ -x .venv/bin/auditor ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
echo "installing the auditor package and its dependencies into .venv (first run: ~1–2 min, ~650 MB download)"
# PYTHONWARNINGS: setuptools boxes a warning about editable installs on every build
PYTHONWARNINGS=ignore .venv/bin/python -m pip install --disable-pip-version-check -q -e ".[test]"
echo "$want" > "$stamp"
