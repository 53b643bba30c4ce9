import os
from pathlib import Path

import pytest

os.environ.setdefault("PYMUPDF_SUGGEST_LAYOUT_ANALYZER", "0")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEEDS = sorted(p.stem for p in SAMPLES.glob("*.txt"))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES
