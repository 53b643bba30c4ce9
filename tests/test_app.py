"""The auditor's page: its helper logic (auditor.webapp) and its flows driven by AppTest."""

from __future__ import annotations

import io
import socket
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from pydantic import SecretStr
from streamlit.testing.v1 import AppTest

from auditor.findings import Finding
from auditor.ingest import read_bytes
from auditor.pipeline import extract_bytes
from auditor.records import Location
from auditor.settings import Settings
from auditor.webapp import uploads
from auditor.webapp.evidence import focus_png, page_boxes, table_excerpt_html
from auditor.webapp.findings_view import FindingFilter, filter_choices, filter_findings, rule_family
from auditor.webapp.records_view import funds_rows, totals_rows
from auditor.webapp.settings_view import Choices, apply, fingerprint, llm_endpoint_text
from auditor.webapp.summary import document_rows, recomputed_rate, recomputed_total
from auditor.webapp.uploads import Upload, expand_uploads

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
PDF_003 = "003_6b24eafbc02acca8.pdf"
GREENING = "区委区政府大院及武装部营院绿化费"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def finding(**fields: object) -> Finding:
    base: dict[str, object] = {
        "rule": "funds.rate_mismatch",
        "severity": "error",
        "file": "a.pdf",
        "form": "甲",
    }
    return Finding.model_validate({"message": "执行率不符", **base, **fields})


# ---------------------------------------------------------------- uploads


def test_plain_files_pass_through_and_identical_copies_are_dropped() -> None:
    batch = expand_uploads([("a.pdf", b"%PDF-1"), ("b.txt", b"x"), ("a副本.pdf", b"%PDF-1")])
    assert [u.name for u in batch.uploads] == ["a.pdf", "b.txt"]
    assert batch.errors == []


def test_same_name_different_content_is_renamed_not_lost() -> None:
    batch = expand_uploads([("表.pdf", b"one"), ("表.pdf", b"two")])
    assert [u.name for u in batch.uploads] == ["表.pdf", "表.pdf（2）"]


def test_zip_is_unpacked_in_memory_skipping_junk() -> None:
    data = zip_of(
        {
            "材料/003.docx": b"docx bytes",
            "__MACOSX/材料/._003.docx": b"fork",
            "材料/.DS_Store": b"junk",
            "材料/~$003.docx": b"lock",
            "材料/说明.txt": b"text",
        }
    )
    batch = expand_uploads([("材料.zip", data)])
    assert [u.name for u in batch.uploads] == ["材料.zip/材料/003.docx", "材料.zip/材料/说明.txt"]
    assert batch.errors == []


def test_zip_member_names_packed_as_gbk_are_decoded() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        info = zipfile.ZipInfo("x.txt")
        zf.writestr(info, b"text")
    raw = buffer.getvalue().replace(
        b"x.txt", "绩效".encode("gbk") + b"t"
    )  # same length, no UTF-8 flag
    batch = expand_uploads([("a.zip", raw)])
    assert [u.name for u in batch.uploads] == ["a.zip/绩效t"]


def test_nested_zip_and_empty_zip_are_reported() -> None:
    batch = expand_uploads(
        [("outer.zip", zip_of({"inner.zip": b"PK"})), ("empty.zip", zip_of({"__MACOSX/x": b""}))]
    )
    assert batch.uploads == []
    assert [e.name for e in batch.errors] == ["outer.zip/inner.zip", "empty.zip"]
    assert "不会展开" in batch.errors[0].message and "没有可审核的文件" in batch.errors[1].message


def test_broken_zip_is_an_error_not_a_crash() -> None:
    batch = expand_uploads([("坏.zip", b"PK\x03\x04 not really")])
    assert batch.uploads == [] and "压缩包已损坏" in batch.errors[0].message


def test_file_over_the_size_limit_is_refused_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 10)
    batch = expand_uploads([("大.pdf", b"x" * 11), ("小.pdf", b"x" * 10)])
    assert [u.name for u in batch.uploads] == ["小.pdf"]
    assert batch.errors[0].name == "大.pdf" and "文件过大" in batch.errors[0].message


