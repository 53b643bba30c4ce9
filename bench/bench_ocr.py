"""OCR of scanned PDFs: speed on one core, and what OCR changes in the records.

    python bench/bench_ocr.py speed   [FOLDER] [--pages N] [--dpi 200]
    python bench/bench_ocr.py compare [FOLDER]
    python bench/bench_ocr.py cells   [FOLDER]

``speed`` recognises the first N pages of the ``*.scan.pdf`` files in FOLDER (default
eval/seeds/, where the seed scans are) with the cache off, on one core (``OMP_NUM_THREADS=1``, onnxruntime intra-op
threads = 1, pinned to core 0), after one untimed warm-up page, and prints pages/s.

``compare`` reads each ``NNN.scan.pdf`` beside its ``NNN.txt`` (the cache is used: run
``auditor eval DIR --rendition scan`` first or expect minutes), flattens both records to
(path → value) and counts the numeric values that are identical and those that differ,
listing every difference with what kind of OCR confusion it is. ``cells`` compares the
scan's table cells with the text PDF's, cell by cell, and lists every correction OCR made.
A script, not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("AUDITOR_OCR_THREADS", "1")
os.environ.setdefault("PYMUPDF_SUGGEST_LAYOUT_ANALYZER", "0")

ROOT = Path(__file__).resolve().parents[1]
GOAL_PAGES_PER_S = 1.0


def speed(folder: Path, pages: int, dpi: int, pin: bool) -> None:
    import pymupdf

    from auditor.ingest import ocr

    if pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    scans = sorted(folder.rglob("*.scan.pdf"))
    if not scans:
        raise SystemExit(f"no *.scan.pdf under {folder} (python samples/build_samples.py samples eval/seeds --renditions scan makes them)")
    todo = [(path, n) for path in scans for n in range(pymupdf.open(path).page_count)][: pages + 1]
    print(f"load average at start: {os.getloadavg()}; engine {ocr.engine_version()}; {dpi} dpi")
    nocache = ocr.ScanCache(None)
    docs = {path: pymupdf.open(path) for path, _ in todo}
    path, n = todo[0]
    ocr.scan_page(docs[path][n], n + 1, dpi, nocache)  # warm-up: loads the models
    wall, cpu = time.perf_counter(), time.process_time()
    lines = 0
    for path, n in todo[1:]:
        lines += len(ocr.scan_page(docs[path][n], n + 1, dpi, nocache).lines)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    count = len(todo) - 1
    rate = count / wall
    print("| pages | text lines | wall s | CPU s | pages/s | s/page |\n| ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {count} | {lines} | {wall:.1f} | {cpu:.1f} | {rate:.2f} | {wall / count:.2f} |")
    print(f"goal ≥ {GOAL_PAGES_PER_S} page/s on one core: {'met' if rate >= GOAL_PAGES_PER_S else 'NOT met'}")


def flatten(data: Any, path: str = "") -> dict[str, dict[str, Any]]:
    """Every Value in the records (a dict with 'text' and 'quantity') by its path."""
    out: dict[str, dict[str, Any]] = {}
    if isinstance(data, dict):
        if "text" in data and "quantity" in data:
            out[path] = data
            return out
        for key, value in data.items():
            if key not in ("location", "notes"):
                out.update(flatten(value, f"{path}.{key}"))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.update(flatten(value, f"{path}[{i}]"))
    return out


def confusion(a: str, b: str) -> str:
    """What kind of OCR difference turns text a into text b."""
    import difflib

    if a.replace(".", "") == b.replace(".", "") and a.count(".") != b.count("."):
        return "lost/added decimal point"
    ops = difflib.SequenceMatcher(None, a, b).get_opcodes()
    parts = [f"{op} '{a[i1:i2]}'→'{b[j1:j2]}'" for op, i1, i2, j1, j2 in ops if op != "equal"]
    return "; ".join(parts) or "same text, other reading"


def compare(folder: Path) -> None:
    from auditor.pipeline import extract_path

    total_same = total_diff = total_missing = 0
    for scan in sorted(folder.glob("*.scan.pdf")):
        txt = scan.with_name(scan.name[: -len(".scan.pdf")] + ".txt")
        if not txt.is_file():
            continue
        a, b = extract_path(txt), extract_path(scan)
        if b.error:
            print(f"{scan.name}: {b.error}")
            continue
        va = flatten([f.model_dump(mode="json") for f in a.forms])
        vb = flatten([f.model_dump(mode="json") for f in b.forms])
        same = diff = missing = 0
        notes = []
        for path, value in va.items():
            number = value["quantity"].get("number")
            if number is None:
                continue
            other = vb.get(path)
            if other is None:
                missing += 1
                notes.append(f"  missing  {path}: {value['text']!r}")
            elif other["quantity"].get("number") == number and other["text"] == value["text"]:
                same += 1
            elif other["quantity"].get("number") == number:
                same += 1
                notes.append(f"  same number, text {value['text']!r} → {other['text']!r}  {path}")
            else:
                diff += 1
                notes.append(f"  DIFFERENT {value['text']!r} → {other['text']!r} ({confusion(value['text'], other['text'])})  {path}")
        print(f"{scan.name}: forms {len(a.forms)}/{len(b.forms)}; numeric values identical {same}, different {diff}, missing {missing}")
        for note in notes:
            print(note)
        total_same, total_diff, total_missing = total_same + same, total_diff + diff, total_missing + missing
    print(f"\nall: numeric values identical {total_same}, different {total_diff}, missing in scan {total_missing}")


def cells(folder: Path) -> None:
    """Cell by cell, scan against the text PDF (same grid): numeric cells identical or
    not, and every correction OCR made (letters in numbers, dashes, '/' for '1')."""
    from auditor.document import clean_text
    from auditor.ingest import read_path
    from auditor.values import parse_value

    numeric = same = 0
    corrected: list[str] = []
    differ: list[str] = []
    for scan in sorted(folder.glob("*.scan.pdf")):
        text_pdf = scan.with_name(scan.name[: -len(".scan.pdf")] + ".pdf")
        a, b = read_path(text_pdf), read_path(scan)
        for ta, tb in zip(a.tables, b.tables):
            for ra, rb in zip(ta.rows, tb.rows):
                for ca, cb in zip(ra, rb):
                    if cb.ocr_raw is not None:
                        corrected.append(f"  {scan.name[:3]} p{cb.prov.page} {cb.ocr_raw!r} → {cb.text!r} (text PDF: {ca.text!r})")
                    if parse_value(ca.text).number is None:
                        continue
                    numeric += 1
                    if clean_text(ca.text) == clean_text(cb.text):
                        same += 1
                    else:
                        differ.append(f"  {scan.name[:3]} p{cb.prov.page} {ca.text!r} → {cb.text!r} ({confusion(ca.text, cb.text)})")
    print(f"numeric cells: {numeric}; identical {same}; different {numeric - same}")
    print(*differ, sep="\n")
    print(f"cells OCR corrected (marked low confidence): {len(corrected)}")
    print(*corrected, sep="\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["speed", "compare", "cells"])
    p.add_argument("folder", nargs="?", default=str(ROOT / "eval" / "seeds"))
    p.add_argument("--pages", type=int, default=6)
    p.add_argument("--dpi", type=int, default=200)
    p.add_argument("--no-pin", action="store_true")
    args = p.parse_args(argv)
    if args.mode == "speed":
        speed(Path(args.folder), args.pages, args.dpi, not args.no_pin)
    elif args.mode == "cells":
        cells(Path(args.folder))
    else:
        compare(Path(args.folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
