"""Scanned PDFs through offline OCR (auditor.ingest.ocr).

Fast tests build page results by hand (``PageScan``) and need no engine; the few that run
the real engine recognise one small page each, with the cache in a temporary folder.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from pydantic import BaseModel

from auditor.checks import UNCERTAIN_NOTE, load_rules, run_rules
from auditor.checks import Context as RuleContext
from auditor.document import LOW_CONFIDENCE, Paragraph
from auditor.errors import DocumentLoadError
from auditor.ingest import ocr
from auditor.ingest.pdf import read_pdf
from auditor.ingest.places import correct_places
from auditor.pipeline import extract_bytes
from auditor.records import Location, Value
from auditor.render.annotate import render_page_png
from auditor.settings import Settings
from tests.conftest import SAMPLES
from tests.formbuilder import project_form

cv2 = pytest.importorskip("cv2")
SEED = "004_9646776e878436bb"


@pytest.fixture(autouse=True, scope="module")
def _module_cache(tmp_path_factory: pytest.TempPathFactory) -> object:
    """One OCR cache for this module's tests (each page is recognised once), never the
    user's: a test that needs an empty cache makes its own."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUDITOR_CACHE_DIR", str(tmp_path_factory.mktemp("ocr-cache")))
        yield


def _scan_of(pdf: pymupdf.Document, pages: list[int], dpi: int = 200, turn: int = 0, skew: float = 0.0) -> bytes:
    """An image-only PDF of some pages of a text PDF, as a scanner makes it: grey, no
    text layer; optionally fed sideways (``turn`` = 90) or slightly skewed."""
    out = pymupdf.open()
    for index in pages:
        page = pdf[index]
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
        grey = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]
        width, height = page.rect.width, page.rect.height
        if skew:
            h, w = grey.shape
            m = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
            grey = cv2.warpAffine(grey, m, (w, h), borderValue=255)
        if turn:
            grey = np.ascontiguousarray(np.rot90(grey, k=turn // 90))
            if turn in (90, 270):
                width, height = height, width
        new = out.new_page(width=width, height=height)
        new.insert_image(new.rect, stream=cv2.imencode(".png", grey)[1].tobytes())
    return out.tobytes()


def _cells(doc: object) -> list[list[str]]:
    return [[c.text for c in row if not c.continuation] for t in doc.tables for row in t.rows]  # type: ignore[attr-defined]


# --- digits: only safe fixes, and marked ------------------------------------------------


@pytest.mark.parametrize(
    ("read", "text", "guessed"),
    [
        ("9O", "90", True),  # letter O in a number
        ("1O.5", "10.5", True),
        ("l00%", "100%", True),  # lower-case L
        ("I2", "12", True),
        ("95。5", "95.5", True),  # ideographic full stop between digits
        ("１２３", "123", False),  # full-width digits: the same characters, folded
        ("-", "—", True),  # an ASCII dash alone: the form's dash
        ("一", "一", False),  # a section number, or a dash misread: no number either way
        ("二", "二", False),
        ("90", "90", False),
        ("≥95%", "≥95%", False),
        ("O型车", "O型车", False),  # not a number: left as read
        ("Office", "Office", False),
        ("完成。", "完成。", False),
    ],
)
def test_fix_numeric_fixes_only_safe_confusions(read: str, text: str, guessed: bool) -> None:
    assert ocr.fix_numeric(read) == (text, guessed)


# --- page results → the text path's grid ------------------------------------------------


def _grid_scan(rotation_matrix: ocr.Matrix = (1, 0, 0, 0, 1, 0)) -> ocr.PageScan:
    """A 3×3 grid at x 100/200/300/400, y 100/130/160/190 whose top row is one merged cell,
    with text lines in some cells and a title above it."""
    h = [(y, 100.0, 400.0) for y in (100.0, 130.0, 160.0, 190.0)]
    v = [(100.0, 100.0, 190.0), (400.0, 100.0, 190.0), (200.0, 130.0, 190.0), (300.0, 130.0, 190.0)]
    lines = [
        ocr.OCRLine((150, 60, 350, 75), "项目支出绩效自评表", 0.99),
        ocr.OCRLine((150, 105, 350, 125), "项目资金（万元）", 0.98),
        ocr.OCRLine((110, 135, 190, 145), "年度资金", 0.97),
        ocr.OCRLine((110, 146, 190, 156), "总额", 0.96),  # wrapped onto a second line
        ocr.OCRLine((210, 138, 290, 152), "9O", 0.95),  # letter O: fixed, marked
        ocr.OCRLine((310, 138, 390, 152), "88.5", 0.62),  # low confidence
        ocr.OCRLine((210, 168, 290, 182), "1", 0.99),
        ocr.OCRLine((252, 168, 256, 182), "2", 0.99),  # same visual line, to the right
    ]
    return ocr.PageScan(500, 300, h, v, lines, rotation_matrix, 0, 0.0)


def test_page_content_builds_the_grid_with_merges_wrapped_text_and_confidence() -> None:
    content = ocr.page_content(_grid_scan(), 1)
    paragraphs = [i for i in content.items if isinstance(i, Paragraph)]
    assert [p.text for p in paragraphs] == ["项目支出绩效自评表"]
    assert paragraphs[0].prov.confidence == 0.99
    (table,) = [i for i in content.items if not isinstance(i, Paragraph)]
    cells = {(c.row, c.col): c for c in table.cells}
    assert cells[(0, 0)].colspan == 3 and cells[(0, 0)].text == "项目资金（万元）"
    assert cells[(1, 0)].text == "年度资金总额"  # wrapped lines joined
    assert cells[(1, 0)].confidence == 0.96  # the lowest of its lines
    assert (cells[(1, 1)].text, cells[(1, 1)].ocr_raw) == ("90", "9O")
    assert cells[(1, 1)].confidence is not None and cells[(1, 1)].confidence < LOW_CONFIDENCE
    assert cells[(1, 2)].text == "88.5" and cells[(1, 2)].confidence == 0.62
    assert cells[(2, 1)].text == "12"  # two boxes on one line, left to right
    assert cells[(1, 0)].bbox == (100.0, 130.0, 200.0, 160.0)


@pytest.mark.parametrize(
    ("read", "text"),
    [
        ("株洲市录口区机关事务服务中心", "株洲市渌口区机关事务服务中心"),  # 渌 read as 录
        ("湖南省株洲市录口区", "湖南省株洲市渌口区"),
        ("北京市东成区教育委员会", "北京市东城区教育委员会"),  # a province-level city's district
        ("株洲市渌口区机关事务服务中心", "株洲市渌口区机关事务服务中心"),  # right as read
        ("株洲市天元村", "株洲市天元村"),  # not a division word: not a county name
        ("株洲市高新区管委会", "株洲市高新区管委会"),  # no county one character away
        ("录口区机关事务服务中心", "录口区机关事务服务中心"),  # no prefecture named before it
        ("湖南省录口区", "湖南省录口区"),  # a province is not the county's parent
    ],
)
def test_misread_county_names_are_set_right_only_after_their_prefecture(read: str, text: str) -> None:
    assert correct_places(read) == text


def test_a_cell_whose_place_name_was_set_right_keeps_what_was_read() -> None:
    scan = _grid_scan()
    scan.lines[2] = ocr.OCRLine((110, 135, 190, 145), "株洲市录口区", 0.99)
    scan.lines[3] = ocr.OCRLine((110, 146, 190, 156), "机关事务服务中心", 0.99)
    (table,) = [i for i in ocr.page_content(scan, 1).items if not isinstance(i, Paragraph)]
    cell = next(c for c in table.cells if (c.row, c.col) == (1, 0))
    assert (cell.text, cell.ocr_raw) == ("株洲市渌口区机关事务服务中心", "株洲市录口区机关事务服务中心")
    assert cell.confidence is not None and cell.confidence < LOW_CONFIDENCE


def test_page_content_maps_boxes_back_to_the_page_as_shown() -> None:
    # the upright image was the page turned 90° clockwise: a point (x, y) upright is
    # (y, W - x) on the page as shown, W = 500 the upright width
    content = ocr.page_content(_grid_scan((0, 1, 0, -1, 0, 500)), 1)
    (table,) = [i for i in content.items if not isinstance(i, Paragraph)]
    cell = next(c for c in table.cells if c.text == "年度资金总额")
    assert cell.bbox == (130.0, 300.0, 160.0, 400.0)


def test_right_angle_maps_invert_the_turns() -> None:
    grey = np.zeros((20, 30), np.uint8)
    grey[2, 5] = 255  # (x=5, y=2)
    for rotation in (0, 90, 180, 270):
        turned, back = ocr._rotate_right_angle(grey, rotation)
        y, x = (int(v[0]) for v in np.nonzero(turned))
        ox, oy, _, _ = ocr.map_bbox(back, (x, y, x, y))
        assert (round(ox), round(oy)) in {(5, 2), (6, 2), (5, 3), (6, 3)}, rotation  # pixel corner


def test_page_scan_survives_the_cache(tmp_path: Path) -> None:
    cache = ocr.ScanCache(tmp_path)
    scan = _grid_scan()
    cache.put("ab" * 32, scan)
    assert cache.get("ab" * 32) == scan
    assert cache.get("cd" * 32) is None


# --- findings resting on low-confidence values ----------------------------------------


def _with_confidence(form: object, confidence: float) -> object:
    """The form with every value marked as OCR'd with this confidence."""
    def mark(node: object) -> None:
        if isinstance(node, Value):
            node.location = Location(**{**node.location.model_dump(), "page": 1, "bbox": (1, 2, 3, 4), "confidence": confidence})
        elif isinstance(node, BaseModel):
            for name in type(node).model_fields:
                mark(getattr(node, name))
        elif isinstance(node, list):
            for item in node:
                mark(item)
    mark(form)
    return form


def _findings(form: object) -> list:
    load_rules()
    ctx = RuleContext(file="x.pdf", forms=[form], profile=Settings().scoring_profile(), tol=Settings().tolerances)  # type: ignore[list-item]
    return run_rules([form], ctx, codes=["funds.executed_exceeds_budget"])  # type: ignore[list-item]


def test_a_finding_on_a_low_confidence_value_says_so() -> None:
    total = {"initial": "5", "budget": "5", "executed": "5.02"}
    (finding,) = _findings(_with_confidence(project_form(total=total), 0.5))
    assert finding.message.endswith(f"（{UNCERTAIN_NOTE}）")
    assert finding.location.confidence == 0.5 and finding.location.bbox == (1, 2, 3, 4)
    assert finding.expected == "≤ 5" and finding.actual == "5.02"  # the numbers still shown
    (sure,) = _findings(_with_confidence(project_form(total=total), 0.99))
    assert UNCERTAIN_NOTE not in sure.message
    (text,) = _findings(project_form(total=total))  # no OCR at all
    assert UNCERTAIN_NOTE not in text.message and text.location.confidence is None


# --- bad input --------------------------------------------------------------------------


def test_a_huge_page_is_refused_before_rendering() -> None:
    pdf = pymupdf.open()
    pdf.new_page(width=14000, height=14000)
    with pytest.raises(DocumentLoadError, match=r"尺寸过大.*像素上限"):
        read_pdf(pdf.tobytes(), "huge.pdf")


def test_a_large_page_is_rendered_at_a_lower_resolution() -> None:
    page = pymupdf.open().new_page(width=2384, height=3370)  # A0: 62 M pixels at 200 dpi
    dpi = ocr._page_dpi(page, 1, 200)
    assert ocr.MIN_DPI <= dpi < 200
    assert (2384 / 72 * dpi) * (3370 / 72 * dpi) <= ocr.MAX_PIXELS


def test_without_the_engine_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "_ENGINE", None)
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # import fails as if not installed
    with pymupdf.open(SAMPLES / f"{SEED}.pdf") as text_pdf:
        data = _scan_of(text_pdf, [0], dpi=50)
    result = extract_bytes(data, "scan.pdf")
    assert result.error is not None and "未安装OCR引擎" in result.error and "pip install" in result.error


# --- the real engine, one small page each ---------------------------------------------


@pytest.fixture(scope="module")
def seed_page_1() -> tuple[bytes, object, object]:
    """Page 1 of a seed's text PDF, scanned sideways and skewed; its text-layer reading
    and its OCR reading."""
    with pymupdf.open(SAMPLES / f"{SEED}.pdf") as text_pdf:
        scan = _scan_of(text_pdf, [0], turn=90, skew=0.6)
        one = pymupdf.open()
        one.insert_pdf(text_pdf, from_page=0, to_page=0)
        text = read_pdf(one.tobytes(), "text.pdf")
    return scan, text, read_pdf(scan, "scan.pdf")


def test_a_scanned_form_page_reads_like_its_text_layer(
    seed_page_1: tuple[bytes, object, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    scan, text, doc = seed_page_1
    assert doc.ocr_pages == [1]
    got, want = _cells(doc), _cells(text)
    assert [len(r) for r in got] == [len(r) for r in want]  # same grid, merges included
    pairs = [(a, b) for ra, rb in zip(got, want) for a, b in zip(ra, rb)]
    same = sum(a == b for a, b in pairs)
    assert same / len(pairs) >= 0.9, [p for p in pairs if p[0] != p[1]]
    numbers = [(a, b) for a, b in pairs if b and b.replace(".", "").isdigit()]
    assert numbers and all(a == b for a, b in numbers)
    cells = [c for t in doc.tables for row in t.rows for c in row if c.text]
    assert all(c.prov.page == 1 and c.prov.bbox and c.prov.confidence is not None for c in cells)
    # the page was fed sideways: boxes are on the page as shown (landscape → portrait box)
    page_w, page_h = pymupdf.open(stream=scan, filetype="pdf")[0].rect[2:]
    assert all(0 <= c.prov.bbox[0] < c.prov.bbox[2] <= page_w + 1 for c in cells)  # type: ignore[index]
    assert all(0 <= c.prov.bbox[1] < c.prov.bbox[3] <= page_h + 1 for c in cells)  # type: ignore[index]

    # a re-run does no OCR: the engine is not even asked for
    monkeypatch.setattr(ocr, "_engine", lambda: pytest.fail("OCR ran again despite the cache"))
    again = read_pdf(scan, "scan.pdf")
    assert _cells(again) == got


def test_the_evidence_view_shows_the_scanned_pixels(seed_page_1: tuple[bytes, object, object]) -> None:
    scan, _, doc = seed_page_1
    cell = next(c for t in doc.tables for row in t.rows for c in row if c.text)  # type: ignore[attr-defined]
    png = render_page_png(scan, 1, [(cell.prov.bbox, "error")], zoom=1.0)  # type: ignore[list-item]
    pix = pymupdf.Pixmap(png)
    x0, y0, x1, y1 = (int(v) for v in cell.prov.bbox)  # type: ignore[union-attr]
    crop = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[y0:y1, x0:x1]
    assert (crop.min(axis=2) < 100).any(), "no dark pixels (text) where the cell is"


def test_an_upside_down_scan_with_no_table_gives_paragraphs_and_the_forms_error() -> None:
    pdf = pymupdf.open()
    page = pdf.new_page(width=420, height=300)
    page.insert_text((40, 80), "关于报送2022年度工作总结的函", fontname="china-s", fontsize=16)
    page.insert_text((40, 130), "现将我单位工作总结报送如下，请审阅。", fontname="china-s", fontsize=12)
    scan = _scan_of(pdf, [0], turn=180)  # fed upside down
    doc = read_pdf(scan, "letter.pdf")
    assert not doc.tables
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert texts[1] == "现将我单位工作总结报送如下，请审阅。", texts  # read, and in order
    result = extract_bytes(scan, "letter.pdf")
    assert result.error is not None and "未识别到绩效表格" in result.error


def test_values_of_a_scanned_total_row_are_decimals(seed_page_1: tuple[bytes, object, object]) -> None:
    scan, _, _ = seed_page_1
    result = extract_bytes(scan, "scan.pdf")
    assert result.error is None and result.forms
    numbers = [v for f in result.forms for v in _values(f) if v.number is not None]
    assert numbers and all(isinstance(v.number, Decimal) for v in numbers)
    assert all(v.location.confidence is not None for v in numbers)


def _values(node: object) -> list[Value]:
    if isinstance(node, Value):
        return [node]
    if isinstance(node, list):
        return [v for item in node for v in _values(item)]
    if isinstance(node, BaseModel):
        return [v for name in type(node).model_fields for v in _values(getattr(node, name))]
    return []



def test_only_rules_that_meet_a_horizontal_one_are_cell_walls() -> None:
    horizontal = [(100.0, 0.0, 500.0), (160.0, 0.0, 500.0)]
    vertical = [
        (200.0, 100.0, 160.0),  # a wall between two rules
        (300.0, 101.5, 130.0),  # meets the top rule only: still a wall
        (400.0, 20.0, 70.0),  # a long stroke of a title character, touching nothing
    ]
    assert ocr._table_walls(vertical, horizontal, near=3.0) == vertical[:2]


def test_a_line_is_cut_only_at_a_wall_it_crosses() -> None:
    class Reader:  # stands in for the recogniser: names each piece by its width
        def recognize_txt(self, crops: list) -> object:
            return type("Out", (), {"txts": tuple(f"w{c.shape[1]}" for c in crops), "scores": [0.97] * len(crops)})()

    image = np.full((50, 300), 255, np.uint8)
    walls = [(150.0, 0.0, 50.0)]
    kept = ocr._split_at_walls((10, 10, 140, 30), "分值", 0.99, walls, image, Reader())
    assert kept == [((10, 10, 140, 30), "分值", 0.99)]  # no wall inside: as read
    cut = ocr._split_at_walls((100, 10, 220, 30), "分值|执行率", 0.78, walls, image, Reader())
    gap = ocr.WALL_GAP
    assert cut == [((100, 10, 150 - gap, 30), f"w{50 - gap}", 0.97), ((150 + gap, 10, 220, 30), f"w{70 - gap}", 0.97)]


def test_lone_dashes_and_slashes_are_read_from_their_shape() -> None:
    scale = 200 / 72
    ink = np.zeros((200, 400), np.uint8)
    ink[50:53, 100:130] = 255  # a dash, 30 px wide: not seen by the detector
    for dy in range(30):  # a slash leaning right, 30 px high
        ink[100 + dy, 212 - dy // 3 : 215 - dy // 3] = 255
    ink[150:180, 300:303] = 255  # an upright stroke: left alone
    ink[20:23, 300:330] = 255  # a flat stroke inside a text line already read: left alone
    hmask = np.zeros_like(ink)
    marks = ocr._marks(ink, hmask, [(290, 10, 340, 30)], scale)
    assert [text for _, text in marks] == ["—", "/"]
    hmask[51, 150:390] = 255  # a rule in line with the dash: the dash is a broken piece of it
    assert [text for _, text in ocr._marks(ink, hmask, [(290, 10, 340, 30)], scale)] == ["/"]


# --- page progress: the OCR loop tells whoever reads the document, across the pool ------


@pytest.fixture(scope="module")
def small_scan() -> bytes:
    """A two-page scan: a short letter (recognised) and a blank page (skipped as blank)."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=420, height=300)
    page.insert_text((40, 80), "关于报送2022年度工作总结的函", fontname="china-s", fontsize=16)
    pdf.new_page(width=420, height=300)
    return _scan_of(pdf, [0, 1])


@pytest.mark.parametrize("jobs", [1, 2])
def test_page_progress_of_a_scan_comes_through_the_pool(small_scan: bytes, jobs: int) -> None:
    from auditor.parallel import Limits, Task, run

    notes: list[tuple[str, int, int]] = []
    text = SAMPLES / f"{SEED}.txt"
    tasks = [Task(name="扫描件.pdf", data=small_scan), Task.of_path(text), Task(name="again.pdf", data=small_scan)]
    limits = Limits() if jobs > 1 else None
    outcomes = list(run(tasks, Settings(), jobs, limits, isolate=limits is not None, pages=lambda *n: notes.append(n)))
    assert [o.document.file for o in outcomes] == ["扫描件.pdf", str(text), "again.pdf"]
    assert outcomes[1].document.error is None  # the text export has no pages to note
    for name in ("扫描件.pdf", "again.pdf"):
        assert [n for n in notes if n[0] == name] == [(name, 0, 2), (name, 1, 2), (name, 2, 2)]
    assert {n[0] for n in notes} == {"扫描件.pdf", "again.pdf"}


def test_read_scanned_pages_reports_to_its_own_callback_first(small_scan: bytes) -> None:
    from auditor.ingest.pages import pages_to

    direct: list[tuple[int, int]] = []
    ambient: list[tuple[int, int]] = []
    with pages_to(lambda d, t: ambient.append((d, t))):
        ocr.read_scanned_pages(pymupdf.open(stream=small_scan, filetype="pdf"), [1, 2], progress=lambda d, t: direct.append((d, t)))
        assert direct == [(0, 2), (1, 2), (2, 2)] and ambient == []
        ocr.read_scanned_pages(pymupdf.open(stream=small_scan, filetype="pdf"), [2])
    assert ambient == [(0, 1), (1, 1)]


def test_the_terminal_bar_and_the_page_show_the_pages(
    small_scan: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import auditor.cli
    from auditor.cli import main, page_note
    from auditor.webapp.review import run_review
    from auditor.webapp.uploads import Batch, Upload

    assert page_note("folder/扫描件.pdf", 2, 12) == "扫描件.pdf · 识别第3/12页"
    assert page_note("扫描件.pdf", 12, 12) == "扫描件.pdf · 已识别12页"

    shown: list[tuple[str, int, int]] = []

    class Bar:  # what the terminal's bar is told (rich itself is not under test)
        def __call__(self, done: int, total: int, name: str) -> None:
            pass

        def pages(self, name: str, done: int, total: int) -> None:
            shown.append((name, done, total))

    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(small_scan)
    monkeypatch.setattr(auditor.cli, "progress_printer", lambda files=None: Bar())
    assert main(["review", str(scan), "--jobs", "1", "-o", str(tmp_path / "r.json")]) == 0
    assert shown == [(str(scan), 0, 2), (str(scan), 1, 2), (str(scan), 2, 2)]

    noted: list[tuple[str, int, int]] = []
    batch = Batch()
    batch.add(Upload("扫描件.pdf", small_scan))
    run_review(batch, Settings(), jobs=1, pages=lambda *n: noted.append(n))
    assert noted == [("扫描件.pdf", 0, 2), ("扫描件.pdf", 1, 2), ("扫描件.pdf", 2, 2)]


def test_the_page_bar_moves_with_the_pages_of_a_scan() -> None:
    from auditor.webapp.app import scan_progress

    assert scan_progress(1, 4, "扫描件.pdf", 2, 4) == (0.375, "已读取 1/4；正在识别扫描件 扫描件.pdf：第3/4页")
    assert scan_progress(3, 4, "扫描件.pdf", 4, 4) == (1.0, "已读取 3/4；正在识别扫描件 扫描件.pdf：已识别4页")