def test_zip_bomb_guards_count_and_unpacked_size(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = zip_of({"a.txt": b"0" * 5000})  # compresses to a few bytes
    assert len(bomb) < 500
    monkeypatch.setattr(uploads, "MAX_ARCHIVE_TOTAL", 4000)
    assert "压缩炸弹" in expand_uploads([("bomb.zip", bomb)]).errors[0].message
    monkeypatch.setattr(uploads, "MAX_ARCHIVE_MEMBERS", 2)
    many = zip_of({f"{n}.txt": b"x" for n in range(3)})
    assert "文件过多" in expand_uploads([("many.zip", many)]).errors[0].message


def test_batch_key_follows_content_and_settings() -> None:
    one = expand_uploads([("a.txt", b"1")])
    assert one.key("s") == expand_uploads([("a.txt", b"1")]).key("s")
    assert one.key("s") != expand_uploads([("a.txt", b"2")]).key("s")
    assert one.key("s") != one.key("t")


def test_upload_knows_a_pdf_by_its_bytes() -> None:
    assert Upload("x.bin", sample(PDF_003)).is_pdf and not Upload("x.pdf", b"text").is_pdf


# ---------------------------------------------------------------- summary and records


def test_totals_recomputed_from_the_lines() -> None:
    greening = next(
        f
        for f in extract_bytes(sample("003_6b24eafbc02acca8.docx"), "003.docx").forms
        if f.title == GREENING
    )
    assert recomputed_total(greening) == Decimal(
        110
    )  # 10 + lines that sum to 100 (weights sum to 110)
    assert f"{recomputed_rate(greening):.2f}" == "1655.44"
    dept = extract_bytes(sample("001_6e05036ab9ce446a.txt"), "001.txt").forms[0]
    assert recomputed_total(dept) == Decimal(95)  # budget 19 + the ten goal blocks' scores


def test_summary_row_states_and_recomputes() -> None:
    doc = extract_bytes(sample("003_6b24eafbc02acca8.docx"), "003.docx")
    found = [
        finding(file="003.docx", form=GREENING),
        finding(file="003.docx", form=GREENING, severity="warning"),
    ]
    row = next(r for r in document_rows(doc, found) if r["表格"] == GREENING)
    assert (row["全年预算数"], row["全年执行数"], row["执行率"]) == ("31.6", "523.12", "100%")
    assert (row["执行率·重新计算"], row["总分"], row["总分·重新计算"]) == ("1655.44%", "100", "110")
    assert (row["错误"], row["警告"], row["提示"]) == (1, 1, 0)


def test_record_tables_show_what_was_read() -> None:
    greening = next(
        f
        for f in extract_bytes(sample("003_6b24eafbc02acca8.txt"), "003.txt").forms
        if f.title == GREENING
    )
    assert funds_rows(greening)[0] == {
        "资金": "年度资金总额",
        "年初预算数": "31.6",
        "全年预算数": "31.6",
        "全年执行数": "523.12",
        "分值": "10",
        "执行率": "100%",
        "得分": "10",
    }
    assert {"项目": "总分（重新计算：预算执行得分＋各指标得分）", "数值": "110"} in totals_rows(
        greening
    )


# ---------------------------------------------------------------- findings table


FINDINGS = [
    finding(rule="score.total_mismatch", severity="warning", form="乙", message="总分不符"),
    finding(
        rule="funds.executed_exceeds_budget",
        message="全年执行数 523.12 超过预算",
        evidence=["523.12"],
    ),
    finding(
        rule="indicator.type_mismatch",
        severity="info",
        file="b.docx",
        form="丙",
        evidence=["显著提高"],
    ),
]


def test_rule_family_is_the_code_prefix() -> None:
    assert rule_family("funds.executed_exceeds_budget") == "funds"


def test_filters_narrow_the_findings_errors_first() -> None:
    assert filter_findings(FINDINGS, FindingFilter()) == [1, 0, 2]
    assert filter_findings(FINDINGS, FindingFilter(severities=("warning", "info"))) == [0, 2]
    assert filter_findings(FINDINGS, FindingFilter(families=("funds",))) == [1]
    assert filter_findings(FINDINGS, FindingFilter(files=("b.docx",))) == [2]
    assert filter_findings(FINDINGS, FindingFilter(forms=("乙",))) == [0]
    assert filter_findings(FINDINGS, FindingFilter(text="显著")) == [2]  # evidence is searched
    assert filter_findings(FINDINGS, FindingFilter(text="523.12", families=("score",))) == []


def test_filter_choices_offer_what_is_there() -> None:
    choices = filter_choices(FINDINGS)
    assert choices.severities == ["error", "warning", "info"]
    assert choices.families == ["score", "funds", "indicator"]
    assert choices.files == ["a.pdf", "b.docx"]


# ---------------------------------------------------------------- evidence


def test_page_boxes_group_places_by_page() -> None:
    f = finding(
        location=Location(page=8, bbox=(1, 2, 3, 4)),
        locations=[
            Location(page=8, bbox=(5, 6, 7, 8)),
            Location(page=9, bbox=(1, 1, 2, 2)),
            Location(table=1, row=2),
        ],
    )
    assert page_boxes(f) == {
        8: [((1, 2, 3, 4), "error"), ((5, 6, 7, 8), "error")],
        9: [((1, 1, 2, 2), "error")],
    }


def test_focus_png_is_a_close_up_of_the_page() -> None:
    from auditor.render import render_page_png

    boxes = [((502.8, 300.0, 572.6, 314.0), "error")]
    page = render_page_png(sample(PDF_003), 8, boxes, zoom=2.0)
    close_up = focus_png(page, boxes)
    assert close_up.startswith(b"\x89PNG") and len(close_up) < len(page)


def test_word_table_excerpt_marks_the_cell() -> None:
    document = read_bytes(sample("003_6b24eafbc02acca8.docx"), "003.docx")
    f = finding(location=Location(table=5, row=4, col=6, column="全年执行数"))
    html = table_excerpt_html(document, f)
    assert html is not None and "表5 第2–6行" in html
    marked = html.split("outline:3px")[1]
    assert marked.split("</td>")[0].endswith("523.12")
    assert table_excerpt_html(document, finding()) is None  # nowhere to point


# ---------------------------------------------------------------- settings


def test_sidebar_choices_become_settings_without_exposing_the_key() -> None:
    base = Settings(
        llm_base_url="https://user:pw@llm.example.cn/v1",
        llm_model="qwen",
        llm_api_key=SecretStr("sk-secret"),
    )
    chosen = apply(base, Choices("sichuan", 0.02, 0.2, 1.0, 0.05, False))
    assert chosen.profile == "sichuan" and not chosen.llm_configured
    assert chosen.tolerances.money_rel == Decimal("0.002") and chosen.tolerances.rate_pp == Decimal(
        "1.0"
    )
    assert llm_endpoint_text(base) == "已配置：llm.example.cn，模型 qwen"
    assert "sk-secret" not in fingerprint(base) and "pw" not in llm_endpoint_text(base)
    assert "未配置" in llm_endpoint_text(Settings(llm_base_url=None, llm_model=None))


# ---------------------------------------------------------------- the page (AppTest)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    for name in (
        "AUDITOR_LLM_BASE_URL",
        "AUDITOR_LLM_MODEL",
        "AUDITOR_LLM_API_KEY",
        "AUDITOR_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    return at


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    mime = {"pdf": "application/pdf", "zip": "application/zip", "txt": "text/plain"}
    at.file_uploader[0].set_value(
        [(n, d, mime.get(n.rsplit(".", 1)[-1], "application/octet-stream")) for n, d in files]
    )
    at.run()
    assert not at.exception, at.exception
    return at


def findings_frame(at: AppTest) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if "说明" in df.value.columns)


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(getattr(e, "value", "")) for e in at.get(kind)]


