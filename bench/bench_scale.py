"""Review at scale: 1,000 / 10,000 / 100,000 forms with --jobs 1 and --jobs 2.

    python bench/bench_scale.py [--forms 1000 10000 100000] [--jobs 1 2] [--format json | --format html xlsx json md]

Builds one corpus per size by hard-linking samples/*.docx and samples/*.pdf (the five
seeds hold 25 forms per format, so one set of 10 files is 50 forms) into numbered
folders, then runs ``auditor review FOLDER --format json -o OUT --jobs N`` as a
subprocess (several formats: ``--format html,xlsx,json,md -o FOLDER/``, one pass writing
them all) and reports wall time, CPU time ÷ wall time, the peak RSS of the whole process
tree (the sum over the auditor and its workers, sampled from /proc every 0.1 s) and the
reports' size. Goals (issue 10): RSS flat and < 400 MB, --jobs 2 ≤ 0.6 × --jobs 1 wall,
≤ 10 KB of report per form. A script, not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMS_PER_SET = 50  # 5 seeds × (docx + pdf) × 5 forms each


@dataclass
class Result:
    forms: int
    jobs: int
    wall: float
    cpu: float
    peak_mb: float
    report_bytes: int
    documents: int
    returncode: int


def build(samples: Path, forms: int, target: Path) -> int:
    seeds = sorted([*samples.glob("*.docx"), *samples.glob("*.pdf")])
    sets = max(1, forms // FORMS_PER_SET)
    for n in range(sets):
        folder = target / f"{n // 100:03d}" / f"{n:05d}"
        folder.mkdir(parents=True)
        for seed in seeds:
            os.link(seed, folder / seed.name)
    return sets * len(seeds)


def _tree_rss_kb(root: int) -> int:
    """Sum of VmRSS over root and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/statm") as f:
                rss[int(entry)] = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def measure(cmd: list[str]) -> tuple[int, float, float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    cpu = usage.ru_utime + usage.ru_stime  # the auditor and its reaped workers
    return os.waitstatus_to_exitcode(status), wall, cpu, peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--format", nargs="+", default=["json"], help="one or several report formats")
    parser.add_argument("--samples", default=str(ROOT / "samples"))
    parser.add_argument("--workdir", default=None, help="where to build the corpora (default: a temp folder)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench_scale_", dir=args.workdir))
    results: list[Result] = []
    print(f"## Scale benchmark ({time.strftime('%Y-%m-%d %H:%M')}), nproc={os.cpu_count()}, "
          f"load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}\n", flush=True)
    print("| forms | documents | jobs | wall s | forms/s | CPU/wall | peak RSS MB (tree) | report MB | KB/form | exit |")
    print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|", flush=True)
    try:
        for forms in args.forms:
            corpus = work / f"corpus_{forms}"
            documents = build(Path(args.samples), forms, corpus)
            for jobs in args.jobs:
                formats = ",".join(f for item in args.format for f in item.split(",") if f)
                several = "," in formats
                out = work / (f"review_{forms}_{jobs}" + ("" if several else f".{formats}"))
                cmd = [sys.executable, "-m", "auditor.cli", "review", str(corpus), "--format", formats,
                       "-o", f"{out}/" if several else str(out), "--jobs", str(jobs)]
                code, wall, cpu, peak = measure(cmd)
                files = list(out.iterdir()) if out.is_dir() else [out] if out.exists() else []
                size = sum(f.stat().st_size for f in files)
                r = Result(forms, jobs, wall, cpu, peak, size, documents, code)
                results.append(r)
                print(f"| {forms} | {documents} | {jobs} | {wall:.1f} | {forms / wall:.0f} | {cpu / wall:.2f} | "
                      f"{peak:.0f} | {size / 1e6:.1f} | {size / forms / 1000:.1f} | {code} |", flush=True)
                if out.is_dir():
                    shutil.rmtree(out)
                out.unlink(missing_ok=True)
            shutil.rmtree(corpus, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    for forms in args.forms:
        pair = {r.jobs: r for r in results if r.forms == forms}
        if 1 in pair and 2 in pair:
            print(f"- {forms} forms: jobs 2 / jobs 1 wall = {pair[2].wall / pair[1].wall:.2f} (goal ≤ 0.6)")
    peaks = [r.peak_mb for r in results]
    if peaks:
        print(f"- peak RSS over all runs: {min(peaks):.0f}–{max(peaks):.0f} MB (goal: flat, < 400 MB)")
    return 0 if all(r.returncode == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
