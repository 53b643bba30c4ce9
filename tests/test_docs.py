"""The repository stands alone: the rule catalogue is in it, complete, and nothing a user
reads points outside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from auditor.checks import load_rules
from auditor.checks.batch import BATCH_RULES

ROOT = Path(__file__).resolve().parents[1]


def test_every_rule_is_in_the_catalogue_with_its_severity() -> None:
    catalogue = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z]+\.[a-z_]+)` \| (error|warning|info) \|", catalogue, re.MULTILINE))
    registered = {code: rule.severity for code, rule in load_rules().items()}
    registered["narrative.contradiction"] = "warning"  # the LLM's rule, not in the registry
    registered.update({code: r.severity for code, r in BATCH_RULES.items()})  # a workspace batch's rules
    assert rows == registered


def test_the_readme_links_the_catalogue() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/rules.md)" in readme


def test_no_tracked_file_points_outside_the_repository() -> None:
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    outside = re.compile(r"\.\./shared|/work/|/home/|/Users/")
    hits = [
        f"{name}:{n}"
        for name in files
        if name.endswith((".py", ".md", ".sh", ".toml", ".txt", ".jsonl", ".cfg", ".ini"))
        and name != "tests/test_docs.py"
        and (ROOT / name).is_file()
        for n, line in enumerate((ROOT / name).read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if outside.search(line)
    ]
    assert hits == []
