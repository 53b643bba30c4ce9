"""绩效自评表审核 — the auditor's page.

Thin on purpose: the pipeline reads and reviews (as the CLI does), ``auditor.webapp`` builds
every table, filter and excerpt; this file only lays them out. Run: ``auditor page`` (or
``streamlit run app.py`` in the repository, whose ``app.py`` calls ``main``).
"""

from __future__ import annotations

import hashlib

import streamlit as st

from auditor.findings import SEVERITY_ZH, Finding
from auditor.forms import Form
from auditor.ingest.pages import page_text
from auditor.render import render_page_png
from auditor.render.view import FORM_KIND_ZH, llm_text, locations_text, rule_titles, severity_zh
from auditor.settings import PROFILES, Settings
from auditor.webapp import uploads
from auditor.webapp.evidence import ZOOM, focus_png, page_boxes, table_excerpt_html
from auditor.webapp.findings_view import (
    FindingFilter,
    family_label,
    filter_choices,
    filter_findings,
    finding_label,
    findings_table,
)
from auditor.webapp.records_view import (
    funds_rows,
    goal_block_rows,
    header_rows,
    indicator_rows,
    totals_rows,
)
from auditor.webapp.review import Download, Review, run_review
from auditor.webapp.settings_view import (
    Choices,
    apply,
    defaults,
    fingerprint,
    llm_endpoint_text,
    profile_short,
)
from auditor.webapp.summary import RECOMPUTED, document_headline, document_table
from auditor.webapp.uploads import Batch, expand_uploads

PAGE_TITLE = "绩效自评表审核"
UPLOAD_TYPES = ["pdf", "docx", "doc", "wps", "xlsx", "xls", "et", "txt", "zip", "rar", "7z"]  # rar/7z: to say why not
PICK = "evidence_pick"  # session key: index of the finding whose evidence is shown
# Widths in px, so that every column shows in the main area at 1280 px (sidebar 300 px).
LAYOUT_CSS = """<style>
[data-testid="stMainBlockContainer"], .block-container {
  padding-left: 2rem; padding-right: 2rem; padding-top: 2.5rem; max-width: 100%;
}
</style>"""
SUMMARY_COLUMNS = {
    "表格": st.column_config.Column(width=200),
    "类型": st.column_config.Column(width=90),
    **{name: st.column_config.Column(width=40) for name in SEVERITY_ZH.values()},
    **{name: st.column_config.Column(width=80) for name in ("全年预算数", "全年执行数")},
    **{name: st.column_config.Column(width=60) for name in ("执行率", "总分")},
    **{f"{name}·{RECOMPUTED}": st.column_config.Column(width=100) for name in ("执行率", "总分")},
}
FINDING_COLUMNS = {
    "严重程度": st.column_config.TextColumn(width=64),
    "表格": st.column_config.TextColumn(width=150),
    "说明": st.column_config.TextColumn(width=340),
    "期望": st.column_config.TextColumn(width=70),
    "实际": st.column_config.TextColumn(width=70),
    "位置": st.column_config.TextColumn(width=170),
}


def main() -> None:
    st.set_page_config(page_title=PAGE_TITLE, page_icon="📋", layout="wide")
    st.markdown(LAYOUT_CSS, unsafe_allow_html=True)
    st.title(PAGE_TITLE)
    settings = sidebar_settings()
    if st.sidebar.radio("页面", ["单次审核", "审核工作库"], horizontal=True, key="mode") == "审核工作库":
        from auditor.webapp import workspace_page

        workspace_page.show(settings)
        return
    files = st.file_uploader(
        "上传绩效自评表：PDF、Word（.docx/.doc/.wps）、Excel（.xlsx/.xls/.et）、文本（.txt），或它们的 ZIP 压缩包",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key="uploads",
    )
    st.caption(f"单个文件不超过 {uploads.MAX_FILE_BYTES // uploads.MB} MB；可一次选择多个文件。")
    if not files:
        st.info("请上传一个或多个文件。文件只在内存中处理，不会保存。")
        return
    batch = expand_uploads([(f.name, f.getvalue()) for f in files])
    for error in batch.errors:
        st.error(f"{error.name}：{error.message}")
    if not batch.uploads:
        return
    review = cached_review(batch, settings)
    show_llm = st.sidebar.warning if review.result.llm.failed else st.sidebar.info
    show_llm(f"大模型：{llm_text(review.result.llm)}")
    show_summary(review)
    show_downloads(review)
    show_findings(review)
    show_records(review)


