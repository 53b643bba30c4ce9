"""Extraction throughput on one core: PDF, DOCX, Excel (.xlsx, .xls) and text exports to
typed records; for PDF also the floor any table reader pays (pymupdf's text with positions
and drawings) and pymupdf's own ``page.find_tables()``; old Word (.doc, through
LibreOffice) with ``--doc``; scanned PDFs (OCR, cache off) with ``--ocr FILES``.

    python bench/bench_extract.py [FOLDER] [--repeat N] [--no-pin] [--doc] [--ocr FILES]

FOLDER defaults to samples/. Files are read into memory first; only parsing is timed.
After one untimed warm-up pass, the set is looped N times; rates are total work over total
time of those N passes (the best single pass is shown too). A script, not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("PYMUPDF_SUGGEST_LAYOUT_ANALYZER", "0")
import pymupdf

from auditor.ingest import read_bytes
from auditor.pipeline import extract_bytes

ROOT = Path(__file__).resolve().parents[1]
GOAL_PAGES_PER_S = 50.0
GOAL_FLOOR_SHARE = 0.70  # issue 10: PDF → records at 70 % of the floor's pages/s


@dataclass
class Pass:
    docs: int = 0
    pages: int = 0
    forms: int = 0
    errors: int = 0


@dataclass
class Row:
    name: str
    work: Pass
    seconds: float  # mean of the timed passes
    best: float  # fastest pass
    cpu: float  # mean CPU time of this process per pass (robust to other load on the core)


def _records(files: list[tuple[str, bytes]]) -> Pass:
    out = Pass()
    for name, data in files:
        result = extract_bytes(data, name)
        out.docs += 1
        out.pages += result.pages or 0
        out.forms += len(result.forms)
        out.errors += result.error is not None
    return out


def _find_tables(files: list[tuple[str, bytes]]) -> Pass:
    out = Pass()
    for _, data in files:
        with pymupdf.open(stream=data, filetype="pdf") as pdf:
            for page in pdf:
                for table in page.find_tables().tables:
                    table.extract()
                out.pages += 1
        out.docs += 1
    return out


def _floor(files: list[tuple[str, bytes]]) -> Pass:
    """What any reader of a PDF's tables must at least do (issue 10): pymupdf's text with
    positions (``get_text('dict')``) and vector drawings (``get_drawings()``) per page."""
    out = Pass()
    for _, data in files:
        with pymupdf.open(stream=data, filetype="pdf") as pdf:
            for page in pdf:
                page.get_text("dict")
                page.get_drawings()
                out.pages += 1
        out.docs += 1
    return out


def _read_only(files: list[tuple[str, bytes]]) -> Pass:
    """The first half of ``_records``: the PDF into the neutral Document, no forms."""
    out = Pass()
    for name, data in files:
        out.pages += read_bytes(data, name).pages or 0
        out.docs += 1
    return out


def _scans(files: list[tuple[str, bytes]]) -> Pass:
    """Scanned PDFs end to end (render, OCR, forms) with an empty OCR cache each pass."""
    os.environ["AUDITOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench_ocr_cache_")
    try:
        return _records(files)
    finally:
        shutil.rmtree(os.environ.pop("AUDITOR_CACHE_DIR"), ignore_errors=True)


def _timed(name: str, run: Callable[[], Pass], repeat: int) -> Row:
    run()  # warm-up: imports, font and regex caches
    times: list[float] = []
    cpu_start = time.process_time()
    work = Pass()
    for _ in range(repeat):
        start = time.perf_counter()
        work = run()
        times.append(time.perf_counter() - start)
    cpu = (time.process_time() - cpu_start) / repeat
    return Row(name, work, sum(times) / len(times), min(times), cpu)


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.1f}" if n and seconds > 0 else "–"


def _table(rows: list[Row]) -> str:
    lines = [
        "| stage | docs | pages | forms | errors | s/pass wall mean / best / CPU | pages/s | ms/page | forms/s | docs/s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        w = r.work
        ms_page = f"{1000 * r.seconds / w.pages:.1f}" if w.pages else "–"
        forms = str(w.forms) if r.name.startswith("auditor") else "–"
        lines.append(
            f"| {r.name} | {w.docs} | {w.pages or '–'} | {forms} | {w.errors} | {r.seconds:.3f} / {r.best:.3f} / {r.cpu:.3f} "
            f"| {_rate(w.pages, r.seconds)} | {ms_page} | {_rate(w.forms, r.seconds)} "
            f"| {_rate(w.docs, r.seconds)} |"
        )
    return "\n".join(lines)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _machine(pinned: bool) -> str:
    return (
        f"- machine: nproc={os.cpu_count()}, CPU {_cpu_model()}, {platform.system()} {platform.release()}\n"
        f"- Python {platform.python_version()}, pymupdf {pymupdf.VersionBind} (MuPDF {pymupdf.VersionFitz})\n"
        f"- {'pinned to core 0 (sched_setaffinity)' if pinned else 'not pinned'}; single process, one thread"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(ROOT / "samples"))
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the set")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the process to core 0")
    parser.add_argument("--doc", action="store_true", help="also .doc files (LibreOffice, seconds each)")
    parser.add_argument("--ocr", type=int, default=0, metavar="FILES",
                        help="also the first FILES scanned PDFs of eval/seeds (OCR, one pass, cache off; ~3 s a page)")
    args = parser.parse_args(argv)

    pinned = False
    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
        pinned = True

    folder = Path(args.folder)
    by_kind: dict[str, list[tuple[str, bytes]]] = {}
    for suffix in (".pdf", ".docx", ".txt", ".xlsx", ".xls", *((".doc",) if args.doc else ())):
        by_kind[suffix] = [
            (str(p), p.read_bytes()) for p in sorted(folder.rglob(f"*{suffix}")) if not p.name.endswith(".scan.pdf")
        ]  # scans: bench_ocr.py
    if not any(by_kind.values()):
        print(f"no .pdf/.docx/.txt files under {folder}", file=sys.stderr)
        return 2

    repeat = max(1, args.repeat)
    load = os.getloadavg()
    rows: list[Row] = []
    if by_kind[".pdf"]:
        rows.append(_timed("auditor PDF → records", lambda: _records(by_kind[".pdf"]), repeat))
        rows.append(_timed("… of which PDF → Document", lambda: _read_only(by_kind[".pdf"]), repeat))
        rows.append(_timed("floor: get_text('dict') + get_drawings()", lambda: _floor(by_kind[".pdf"]), repeat))
        rows.append(
            _timed("pymupdf find_tables (PDF)", lambda: _find_tables(by_kind[".pdf"]), repeat)
        )
    if by_kind[".docx"]:
        rows.append(_timed("auditor DOCX → records", lambda: _records(by_kind[".docx"]), repeat))
    if by_kind[".txt"]:
        rows.append(
            _timed("auditor text export → records", lambda: _records(by_kind[".txt"]), repeat)
        )
    for suffix, name in ((".xlsx", "auditor XLSX → records"), (".xls", "auditor XLS → records")):
        if by_kind[suffix]:
            rows.append(_timed(name, lambda s=suffix: _records(by_kind[s]), repeat))  # type: ignore[misc]
    if args.ocr:
        scans = [(str(p), p.read_bytes()) for p in sorted((ROOT / "eval" / "seeds").glob("*.scan.pdf"))[: args.ocr]]
        os.environ.setdefault("AUDITOR_OCR_THREADS", "1")  # one core, as the other rows
        rows.append(_timed("auditor scanned PDF (OCR) → records", lambda: _scans(scans), 1))
    if by_kind.get(".doc"):
        rows.append(_timed("auditor DOC (LibreOffice) → records", lambda: _records(by_kind[".doc"]), 1))

    print(
        f"## Extraction benchmark ({time.strftime('%Y-%m-%d')}, {folder}, {repeat} timed passes, figures per pass)\n"
    )
    print(_table(rows))
    print()
    print(_machine(pinned))
    print(
        f"- load average before the run: {' '.join(f'{x:.2f}' for x in load)} (other work slows wall times)"
    )
    pdf = next((r for r in rows if r.name.startswith("auditor PDF")), None)
    ft = next((r for r in rows if r.name.startswith("pymupdf")), None)
    if pdf and pdf.work.pages:
        rate = pdf.work.pages / pdf.seconds
        verdict = "met" if rate >= GOAL_PAGES_PER_S else "NOT met"
        print(
            f"- goal ≥ {GOAL_PAGES_PER_S:.0f} PDF pages/s end to end: {rate:.1f} pages/s (wall, mean) — {verdict}; "
            f"best pass {pdf.work.pages / pdf.best:.1f}, by CPU time {pdf.work.pages / pdf.cpu:.1f} pages/s"
        )
        floor = next((r for r in rows if r.name.startswith("floor")), None)
        if floor and floor.cpu:
            share = floor.cpu / pdf.cpu
            print(
                f"- the floor reads {floor.work.pages / floor.cpu:.1f} pages/s by CPU time; auditor PDF → records is "
                f"{share:.0%} of it (goal ≥ {GOAL_FLOOR_SHARE:.0%}: {'met' if share >= GOAL_FLOOR_SHARE else 'NOT met'})"
            )
        if ft and ft.seconds:
            print(
                f"- auditor PDF → records is {ft.seconds / pdf.seconds:.1f}× pymupdf find_tables alone"
            )
    ocr = next((r for r in rows if "OCR" in r.name), None)
    if ocr and ocr.work.pages:
        rate = ocr.work.pages / ocr.seconds
        print(f"- scanned PDF (OCR): {rate:.2f} pages/s ({ocr.seconds / ocr.work.pages:.2f} s a page; goal ≥ 1: "
              f"{'met' if rate >= 1 else 'NOT met'})")
    for row in rows:
        if row.name in ("auditor XLSX → records", "auditor XLS → records", "auditor DOC (LibreOffice) → records") and row.work.forms:
            print(f"- {row.name.removeprefix('auditor ').removesuffix(' → records')}: {row.work.forms / row.seconds:.1f} forms/s (wall, mean), by CPU time {row.work.forms / row.cpu:.1f}")
    if any(r.work.errors for r in rows):
        print("- WARNING: some documents gave an error; their pages still count in pages/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
