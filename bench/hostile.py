"""Run the auditor on the hostile corpus (tests/hostile/generate.py) and report.

    python bench/hostile.py [--jobs 2] [--timeout 60] [--keep] [--quick]

Generates the corpus in a temporary folder, runs ``auditor review FOLDER --format json
-o OUT`` as a subprocess, and reports: exit status, crashes (no valid JSON report), hangs
(the run past its wall limit), tracebacks and other noise on stderr, bytes on stdout,
paths not accounted for in documents[], internal errors, messages naming a Python
exception, cases whose outcome is not what the generator expects, and whether the valid
seeds in the batch give exactly the findings they give alone. A script, not a test.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hostile"))

from generate import generate

from auditor.parallel import display_name

CLASS_NAME = re.compile(r"\b[A-Z][A-Za-z]+(?:Error|Exception|Warning)\b|BadZipFile|KeyError|Traceback")


def auditor(*args: str) -> list[str]:
    return [sys.executable, "-m", "auditor.cli", *args]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="2")
    parser.add_argument("--timeout", default="60", help="per-document limit given to the auditor")
    parser.add_argument("--quick", action="store_true", help="leave out the slow cases")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="auditor_hostile_"))
    try:
        cases = generate(work / "corpus", quick=args.quick)
        print(f"## Hostile run ({time.strftime('%Y-%m-%d %H:%M')}): {len(cases)} files, jobs {args.jobs}, timeout {args.timeout} s\n")
        return report(cases, work, args)
    finally:
        if args.keep:
            print(f"- kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def report(cases: list, work: Path, args: argparse.Namespace) -> int:  # type: ignore[type-arg]
    out = work / "review.json"
    limit = 30 + 4 * float(args.timeout) * len(cases) / max(int(args.jobs), 1)  # far past any honest run
    start = time.monotonic()
    try:
        # Under a folder only the reported suffixes are walked: the others are named too.
        named = [str(c.path) for c in cases if not _walked(c.path)]
        proc = subprocess.run(auditor("review", str(work / "corpus"), *named, "--format", "json", "-o", str(out),
                                      "--jobs", args.jobs, "--timeout", args.timeout),
                              capture_output=True, timeout=limit, check=False)
        hung = False
    except subprocess.TimeoutExpired as exc:
        proc, hung = exc, True  # type: ignore[assignment]
    wall = time.monotonic() - start
    stdout, stderr = proc.stdout or b"", (proc.stderr or b"").decode("utf-8", "replace")
    try:
        data = json.loads(out.read_text(encoding="utf-8"))
        crashed = False
    except (OSError, ValueError):
        data, crashed = {"documents": [], "findings": []}, True
    documents = {d["file"]: d for d in data["documents"]}
    missing = [c for c in cases if display_name(str(c.path)) not in documents]
    internal = [d for d in data["documents"] if d.get("error") and "内部错误" in d["error"]]
    named = [d for d in data["documents"] if d.get("error") and CLASS_NAME.search(d["error"])]
    timeouts = [d for d in data["documents"] if d.get("error") and d["error"].startswith("处理超时")]
    memory = [d for d in data["documents"] if d.get("error") and "内存" in d["error"]]
    unexpected = []
    for c in cases:
        d = documents.get(display_name(str(c.path)))
        if d is None:
            continue
        if (c.expect == "error" and not d["error"]) or (c.expect == "forms" and (d["error"] or not d["forms"])):
            unexpected.append((c, d))
    tracebacks = stderr.count("Traceback")
    same = compare_valid(cases, data, work)
    print("| measure | value |\n|---|--:|")
    rows = [
        ("files generated", len(cases)), ("documents in report", len(data["documents"])),
        ("wall s", f"{wall:.1f}"), ("exit status", "hung" if hung else proc.returncode),
        ("crashes (no valid report)", int(crashed)), ("hangs (past the wall limit)", int(hung)),
        ("tracebacks on stderr", tracebacks), ("bytes on stdout", len(stdout)),
        ("paths not accounted for", len(missing)), ("internal errors", len(internal)),
        ("messages naming an exception", len(named)), ("timeouts (per-document limit)", len(timeouts)),
        ("memory-limit errors", len(memory)), ("outcome not as expected", len(unexpected)),
        ("valid seeds: findings identical to a run alone", same),
    ]
    for k, v in rows:
        print(f"| {k} | {v} |")
    by = Counter(c.category for c in cases)
    errs = Counter(c.category for c in cases if documents.get(display_name(str(c.path)), {}).get("error"))
    print("\n| category | files | with error |\n|---|--:|--:|")
    for k, v in by.items():
        print(f"| {k} | {v} | {errs[k]} |")
    for label, items in (("missing", [(c, None) for c in missing]), ("unexpected", unexpected)):
        for c, d in items[:40]:
            print(f"- {label}: {c.category}/{c.path.name!r} expect {c.expect}: {d and (d['error'] or str(len(d['forms'])) + ' forms')}")
    for d in internal + named:
        print(f"- bad message: {d['file']}: {d['error']}")
    noise = [line for line in stderr.splitlines() if line.startswith("auditor:")]
    print(f"\n- stderr: {len(stderr.splitlines())} lines, {len(noise)} log lines; first log lines:")
    for line in noise[:8]:
        print(f"  {line[:200]}")
    ok = not (crashed or hung or tracebacks or stdout or missing or internal or named) and same is True
    print(f"\n- verdict: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def _walked(path: Path) -> bool:
    from auditor.ingest import REPORTED_SUFFIXES

    return path.suffix.lower() in REPORTED_SUFFIXES or path.is_symlink() or not path.is_file()


def compare_valid(cases: list, data: dict, work: Path) -> bool | str:  # type: ignore[type-arg]
    valid = sorted(str(c.path) for c in cases if c.category == "valid")  # the order walk gives
    alone = work / "alone.json"
    subprocess.run(auditor("review", *valid, "-o", str(alone), "--jobs", "1"), capture_output=True, check=False)
    try:
        solo = json.loads(alone.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "alone run failed"
    pick = lambda d: [f for f in d["findings"] if f["file"] in set(valid)]
    docs = lambda d: [x for x in d["documents"] if x["file"] in set(valid)]
    return pick(data) == pick(solo) and docs(data) == docs(solo)


if __name__ == "__main__":
    sys.exit(main())