def choose_finding(at: AppTest, needle: str) -> None:
    box = at.selectbox(key="evidence_pick")
    box.select_index(next(i for i, label in enumerate(box.options) if needle in label)).run()
    assert not at.exception, at.exception


def test_page_asks_for_files_in_chinese(app: AppTest) -> None:
    assert app.title[0].value == "绩效自评表审核"
    assert "请上传" in app.info[0].value
    assert app.file_uploader[0].accept_multiple_files


def test_one_pdf_is_reviewed_with_summary_findings_and_downloads(app: AppTest) -> None:
    upload(app, ("003.pdf", sample(PDF_003)))
    assert "003.pdf" in texts(app, "subheader")
    summary = next(df.value for df in app.dataframe if "总分·重新计算" in df.value.columns)
    greening = summary[summary["表格"] == GREENING].iloc[0]
    assert (greening["全年执行数"], greening["执行率·重新计算"]) == ("523.12", "1655.44%")
    frame = findings_frame(app)
    exceeds = frame[frame["规则"] == "funds.executed_exceeds_budget"]
    assert exceeds["说明"].str.contains("523.12").any() and (exceeds["表格"] == GREENING).all()
    labels = [b.label for b in app.download_button]
    assert labels == [
        "下载 HTML 报告",
        "下载 Excel 报告",
        "下载 JSON 结果",
        "下载批注版 PDF：003.pdf",
    ]
    assert any("叙述矛盾检查" in i.value and "已跳过" in i.value for i in app.sidebar.info)


def test_several_files_each_get_a_summary(app: AppTest) -> None:
    upload(
        app,
        ("003.docx", sample("003_6b24eafbc02acca8.docx")),
        ("001.txt", sample("001_6e05036ab9ce446a.txt")),
    )
    assert {"003.docx", "001.txt"} <= set(texts(app, "subheader"))
    assert set(findings_frame(app)["文件"]) == {"003.docx", "001.txt"}
    assert [b.label for b in app.download_button][3:] == []  # no PDF, no annotated copy


