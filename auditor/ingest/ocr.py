"""Scanned PDF pages (no text layer) → the same page content the text path builds.

Offline OCR with RapidOCR (PP-OCR models shipped inside the ``rapidocr`` wheel, run by
OpenVINO, or onnxruntime where OpenVINO is missing; nothing is downloaded at run time).
Pipeline per page:

1. render the page in grey (pymupdf, ``DPI`` by default; a page too large for
   ``MAX_PIXELS`` is rendered at a lower resolution, or refused when that would be
   unreadable); a page with almost no ink is blank and is not recognised;
2. turn it upright: the direction of the text blobs tells 0/180° from 90/270°; when the
   page so turned reads with low mean confidence, it is read again turned by 180° and the
   surer reading is kept;
3. straighten slight skew, measured on the long horizontal ruling lines;
4. find the ruling lines (opencv morphology: horizontal and vertical line masks) and hand
   them, as segments in PDF points, to the very grid builder of the text-PDF path
   (``pdf._line_groups`` / ``pdf._grid_table``): merged cells are missing segments there
   exactly as with vector lines;
5. erase the horizontal rules and run detection + recognition once on the whole page; a
   line detected across a cell wall is cut there and its pieces read again; a lone '1'
   whose stroke leans is '/'; lone dashes and slashes the detector misses are read from
   their shape; each text line goes to the cell holding its centre, wrapped lines are
   joined by the text path's own ``_cell_text``; lines outside every table become
   paragraphs;
6. numeric cells get only safe character fixes (O→0, l/I→1, '。'→'.' between digits,
   a lone ASCII '-' is the dash '—'); a fixed cell keeps its raw text in ``Cell.ocr_raw``
   and its confidence is capped below ``LOW_CONFIDENCE``, so a finding resting on it
   asks the auditor to check the original; a county name read one character off after
   its prefecture's is set right the same way (``places.correct_places``).

Every cell and paragraph keeps its page, its bbox in PDF points (of the page as shown)
and the engine's confidence (the lowest of its text lines). Results are cached on disk by
the hash of the rendered page, the resolution and the engine version: a re-run does no OCR.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import tempfile
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pymupdf

from auditor.document import LOW_CONFIDENCE, fold_chars
from auditor.errors import DocumentLoadError
from auditor.ingest import pdf as _pdf
from auditor.ingest.pages import PageProgress, report_pages
from auditor.ingest.places import correct_places

log = logging.getLogger(__name__)

DPI = 200
MIN_DPI = 100  # below this, 10.5-pt text is too small to read
MAX_PIXELS = 40_000_000  # of one rendered page (A3 at 200 dpi is ~7.8 M)
BLANK_INK = 0.0005  # share of dark pixels below which a page is blank
PIPELINE_VERSION = "6"  # part of the cache key: bump when the page result changes meaning

Matrix = tuple[float, float, float, float, float, float]  # x' = a x + b y + c; y' = d x + e y + f


class OCRUnavailable(DocumentLoadError):
    """The OCR engine (rapidocr + onnxruntime) is not installed."""


# --- the engine ----------------------------------------------------------------------


_ENGINE: Any = None


def engine_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        runtime = f"openvino-{version('openvino')}" if _openvino() else f"onnxruntime-{version('onnxruntime')}"
        return f"rapidocr-{version('rapidocr')}/{runtime}"
    except PackageNotFoundError:
        return "unavailable"


def _openvino() -> bool:
    """Whether the models run on OpenVINO (about twice as fast as onnxruntime on a CPU
    core here, same readings); ``AUDITOR_OCR_RUNTIME=onnxruntime`` asks for onnxruntime."""
    if os.environ.get("AUDITOR_OCR_RUNTIME", "").lower() == "onnxruntime":
        return False
    from importlib.util import find_spec

    return find_spec("openvino") is not None


DET_SIDE = 1600  # pixels of the longer side the text detector sees at most
REC_MIN_WIDTH = 48  # pixels a short text line is padded to before recognition (rapidocr: 320)


def _engine() -> Any:
    """The RapidOCR engine, created once. Threads: ``AUDITOR_OCR_THREADS`` (0: all cores).

    The models are the ones inside the rapidocr wheel, run by OpenVINO when it is
    installed (else onnxruntime). A short text line (a number, a "/") is padded to
    ``REC_MIN_WIDTH`` pixels, not rapidocr's 320: most cells of a form are short, and
    the recogniser's time grows with the padded width."""
    global _ENGINE
    if _ENGINE is None:
        try:
            import cv2  # noqa: F401
            import rapidocr
            from rapidocr import EngineType, RapidOCR
        except ImportError as exc:
            raise OCRUnavailable(
                "这是扫描件（无文本层），需要OCR识别，但未安装OCR引擎（rapidocr、onnxruntime、"
                "opencv-python-headless）：请运行 bash scripts/setup.sh 或 "
                "pip install rapidocr onnxruntime opencv-python-headless 后重试"
            ) from exc
        threads = int(os.environ.get("AUDITOR_OCR_THREADS", "0") or 0)
        params: dict[str, Any] = {
            "Global.log_level": "warning",
            "Global.use_cls": False,
            "Rec.rec_img_shape": [3, 48, REC_MIN_WIDTH],
            # detection on the page scaled to DET_SIDE pixels at most (the long side of an
            # A4 page at 200 dpi is 2,339): text lines are still 20 pixels high there
            "Det.limit_type": "max",
            "Det.limit_side_len": DET_SIDE,
        }
        if _openvino():
            models = Path(rapidocr.__file__).parent / "models"
            for part in ("Det", "Rec"):
                found = sorted(models.glob(f"*_{part.lower()}_*.onnx"))
                if not found:
                    raise OCRUnavailable(f"OCR引擎的识别模型缺失（{models}）：请重新安装 rapidocr")
                params[f"{part}.engine_type"] = EngineType.OPENVINO
                params[f"{part}.model_path"] = str(found[-1])
            if threads > 0:
                params["EngineConfig.openvino.inference_num_threads"] = threads
        elif threads > 0:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
            params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        _ENGINE = RapidOCR(params=params)
    return _ENGINE


