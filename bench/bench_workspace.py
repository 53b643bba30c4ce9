"""The review workspace's overhead: reviewing into a batch against a plain review, listing a
batch's findings, and recording one decision, on SQLite and (when it can start) PostgreSQL.

    python bench/bench_workspace.py [--copies 4] [--samples samples/]

Makes --copies changed copies of samples/*.txt and *.docx (each a distinct file, so each is
stored), reviews them once without a database, then into a new batch of a temporary SQLite
file and of a throwaway PostgreSQL cluster (tests/pgserver.py; AUDITOR_TEST_PG_URL if set),
and prints the seconds. A script, not a test. Goal: storing costs under half the review.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import pgserver

from auditor.pipeline import review
from auditor.settings import Settings
from auditor.workspace.queries import finding_views
from auditor.workspace.review import review_into_batch
from auditor.workspace.store import Workspace


def corpus(samples: Path, copies: int, folder: Path) -> list[Path]:
    files = []
    for n in range(copies):
        for source in sorted(samples.glob("*.txt")) + sorted(samples.glob("*.docx")):
            target = folder / f"{source.stem}_{n}{source.suffix}"
            data = source.read_bytes()
            target.write_bytes(data + (f"\n{n}\n".encode() if source.suffix == ".txt" else b"") if n else data)
            files.append(target)
    return [f for f in files if f.suffix == ".txt" or f.name.endswith("_0.docx")]


def measure(url: str, files: list[Path]) -> tuple[float, float, float, int]:
    ws = Workspace.open(url)
    start = time.perf_counter()
    review_into_batch(ws, "bench", files, Settings())
    stored = time.perf_counter() - start
    batch = ws.batch("bench").id
    start = time.perf_counter()
    views = finding_views(ws, batch)
    listed = time.perf_counter() - start
    start = time.perf_counter()
    for view in views[:50]:
        ws.decide(batch, view.id, "确认", "bench")
    decided = (time.perf_counter() - start) / max(1, min(50, len(views)))
    ws.close()
    return stored, listed, decided, len(views)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--samples", type=Path, default=ROOT / "samples")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = corpus(args.samples, args.copies, Path(tmp))
        start = time.perf_counter()
        review(files, Settings())
        plain = time.perf_counter() - start
        print(f"load average {os.getloadavg()[0]:.1f}; {len(files)} files; plain review {plain:.2f} s")
        rows = [("SQLite", measure(str(Path(tmp) / "bench.db"), files))]
        try:
            with pgserver.server() as admin:
                rows.append(("PostgreSQL", measure(pgserver.create_database(admin, "bench"), files)))
        except RuntimeError as exc:
            print(f"PostgreSQL skipped: {exc}")
        for name, (stored, listed, decided, findings) in rows:
            print(f"{name:<10} review into a batch {stored:.2f} s (+{stored - plain:.2f} s), "
                  f"list {findings} findings {listed * 1000:.0f} ms, one decision {decided * 1000:.1f} ms")


if __name__ == "__main__":
    main()