def sidebar_settings() -> Settings:
    base = Settings()
    start = defaults(base)
    with st.sidebar:
        st.header("审核设置")
        profiles = list(PROFILES)
        profile = st.selectbox(
            "评分方案",
            profiles,
            index=profiles.index(start.profile),
            format_func=lambda name: profile_short(name)[0],
        )
        st.caption(profile_short(profile)[1])
        st.subheader("容差")
        money_abs = st.number_input(
            "金额绝对容差（万元）", min_value=0.0, value=start.money_abs, step=0.01, format="%.2f"
        )
        money_rel = st.number_input(
            "金额相对容差（%）", min_value=0.0, value=start.money_rel_pct, step=0.05, format="%.2f"
        )
        rate_pp = st.number_input(
            "执行率容差（百分点）", min_value=0.0, value=start.rate_pp, step=0.1, format="%.1f"
        )
        score = st.number_input(
            "得分容差（分）", min_value=0.0, value=start.score, step=0.01, format="%.2f"
        )
        st.subheader("大模型叙述检查")
        llm_on = st.toggle("启用大模型检查", value=start.llm_on, disabled=not start.llm_on)
        st.caption(llm_endpoint_text(base))
    return apply(base, Choices(profile, money_abs, money_rel, rate_pp, score, llm_on))


def cached_review(batch: Batch, settings: Settings) -> Review:
    """The review of this exact content under these settings, run once per session."""
    key = batch.key(fingerprint(settings))
    cached: tuple[str, Review] | None = st.session_state.get("review")
    if cached and cached[0] == key:
        return cached[1]
    with st.status("正在读取与审核…", expanded=True) as status:
        bar = st.progress(0.0, text="准备中…")
        read = [0, len(batch.uploads)]  # files done, files

        def progress(done: int, total: int, name: str) -> None:
            read[:] = [done, total]
            bar.progress(done / total, text=f"已读取 {done}/{total}：{name}")

        def pages(name: str, done: int, total: int) -> None:
            share, text = scan_progress(read[0], read[1], name, done, total)
            bar.progress(share, text=text)

        review = run_review(batch, settings, progress, pages=pages)
        status.update(label="审核完成", state="complete", expanded=False)
    st.session_state["review"] = (key, review)
    st.session_state.pop(PICK, None)
    return review


def scan_progress(files_done: int, files: int, name: str, done: int, total: int) -> tuple[float, str]:
    """The bar while a scanned PDF is recognised: it moves with the pages too (that file's
    share of the bar), and says which page."""
    share = (files_done + done / max(total, 1)) / max(files, 1)
    return min(share, 1.0), f"已读取 {files_done}/{files}；正在识别扫描件 {name}：{page_text(done, total)}"


def show_summary(review: Review) -> None:
    result = review.result
    st.header("审核概要")
    read = [d for d in result.documents if d.error is None]
    st.write(
        f"已审核 {len(read)} 个文件，共 {sum(len(d.forms) for d in read)} 张表，{len(result.findings)} 条发现。"
    )
    for doc in result.documents:
        if doc.error:
            st.error(f"**{doc.file}** 无法读取：{doc.error}")
            continue
        st.subheader(doc.file, divider="gray")
        st.caption(document_headline(doc, result.findings))
        for note in doc.notes:
            st.caption(f"读取说明：{note}")
        if doc.forms:
            summary = document_table(doc, result.findings)
            st.dataframe(summary, hide_index=True, column_config=SUMMARY_COLUMNS)
        else:
            st.warning("文件中没有识别到绩效表格。")


def show_downloads(review: Review) -> None:
    st.header("下载")
    reports = review.reports()
    for column, download in zip(st.columns(len(reports)), reports):
        with column:
            download_button(download)
    for download in review.annotated_pdfs():
        download_button(download)


def download_button(download: Download) -> None:
    st.download_button(
        download.label,
        download.data,
        file_name=download.file_name,
        mime=download.mime,
        on_click="ignore",
    )