# --- the cached result of one page ---------------------------------------------------


@dataclass(slots=True)
class OCRLine:
    bbox: tuple[float, float, float, float]  # upright page space, PDF points
    text: str
    score: float
    mark: bool = False  # a lone dash or slash the detector missed, read from its shape


@dataclass(slots=True)
class PageScan:
    """What OCR found on one page, in upright page space (PDF points), and the map from
    that space back to the page as shown. Plain data: this is what the cache stores."""

    width: float
    height: float
    horizontal: list[tuple[float, float, float]]  # (y, x0, x1)
    vertical: list[tuple[float, float, float]]  # (x, y0, y1)
    lines: list[OCRLine]
    to_page: Matrix
    rotation: int  # degrees the page image was turned to be upright
    skew: float  # degrees of skew corrected
    blank: bool = False

    def to_json(self) -> str:
        data = {
            "width": self.width,
            "height": self.height,
            "horizontal": self.horizontal,
            "vertical": self.vertical,
            "lines": [[*ln.bbox, ln.text, ln.score, ln.mark] for ln in self.lines],
            "to_page": self.to_page,
            "rotation": self.rotation,
            "skew": self.skew,
            "blank": self.blank,
        }
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> PageScan:
        d = json.loads(text)
        return cls(
            width=d["width"],
            height=d["height"],
            horizontal=[tuple(s) for s in d["horizontal"]],
            vertical=[tuple(s) for s in d["vertical"]],
            lines=[OCRLine((x0, y0, x1, y1), t, s, m) for x0, y0, x1, y1, t, s, m in d["lines"]],
            to_page=tuple(d["to_page"]),
            rotation=d["rotation"],
            skew=d["skew"],
            blank=d["blank"],
        )