def test_zip_upload_is_unpacked_and_reviewed(app: AppTest) -> None:
    bundle = zip_of(
        {
            "表/000.pdf": sample("000_0dd5636ac07a2a52.pdf"),
            "表/002.txt": sample("002_e31af7a2ac891c4f.txt"),
            "__MACOSX/表/._000.pdf": b"x",
        }
    )
    upload(app, ("材料.zip", bundle))
    assert {"材料.zip/表/000.pdf", "材料.zip/表/002.txt"} <= set(texts(app, "subheader"))
    assert not app.error
    assert "下载批注版 PDF：000.pdf" in [b.label for b in app.download_button]


def test_bad_file_is_reported_inline_while_the_others_are_reviewed(app: AppTest) -> None:
    upload(
        app,
        ("坏文件.pdf", b"%PDF-1.4 this is not a pdf"),
        ("003.txt", sample("003_6b24eafbc02acca8.txt")),
    )
    errors = [e.value for e in app.error]
    assert len(errors) == 1 and "坏文件.pdf" in errors[0] and "无法读取" in errors[0]
    assert "003.txt" in texts(app, "subheader")
    assert (findings_frame(app)["文件"] == "003.txt").all()


def test_oversized_file_is_refused_with_a_chinese_message(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 1000)
    upload(app, ("大.pdf", sample(PDF_003)), ("001.txt", b"x" * 999))
    assert "大.pdf" in app.error[0].value and "文件过大" in app.error[0].value


def test_filters_change_the_table_without_reviewing_again(app: AppTest) -> None:
    upload(app, ("003.pdf", sample(PDF_003)))
    review = app.session_state["review"]
    everything = findings_frame(app)
    app.multiselect[0].set_value(["error"]).run()  # 严重程度
    errors = findings_frame(app)
    assert 0 < len(errors) < len(everything) and set(errors["严重程度"]) == {"错误"}
    app.multiselect[1].set_value(["funds"]).run()  # 规则类别
    assert set(findings_frame(app)["规则"].str.split(".").str[0]) == {"funds"}
    app.multiselect[0].set_value([]).run()
    app.multiselect[1].set_value([]).run()
    app.text_input[0].set_value("523.12").run()  # search
    searched = findings_frame(app)
    assert 0 < len(searched) < len(everything)
    app.multiselect[3].set_value(["水电维修费"]).run()  # 表格
    assert set(findings_frame(app)["表格"]) <= {"水电维修费"}
    assert app.session_state["review"] is review


def test_selecting_a_pdf_finding_shows_the_page_and_the_numbers(app: AppTest) -> None:
    upload(app, ("003.pdf", sample(PDF_003)))
    choose_finding(app, "523.12")
    assert any(t.startswith("证据：错误") for t in texts(app, "subheader"))
    metrics = {m.label: m.value for m in app.metric}
    assert (
        metrics["期望"].startswith("≤")
        and "31.6" in metrics["期望"]
        and metrics["实际"] == "523.12"
    )
    assert any("funds.executed_exceeds_budget" in t for t in texts(app, "markdown"))
    assert any("「523.12」" in t for t in texts(app, "markdown"))
    assert len(app.get("image")) >= 2  # close-up and whole page


def test_selecting_a_word_finding_shows_the_table_with_the_cell_marked(app: AppTest) -> None:
    upload(app, ("003.docx", sample("003_6b24eafbc02acca8.docx")))
    choose_finding(app, "523.12")
    html = [h.proto.body for h in app.get("html")]
    assert html and "523.12" in html[0] and "outline:3px" in html[0]


def test_changing_the_profile_reviews_again(app: AppTest) -> None:
    upload(app, ("001.txt", sample("001_6e05036ab9ce446a.txt")))
    first = app.session_state["review"]
    app.sidebar.selectbox[0].set_value("sichuan").run()
    assert app.session_state["review"] is not first
    assert app.session_state["review"][1].result.profile == "sichuan"


def test_a_dead_llm_endpoint_is_a_warning_in_the_sidebar_not_zero_contradictions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # released: nothing listens there
    monkeypatch.setenv("AUDITOR_LLM_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("AUDITOR_LLM_MODEL", "fake-model")
    monkeypatch.setenv("AUDITOR_CACHE_DIR", str(tmp_path / "cache"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    upload(at, ("003.txt", sample("003_6b24eafbc02acca8.txt")))
    warnings = [w.value for w in at.sidebar.warning]
    assert any("未完成" in w and "连接被拒绝" in w for w in warnings), warnings
    assert not any("发现 0 处矛盾" in i.value for i in at.sidebar.info)