def show_findings(review: Review) -> None:
    findings = review.result.findings
    st.header(f"发现（共 {len(findings)} 条）")
    if not findings:
        st.success("未发现问题。")
        return
    visible = filter_findings(findings, finding_filters(findings))
    st.caption(
        f"显示 {len(visible)} / {len(findings)} 条；点选表格中的一行，或在下方选择，查看证据。"
    )
    table_key = "findings_" + hashlib.sha1(repr(visible).encode()).hexdigest()[:12]
    st.dataframe(
        findings_table(findings, visible),
        key=table_key,
        on_select=lambda: pick_from_table(table_key, visible),
        selection_mode="single-row",
        hide_index=True,
        column_config=FINDING_COLUMNS,
    )
    if st.session_state.get(PICK) not in visible:
        st.session_state[PICK] = None
    st.selectbox(
        "查看证据",
        visible,
        format_func=lambda i: finding_label(findings[i]),
        placeholder="选择一条发现…",
        key=PICK,
    )
    picked: int | None = st.session_state[PICK]
    if picked is not None:
        show_evidence(review, findings[picked])


def finding_filters(findings: list[Finding]) -> FindingFilter:
    choices = filter_choices(findings)
    columns = st.columns([1, 1.4, 1.6, 1.6, 1.6])
    severities = columns[0].multiselect(
        "严重程度", choices.severities, format_func=severity_zh, placeholder="全部"
    )
    families = columns[1].multiselect(
        "规则类别", choices.families, format_func=family_label, placeholder="全部"
    )
    files = columns[2].multiselect("文件", choices.files, placeholder="全部")
    forms = columns[3].multiselect("表格", choices.forms, placeholder="全部")
    text = columns[4].text_input("搜索说明与证据", placeholder="例如 523.12")
    return FindingFilter(tuple(severities), tuple(families), tuple(files), tuple(forms), text)


def pick_from_table(table_key: str, visible: list[int]) -> None:
    rows = st.session_state[table_key].selection.rows
    if rows and rows[0] < len(visible):
        st.session_state[PICK] = visible[rows[0]]


def show_evidence(review: Review, finding: Finding) -> None:
    with st.container(border=True):
        title = rule_titles().get(finding.rule, "")
        st.subheader(f"证据：{SEVERITY_ZH[finding.severity]} · {title or finding.rule}")
        st.markdown(f"**{finding.message}**")
        st.markdown(
            f"规则 `{finding.rule}` · 严重程度 {SEVERITY_ZH[finding.severity]} · 来源 "
            f"{'大模型' if finding.source == 'llm' else '规则'} · 文件 {finding.file} · 表格 {finding.form}"
        )
        expected, actual = st.columns(2)
        expected.metric("期望", finding.expected or "—")
        actual.metric("实际", finding.actual or "—")
        if finding.evidence:
            st.markdown("原文证据：" + "　".join(f"「{e}」" for e in finding.evidence))
        if places := locations_text(finding):
            st.caption("位置：" + "；".join(places))
        show_evidence_view(review, finding)


def show_evidence_view(review: Review, finding: Finding) -> None:
    """The PDF page with the cells outlined, else the Word/Excel/text table with the cells
    marked (an Excel one under its sheet and cell references, 附件3!E7)."""
    upload = review.upload(finding.file)
    pages = page_boxes(finding) if upload and upload.is_pdf else {}
    if upload and pages:
        for page, boxes in pages.items():
            png = render_page_png(upload.data, page, boxes, zoom=ZOOM)
            st.image(
                focus_png(png, boxes),
                caption=f"第{page}页局部（框出处为问题所在）",
                width="content",
            )
            st.image(png, caption=f"{finding.file} 第{page}页全页")
        return
    document = review.document(finding.file)
    excerpt = table_excerpt_html(document, finding) if document else None
    if excerpt:
        st.html(excerpt)
    else:
        st.info("这条发现没有可定位到单元格的位置。")


def show_records(review: Review) -> None:
    st.header("读取到的表格内容")
    st.caption(
        "核对程序读到了什么：资金情况、指标、总分。数字按表内原文显示，标注“重新计算”的为程序计算。"
    )
    for doc in review.result.documents:
        for form in doc.forms:
            with st.expander(
                f"{doc.file} · {form.title}（{FORM_KIND_ZH.get(form.kind, form.kind)}）"
            ):
                record_tables(form)


def record_tables(form: Form) -> None:
    sections = [
        ("表头", header_rows(form)),
        ("资金情况", funds_rows(form)),
        ("年度目标", goal_block_rows(form)),
        ("绩效指标", indicator_rows(form)),
        ("总分", totals_rows(form)),
    ]
    for heading, rows in sections:
        if rows:
            st.markdown(f"**{heading}**")
            st.dataframe(rows, hide_index=True)
    for note in form.notes:
        st.caption(f"未能读取：{note}")


if __name__ == "__main__":  # run by streamlit as the script itself
    main()