class ScanCache:
    """Page results stored as ``<dir>/ocr/<key[:2]>/<key>.json``; writes are atomic."""

    def __init__(self, directory: str | Path | None) -> None:
        self.directory = Path(directory) / "ocr" if directory else None

    def get(self, key: str) -> PageScan | None:
        if self.directory is None:
            return None
        try:
            return PageScan.from_json((self.directory / key[:2] / f"{key}.json").read_text("utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, scan: PageScan) -> None:
        if self.directory is None:
            return
        path = self.directory / key[:2] / f"{key}.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(scan.to_json())
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot write the OCR cache at %s: %s", path, exc)


def default_cache() -> ScanCache:
    from auditor.settings import Settings

    return ScanCache(Settings().cache_dir)


# --- entry point ----------------------------------------------------------------------

def read_scanned_pages(
    pdf: pymupdf.Document,
    numbers: list[int],
    dpi: int = DPI,
    cache: ScanCache | None = None,
    progress: PageProgress | None = None,
) -> dict[int, _pdf._PageContent]:
    """OCR the given pages (1-based) of an open PDF into page contents. The pages done are
    told to ``progress``, or else to whoever reads the document (``pages.pages_to``):
    (0, n) before the first, then after each."""
    cache = cache if cache is not None else default_cache()
    progress = progress or report_pages
    out: dict[int, _pdf._PageContent] = {}
    progress(0, len(numbers))
    for done, number in enumerate(numbers, start=1):
        scan = scan_page(pdf[number - 1], number, dpi, cache)
        out[number] = page_content(scan, number)
        progress(done, len(numbers))
    return out


def scan_page(page: pymupdf.Page, number: int, dpi: int = DPI, cache: ScanCache | None = None) -> PageScan:
    """Render one page and recognise it (or take the result from the cache)."""
    import numpy as np

    dpi = _page_dpi(page, number, dpi)
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    grey = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]
    scale = dpi / 72
    if float((grey < 128).mean()) < BLANK_INK:
        w, h = pix.width / scale, pix.height / scale
        return PageScan(w, h, [], [], [], (1, 0, 0, 0, 1, 0), 0, 0.0, blank=True)
    key = hashlib.sha256(
        b"|".join([grey.tobytes(), str(grey.shape).encode(), str(dpi).encode(),
                   engine_version().encode(), PIPELINE_VERSION.encode()])
    ).hexdigest()
    if cache is not None and (hit := cache.get(key)) is not None:
        return hit
    scan = recognise(grey, scale)
    if cache is not None:
        cache.put(key, scan)
    return scan


def _page_dpi(page: pymupdf.Page, number: int, dpi: int) -> int:
    w_in, h_in = page.rect.width / 72, page.rect.height / 72
    if w_in * h_in * dpi * dpi <= MAX_PIXELS:
        return dpi
    fitted = int(math.sqrt(MAX_PIXELS / (w_in * h_in)))
    if fitted < MIN_DPI:
        raise DocumentLoadError(
            f"第{number}页尺寸过大（{page.rect.width / 72 * 2.54:.0f}×{page.rect.height / 72 * 2.54:.0f}厘米），"
            f"超出扫描识别的像素上限（{MAX_PIXELS // 1_000_000}百万像素）：请将该页按A4或A3重新扫描"
        )
    return fitted


# --- image → PageScan -----------------------------------------------------------------


def recognise(grey: Any, scale: float) -> PageScan:
    """Upright, straighten, find ruling lines and text lines on a grey page image.

    The direction of the text blobs says whether the page lies sideways (90°); whether
    it is also upside down is told by the recogniser itself: when the text read is
    mostly unsure, the page is read again turned by 180° and the surer reading is kept."""
    ocr = _engine()
    sideways = _sideways(_ink(grey))
    first = _recognise_turned(grey, scale, 90 if sideways else 0, ocr)
    if _mean_score(first) >= UPRIGHT_SCORE:
        return first
    second = _recognise_turned(grey, scale, 270 if sideways else 180, ocr)
    return second if _mean_score(second) > _mean_score(first) else first


UPRIGHT_SCORE = 0.8  # mean confidence below which a page may be upside down


def _mean_score(scan: PageScan) -> float:
    """Mean confidence of the text lines the recogniser read (marks read from their
    shape do not count: they look the same any way up)."""
    scores = [ln.score for ln in scan.lines if not ln.mark]
    return sum(scores) / len(scores) if scores else 0.0


def _recognise_turned(grey: Any, scale: float, rotation: int, ocr: Any) -> PageScan:
    import cv2
    import numpy as np

    work, to_orig = _rotate_right_angle(grey, rotation)
    ink = _ink(work)
    skew = _skew(ink)
    if abs(skew) >= 0.05:
        work, back = _rotate_small(work, skew)
        to_orig = _compose(to_orig, back)
        ink = _ink(work)
    hmask, vmask = _line_masks(ink, scale)
    horizontal = [(pos / scale, lo / scale, hi / scale) for pos, lo, hi in _segments(hmask, True)]
    vertical = [(pos / scale, lo / scale, hi / scale) for pos, lo, hi in _segments(vmask, False)]
    # erase the horizontal rules so that no text line is read with a border under it;
    # vertical ones stay: erased, they would let two cells' texts run into one line
    clean = work.copy()
    clean[cv2.dilate(hmask, np.ones((3, 3), np.uint8)) > 0] = 255
    text_ink = ink.copy()  # the ink of characters only, for looking at single strokes
    text_ink[cv2.dilate(cv2.bitwise_or(hmask, vmask), np.ones((5, 5), np.uint8)) > 0] = 0
    result = ocr(cv2.cvtColor(clean, cv2.COLOR_GRAY2BGR))
    walls = _table_walls(_segments(vmask, False), _segments(hmask, True), 3 * scale)
    found: list[OCRLine] = []
    if result.boxes is not None and result.txts is not None:
        for box, text, score in zip(result.boxes, result.txts, result.scores):
            xs, ys = [float(p[0]) for p in box], [float(p[1]) for p in box]
            pixels = (int(min(xs)), int(min(ys)), math.ceil(max(xs)), math.ceil(max(ys)))
            for part, part_text, part_score in _split_at_walls(pixels, str(text), float(score), walls, clean, ocr):
                part_text = _cjk_brackets(_slash_or_one(part_text, text_ink, part))
                bbox = (part[0] / scale, part[1] / scale, part[2] / scale, part[3] / scale)
                found.append(OCRLine(bbox, part_text, round(part_score, 4)))
    read = [tuple(int(v * scale) for v in ln.bbox) for ln in found]
    for box, mark in _marks(text_ink, hmask, read, scale):
        found.append(OCRLine(tuple(v / scale for v in box), mark, MARK_SCORE, mark=True))  # type: ignore[arg-type]
    to_page = _compose(_scale_matrix(1 / scale), _compose(to_orig, _scale_matrix(scale)))
    hw, ww = work.shape
    return PageScan(
        ww / scale, hw / scale, horizontal, vertical, found,
        tuple(float(v) for v in to_page), rotation, round(float(skew), 3),  # type: ignore[arg-type]
    )


MARK_SCORE = 0.95  # confidence given to a dash or slash read from its shape (not a number)


def _marks(
    text_ink: Any, hmask: Any, read: list[tuple[int, ...]], scale: float
) -> list[tuple[tuple[int, int, int, int], str]]:
    """Lone dashes and slashes the detector does not see (a '—' or '/' alone in a cell is
    too small a text line for it): ink blobs outside every text line read, flat and about
    a character wide ('—'), or leaning and about a character high ('/'). Neither is a
    number, so reading one can never invent a value."""
    import cv2

    char = 10.5 * scale  # body text size in pixels
    count, labels, stats, _ = cv2.connectedComponentsWithStats(text_ink, connectivity=8)
    out: list[tuple[tuple[int, int, int, int], str]] = []
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        cx, cy = x + w / 2, y + h / 2
        if any(b[0] - 2 <= cx <= b[2] + 2 and b[1] - 2 <= cy <= b[3] + 2 for b in read):
            continue
        box = (x, y, x + w, y + h)
        if 0.5 * char <= w <= 2.5 * char and h <= max(3, 0.2 * w) and area >= 0.6 * w * h:
            reach = int(3 * char)  # a broken piece of a rule lies in line with the rule
            if not hmask[max(0, y - 2) : y + h + 2, max(0, x - reach) : x + w + reach].any():
                out.append((box, "—"))
        elif (
            0.6 * char <= h <= 1.5 * char
            and 0.2 * char <= w <= 0.9 * char
            and _slash_or_one("1", labels[y : y + h, x : x + w] == i, (0, 0, w, h)) == "/"
        ):
            out.append((box, "/"))
    return out


WALL_GAP = 3  # pixels left out either side of a vertical rule when a line is cut there


def _table_walls(
    vertical: list[tuple[float, float, float]], horizontal: list[tuple[float, float, float]], near: float
) -> list[tuple[float, float, float]]:
    """The vertical rules that meet a horizontal one at an end: cell walls, not the long
    stroke of a big character in a title."""
    def meets(x: float, y: float) -> bool:
        return any(abs(hy - y) <= near and lo - near <= x <= hi + near for hy, lo, hi in horizontal)

    return [(x, lo, hi) for x, lo, hi in vertical if meets(x, lo) or meets(x, hi)]


def _split_at_walls(
    box: tuple[int, int, int, int],
    text: str,
    score: float,
    walls: list[tuple[float, float, float]],
    image: Any,
    ocr: Any,
) -> list[tuple[tuple[int, int, int, int], str, float]]:
    """A detected text line that runs across a vertical rule (two narrow cells read as
    one line, "分值|执行率") is cut at each rule and every piece read again on its own;
    any other line is kept as read."""
    import cv2

    x0, y0, x1, y1 = box
    quarter = (y1 - y0) / 4
    cuts = sorted(x for x, lo, hi in walls if x0 + WALL_GAP < x < x1 - WALL_GAP and lo <= y0 + quarter and hi >= y1 - quarter)
    if not cuts:
        return [(box, text, score)]
    edges = [x0, *cuts, x1]
    pieces = [
        (int(max(a + (WALL_GAP if i else 0), x0)), y0, int(min(b - (WALL_GAP if i < len(cuts) else 0), x1)), y1)
        for i, (a, b) in enumerate(pairwise(edges))
    ]
    pieces = [p for p in pieces if p[2] - p[0] >= 4]
    crops = [cv2.cvtColor(image[p[1] : p[3], p[0] : p[2]], cv2.COLOR_GRAY2BGR) for p in pieces]
    if not crops:
        return []
    read = ocr.recognize_txt(crops)
    return [
        (piece, str(piece_text).strip(), float(piece_score))
        for piece, piece_text, piece_score in zip(pieces, read.txts or (), read.scores or ())
        if str(piece_text).strip()
    ]


_ONE_LIKE = {"1", "l", "I", "|", "/", "／"}
SLASH_SLOPE = 0.15  # a stroke leaning more than this (dx/dy) to the left is '/', not '1'


def _slash_or_one(text: str, ink: Any, box: tuple[int, int, int, int]) -> str:
    """A lone upright-looking stroke read as '1' (or l, I, |) is '/' when its ink leans:
    the recogniser confuses the two, and '/' (nothing to report) is common in forms.
    Measured on the pixels: the slope of x against y of the stroke's ink."""
    import numpy as np

    if text.strip() not in _ONE_LIKE:
        return text
    x0, y0, x1, y1 = box
    ys, xs = np.nonzero(ink[max(0, y0) : y1, max(0, x0) : x1])
    if len(ys) < 10 or float(ys.var()) == 0.0:
        return text
    slope = float(((xs - xs.mean()) * (ys - ys.mean())).mean() / ys.var())
    return "/" if slope < -SLASH_SLOPE else text  # never the other way: that would invent a 1


_ASCII_PAIR = re.compile(r"\(([^()（）]*)\)|\(([^()（）]*)）|（([^()（）]*)\)")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _cjk_brackets(text: str) -> str:
    """Brackets around Chinese text as a Chinese document writes them, full width: the
    recogniser returns ASCII '(' ')' for both. Brackets around Latin text stay as read."""
    def repl(m: re.Match[str]) -> str:
        inner = next(g for g in m.groups() if g is not None)
        return f"（{inner}）" if _CJK.search(inner) else m.group(0)

    return _ASCII_PAIR.sub(repl, text)


def _ink(grey: Any) -> Any:
    """Dark pixels as 255 on 0 (Otsu threshold)."""
    import cv2

    return cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]


