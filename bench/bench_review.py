"""End-to-end review of a corpus of ≥ 1,000 forms: wall time and peak memory.

    python bench/bench_review.py [--copies 20] [--samples samples/] [--keep] [--dry-run]

Copies samples/*.docx and samples/*.pdf --copies times into a temporary folder (the five
seeds hold 25 forms per format, so 20 copies ≈ 1,000 forms), then runs

    auditor review <folder> --format json -o <tmp>/review.json

as a subprocess and reports forms, documents, wall seconds, forms/s and the child's peak
RSS (from /usr/bin/time -v when installed, else from os.wait4). With --dry-run it builds
the corpus and runs ``auditor extract`` instead, to check the corpus and the counting.
Goal: 1,000 forms in under 30 s with peak RSS under 500 MB. A script, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from auditor.pipeline import extract_path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS, GOAL_RSS_MB = 30.0, 500.0


@dataclass
class Run:
    command: list[str]
    returncode: int
    wall: float
    peak_rss_mb: float
    rss_source: str
    stderr: str


def build_corpus(samples: Path, copies: int, target: Path) -> tuple[int, int]:
    """Copy the seeds' .docx and .pdf into target/NNN/; return (documents, forms)."""
    seeds = sorted([*samples.glob("*.docx"), *(p for p in samples.glob("*.pdf") if not p.name.endswith(".scan.pdf"))])
    if not seeds:
        raise SystemExit(f"no .docx/.pdf under {samples}")
    forms_per_set = 0
    for seed in seeds:
        result = extract_path(seed)
        if result.error:
            print(f"warning: {seed.name}: {result.error}", file=sys.stderr)
        forms_per_set += len(result.forms)
    for n in range(copies):
        folder = target / f"{n:03d}"
        folder.mkdir(parents=True)
        for seed in seeds:
            shutil.copyfile(seed, folder / seed.name)
    return len(seeds) * copies, forms_per_set * copies


def auditor_command() -> list[str]:
    exe = shutil.which("auditor")
    return [exe] if exe else [sys.executable, "-m", "auditor.cli"]


def has_review(cmd: list[str]) -> bool:
    probe = subprocess.run([*cmd, "review", "--help"], check=False, capture_output=True, text=True)
    return probe.returncode == 0


def measure(cmd: list[str]) -> Run:
    """Run cmd, returning wall time and peak RSS of the child (and its waited-for children)."""
    gnu_time = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        timed = [str(gnu_time), "-v", "-o", report.name, *cmd] if gnu_time.exists() else cmd
        start = time.perf_counter()
        proc = subprocess.Popen(timed, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        stderr = proc.stderr.read()  # small: errors per unreadable document only
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        rss_kb, source = usage.ru_maxrss, "os.wait4 ru_maxrss"
        if gnu_time.exists():
            match = re.search(
                r"Maximum resident set size \(kbytes\): (\d+)", Path(report.name).read_text()
            )
            if match:
                rss_kb, source = int(match.group(1)), "/usr/bin/time -v"
    return Run(cmd, proc.returncode, wall, rss_kb / 1024, source, stderr)


def forms_in_output(path: Path) -> tuple[int, int] | None:
    """(documents, forms) from a JSON output holding documents[].forms, if it has that shape."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        documents = data["documents"]
        return len(documents), sum(len(d.get("forms") or []) for d in documents)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20, help="copies of the seed set per format")
    parser.add_argument("--samples", default=str(ROOT / "samples"))
    parser.add_argument("--keep", action="store_true", help="keep the corpus folder and print it")
    parser.add_argument(
        "--dry-run", action="store_true", help="run `auditor extract` instead of review"
    )
    args = parser.parse_args(argv)

    cmd = auditor_command()
    if not args.dry_run and not has_review(cmd):
        print(
            "`auditor review` does not exist yet; use --dry-run to check the corpus",
            file=sys.stderr,
        )
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench_review_"))
    try:
        corpus, output = work / "corpus", work / "review.json"
        documents, forms = build_corpus(Path(args.samples), args.copies, corpus)
        sub = (
            ["extract", str(corpus), "-o", str(output)] if args.dry_run else ["review", str(corpus)]
        )
        if not args.dry_run:
            sub += ["--format", "json", "-o", str(output)]
        run = measure([*cmd, *sub])
        counted = forms_in_output(output)
        _report(sub[0], run, documents, forms, counted)
        if args.keep:
            print(f"- corpus kept in {corpus}")
        return 0 if run.returncode == 0 else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _report(
    verb: str, run: Run, documents: int, forms: int, counted: tuple[int, int] | None
) -> None:
    print(f"## Review benchmark ({time.strftime('%Y-%m-%d')})\n")
    print("| command | documents | forms | wall s | forms/s | peak RSS MB | exit |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    print(
        f"| auditor {verb} | {documents} | {forms} | {run.wall:.2f} | {forms / run.wall:.1f} "
        f"| {run.peak_rss_mb:.0f} | {run.returncode} |"
    )
    print()
    print(
        f"- machine: nproc={os.cpu_count()}, Python {platform.python_version()}, peak RSS from {run.rss_source}"
    )
    print(f"- command: {' '.join(run.command)}")
    if counted is not None:
        same = counted == (documents, forms)
        print(
            f"- output holds {counted[0]} documents, {counted[1]} forms ({'as built' if same else 'MISMATCH'})"
        )
    ok = run.wall < GOAL_SECONDS and run.peak_rss_mb < GOAL_RSS_MB
    print(
        f"- goal {forms} forms < {GOAL_SECONDS:.0f} s and < {GOAL_RSS_MB:.0f} MB: "
        f"{'met' if ok else 'NOT met'}"
    )
    if run.returncode != 0:
        print(f"- exit status {run.returncode}; stderr tail:\n{run.stderr[-2000:]}")


if __name__ == "__main__":
    sys.exit(main())