def _line_masks(ink: Any, scale: float) -> tuple[Any, Any]:
    """Masks of horizontal and vertical ruling lines: runs of ink longer than any stroke
    of a character (0.2 inch ≈ 14 pt; body text is 9–12 pt)."""
    import cv2

    length = max(15, int(scale * 14))
    hmask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    vmask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    # bridge the small breaks of a scanned line
    hmask = cv2.morphologyEx(hmask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1)))
    vmask = cv2.morphologyEx(vmask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 9)))
    return hmask, vmask


def _segments(mask: Any, horizontal: bool) -> list[tuple[float, float, float]]:
    """(position, low end, high end) in pixels of each connected line in a mask."""
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i][:4])
        if horizontal:
            out.append((y + h / 2, float(x), float(x + w)))
        else:
            out.append((x + w / 2, float(y), float(y + h)))
    return out


def _skew(ink: Any) -> float:
    """Degrees the long horizontal lines rise to the right (0 when there are none)."""
    import cv2
    import numpy as np

    width = ink.shape[1]
    mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(40, width // 25), 1)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    angles: list[tuple[float, float]] = []
    for i in range(1, count):
        if stats[i][2] < width / 4:
            continue
        x, y, w, h = (int(v) for v in stats[i][:4])
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        vx, vy = cv2.fitLine(np.column_stack([xs, ys]).astype(np.float32), cv2.DIST_L2, 0, 0.01, 0.01)[:2].ravel()
        angles.append((math.degrees(math.atan2(float(vy), float(vx))), float(stats[i][2])))
    if not angles:
        return 0.0
    angles = [(a - 180 if a > 90 else a + 180 if a < -90 else a, w) for a, w in angles]
    angles.sort()
    half, acc = sum(weight for _, weight in angles) / 2, 0.0
    for a, weight in angles:  # weighted median
        acc += weight
        if acc >= half:
            return a if abs(a) <= 5 else 0.0
    return 0.0


def _rotate_small(grey: Any, degrees: float) -> tuple[Any, Matrix]:
    """The image turned by ``degrees`` about its centre (white corners), and the map from
    the turned image back to the original."""
    import cv2

    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    turned = cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    inv = cv2.invertAffineTransform(m)
    return turned, tuple(float(v) for v in inv.ravel())  # type: ignore[return-value]


def _rotate_right_angle(grey: Any, rotation: int) -> tuple[Any, Matrix]:
    """The image turned clockwise by ``rotation`` (0/90/180/270) and the map back."""
    import numpy as np

    h, w = grey.shape
    if rotation == 0:
        return grey, (1, 0, 0, 0, 1, 0)
    turned = np.ascontiguousarray(np.rot90(grey, k=-rotation // 90))
    if rotation == 90:  # new (x, y) ← old (y, h - x)... expressed as new → old:
        return turned, (0, 1, 0, -1, 0, h)
    if rotation == 180:
        return turned, (-1, 0, w, 0, -1, h)
    return turned, (0, -1, w, 1, 0, 0)  # 270


def _compose(outer: Matrix, inner: Matrix) -> Matrix:
    """The map ``outer(inner(p))``."""
    a1, b1, c1, d1, e1, f1 = outer
    a2, b2, c2, d2, e2, f2 = inner
    return (
        a1 * a2 + b1 * d2,
        a1 * b2 + b1 * e2,
        a1 * c2 + b1 * f2 + c1,
        d1 * a2 + e1 * d2,
        d1 * b2 + e1 * e2,
        d1 * c2 + e1 * f2 + f1,
    )


def _scale_matrix(s: float) -> Matrix:
    return (s, 0, 0, 0, s, 0)


def map_bbox(m: Matrix, bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The bounding box of a box's four corners mapped by ``m``."""
    a, b, c, d, e, f = m
    x0, y0, x1, y1 = bbox
    xs, ys = [], []
    for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
        xs.append(a * x + b * y + c)
        ys.append(d * x + e * y + f)
    return (min(xs), min(ys), max(xs), max(ys))


def _sideways(ink: Any) -> bool:
    """Whether the text runs top to bottom: characters smeared along each direction
    make long thin blobs along the direction the lines run."""
    import cv2
    import numpy as np

    h, w = ink.shape
    length = max(40, min(h, w) // 25)
    lines = cv2.bitwise_or(
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))),
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length))),
    )
    text = cv2.bitwise_and(ink, cv2.bitwise_not(cv2.dilate(lines, np.ones((5, 5), np.uint8))))
    smear = max(5, min(h, w) // 200)
    across = _blobs(cv2.dilate(text, cv2.getStructuringElement(cv2.MORPH_RECT, (smear * 2, 1))))
    down = _blobs(cv2.dilate(text, cv2.getStructuringElement(cv2.MORPH_RECT, (1, smear * 2))))
    wide = sum(bw for _, _, bw, bh in across if bw > 3 * bh and bh > 8)
    tall = sum(bh for _, _, bw, bh in down if bh > 3 * bw and bw > 8)
    return tall > wide


def _blobs(mask: Any) -> list[tuple[int, int, int, int]]:
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [tuple(int(v) for v in stats[i][:4]) for i in range(1, count)]  # type: ignore[misc]


# --- PageScan → page content (the text path's grid and cell text) ----------------------


def page_content(scan: PageScan, number: int) -> _pdf._PageContent:
    """The page's tables and paragraphs, built by the text-PDF path from OCR'd lines."""
    horizontal = _pdf._merge_collinear([_pdf._Segment(*s) for s in scan.horizontal])
    vertical = _pdf._merge_collinear([_pdf._Segment(*s) for s in scan.vertical])
    tables = [_pdf._grid_table(hs, vs, number) for hs, vs in _pdf._line_groups(horizontal, vertical)]
    ordered = _ordered(scan.lines)
    read = [ln.text.strip() for ln in ordered]
    texts = [correct_places(t) for t in read]
    words: list[_pdf.Word] = [(*ln.bbox, texts[i], 0, 0, i) for i, ln in enumerate(ordered)]
    # a line whose place name was set right asks the auditor to check the original
    scores = [ln.score if texts[i] == read[i] else min(ln.score, LOW_CONFIDENCE - 0.01) for i, ln in enumerate(ordered)]
    loose: list[_pdf.Word] = []
    for word in words:
        cx, cy = (word[0] + word[2]) / 2, (word[1] + word[3]) / 2
        cell = next((c for t in tables if (c := t.cell_at(cx, cy)) is not None), None)
        if cell is None:
            if not ordered[word[7]].mark:  # a dash or slash outside a table says nothing
                loose.append(word)
        else:
            cell.words.append(word)
    for table in tables:
        for cell in table.cells:
            raw = _pdf._cell_text(_visual_lines(cell.words))
            confidence = min((scores[w[7]] for w in cell.words), default=None)
            text, fixed = fix_numeric(raw)
            if fixed and confidence is not None:
                confidence = min(confidence, LOW_CONFIDENCE - 0.01)
            if any(texts[w[7]] != read[w[7]] for w in cell.words):  # a place name set right
                raw = _pdf._cell_text(_visual_lines([(*w[:4], read[w[7]], *w[5:]) for w in cell.words]))
                fixed = True
            cell.text = text
            cell.confidence = confidence
            cell.ocr_raw = raw if fixed else None
            cell.bbox = _round(map_bbox(scan.to_page, cell.bbox))
        table.cells = [c for c in table.cells if c.closed or c.text]
    paragraphs = []
    for line in _pdf._text_lines(_visual_lines(loose)):
        para = _pdf._paragraph(line, number)
        para.prov.confidence = min(scores[w[7]] for w in line)
        paragraphs.append(para)
    items: list[_pdf.PageItem] = [*tables, *paragraphs]
    items.sort(key=_pdf._top)  # reading order on the upright page
    for para in paragraphs:  # then to the page as shown
        if para.prov.bbox:
            para.prov.bbox = _round(map_bbox(scan.to_page, para.prov.bbox))
    return _pdf._PageContent(items, bool(words))


def _ordered(lines: list[OCRLine]) -> list[OCRLine]:
    return sorted(lines, key=lambda ln: (ln.bbox[1], ln.bbox[0]))


def _visual_lines(words: list[_pdf.Word]) -> list[_pdf.Word]:
    """The words of one cell (or the loose words of a page) with the same line number
    for those that share most of their height: the text path then joins each visual
    line left to right, and the lines top to bottom."""
    out: list[_pdf.Word] = []
    bands: list[tuple[float, float]] = []
    for w in sorted(words, key=lambda w: (w[1], w[0])):
        x0, y0, x1, y1 = w[:4]
        band = next(
            (i for i, (b0, b1) in enumerate(bands) if min(y1, b1) - max(y0, b0) > 0.5 * min(y1 - y0, b1 - b0)),
            None,
        )
        if band is None:
            bands.append((y0, y1))
            band = len(bands) - 1
        out.append((x0, y0, x1, y1, w[4], 0, band, w[7]))
    return out


def _round(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (round(v, 2) for v in bbox)
    return (x0, y0, x1, y1)


# --- digits ----------------------------------------------------------------------------

# a cell that is a number as far as OCR could tell: digits with look-alike letters,
# separators, a sign, a percent sign or a unit-free comparison
_NUMERIC_CELL = re.compile(r"^[<>≤≥=+\-]?[0-9OoIl|]+(?:[.,。][0-9OoIl|]+)*%?$")
_LOOKALIKE = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})
# a cell holding only ASCII dashes: the dash of the form. A lone 一 or 二 stays as read:
# forms number their sections with them, and a dash the recogniser takes for one is
# no number either way.
_DASH_MISREAD = {"-", "--", "_", "__"}


def fix_numeric(text: str) -> tuple[str, bool]:
    """The text with only the safe OCR confusions of a numeric cell undone (full-width
    forms are folded as everywhere), and whether a character had to be guessed."""
    folded = fold_chars(text).strip()
    if folded in _DASH_MISREAD:
        return "—", True
    compact = folded.replace(" ", "")
    if not _NUMERIC_CELL.match(compact) or not any(ch.isdigit() for ch in compact):
        return folded, False
    fixed = re.sub(r"(?<=\d)。(?=\d)", ".", compact.translate(_LOOKALIKE))
    return fixed, fixed != compact
