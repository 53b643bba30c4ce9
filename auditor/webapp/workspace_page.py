"""The workspace part of the page (Streamlit): batches, decisions inline in the findings
table, the re-review comparison, and the opinion and summary downloads. ``app.py`` calls
``show`` when the reviewer switches to 审核工作库."""

from __future__ import annotations

import streamlit as st

from auditor.ingest import SUPPORTED_SUFFIXES
from auditor.settings import Settings
from auditor.webapp.decisions_view import (
    COMMENT,
    DECISION,
    EDITABLE,
    REASON,
    DecisionEdit,
    batch_rows,
    changed_cell_rows,
    changed_decisions,
    comparison_rows,
    decision_table,
    year_rows,
)
from auditor.workspace.db import WorkspaceError, database_url
from auditor.workspace.queries import FindingView, batch_infos, finding_views, stored_file, units
from auditor.workspace.store import DECISIONS, Workspace

NEW_BATCH = "（新建批次）"
FLASH = "workspace_flash"  # a message that outlives the rerun after saving
ADDED = "workspace_added"  # the same after adding files: (summary, errors)


@st.cache_resource
def _open(url: str) -> Workspace:
    return Workspace.open(url)


def show(settings: Settings) -> None:
    st.header("审核工作库")
    with st.sidebar:
        st.header("工作库")
        url = st.text_input("数据库（文件路径或 URL）", value=database_url())
        reviewer = st.text_input("审核人", key="reviewer", placeholder="填写姓名后才能记录决定")
    try:
        workspace = _open(url)
    except WorkspaceError as exc:
        st.error(str(exc))
        return
    infos = batch_infos(workspace)
    if infos:
        st.dataframe(batch_rows(infos), hide_index=True)
    names = [b.name for b in infos]
    choice = st.selectbox("批次", [*names, NEW_BATCH], key="batch_choice")
    if choice == NEW_BATCH:
        name = st.text_input("新批次名称", placeholder="例如 2023年度项目自评")
    else:
        name = choice
    add_files(workspace, name, settings)
    if choice == NEW_BATCH:
        return
    batch = workspace.batch(name)
    decisions(workspace, batch.id, reviewer)
    comparison(workspace, batch.id)
    downloads(workspace, batch.id, batch.name)


FILE_TYPES = [s[1:] for s in SUPPORTED_SUFFIXES if s != ".zip"]  # one file each: no archives here


def add_files(workspace: Workspace, name: str, settings: Settings) -> None:
    from auditor.parallel import Limits, default_jobs
    from auditor.workspace.review import review_items_into_batch

    with st.expander("向批次添加文件（更正后的文件作为新版本）", expanded=not name):
        files = st.file_uploader(
            "选择文件：PDF、Word（.docx/.doc/.wps）、Excel（.xlsx/.xls/.et）、文本（.txt）",
            type=FILE_TYPES,
            accept_multiple_files=True,
            key="ws_uploads",
        )
        if st.button("审核并保存到批次", disabled=not (files and name)):
            items = [(f.name, f.getvalue) for f in files or []]
            bar = st.progress(0.0)

            def progress(done: int, total: int, file: str) -> None:
                bar.progress(done / total, text=f"已审核 {done}/{total}：{file}")

            # the page's own pool, as on the review page: each file under its time and
            # memory limits, in worker processes, so that no file can stall the server
            jobs = min(default_jobs(), max(len(items), 1))
            run = review_items_into_batch(workspace, name, items, settings, progress, jobs=jobs, limits=Limits())
            # shown after the rerun that brings the batch table and the findings up to date
            st.session_state[ADDED] = (
                f"已保存 {len(run.stored)} 个文件，{len(run.skipped)} 个已在批次中",
                [f"{doc.file}：{doc.error}" for doc in run.stored if doc.error],
            )
            st.rerun()
        if added := st.session_state.pop(ADDED, None):
            st.success(added[0])
            for error in added[1]:
                st.error(error)


def decisions(workspace: Workspace, batch_id: int, reviewer: str) -> None:
    views = finding_views(workspace, batch_id)
    st.subheader(f"问题与决定（共 {len(views)} 条）")
    st.caption("在“决定”列选择 确认 / 驳回 / 待核实（驳回须填理由），可用方向键移动、回车编辑，然后点“保存决定”。")
    if flash := st.session_state.pop(FLASH, None):
        st.success(flash)
    table = decision_table(views)
    with st.form("decisions_form"):
        edited = st.data_editor(
            table,
            key=f"decisions_{batch_id}_{workspace.decision_count(batch_id)}",  # fresh after each save
            hide_index=True,
            disabled=[c for c in table.columns if c not in EDITABLE],
            column_config={
                DECISION: st.column_config.SelectboxColumn(DECISION, options=list(DECISIONS), width="small"),
                REASON: st.column_config.TextColumn(REASON),
                COMMENT: st.column_config.TextColumn(COMMENT),
                "说明": st.column_config.TextColumn("说明", width="large"),
            },
        )
        saved = st.form_submit_button("保存决定")
    if saved:
        save(workspace, batch_id, changed_decisions(table, edited), reviewer)
    evidence(workspace, views)


def evidence(workspace: Workspace, views: list[FindingView]) -> None:
    """A finding's place in the stored file: the PDF page with its cells outlined, else
    the Word/text table with the cells marked."""
    from auditor.ingest import read_bytes
    from auditor.render import render_page_png
    from auditor.webapp.evidence import ZOOM, focus_png, page_boxes, table_excerpt_html

    by_id = {v.id: v for v in views}
    picked = st.selectbox("查看证据", list(by_id), index=None, placeholder="选择一条问题…", key="ws_evidence",
                          format_func=lambda i: f"{i} · {by_id[i].finding.form} · {by_id[i].finding.message[:50]}")
    if picked is None:
        return
    finding, stored = by_id[picked].finding, stored_file(workspace, picked)
    if stored is None:
        return
    name, data = stored
    pages = page_boxes(finding) if data.startswith(b"%PDF") else {}
    for page, boxes in pages.items():
        png = render_page_png(data, page, boxes, zoom=ZOOM)
        st.image(focus_png(png, boxes), caption=f"{name} 第{page}页局部（框出处为问题所在）", width="content")
    if pages:
        return
    excerpt = table_excerpt_html(read_bytes(data, name), finding)
    if excerpt:
        st.html(excerpt)
    else:
        st.info("这条问题没有可定位到单元格的位置。")


def save(workspace: Workspace, batch_id: int, edits: list[DecisionEdit], reviewer: str) -> None:
    if not edits:
        st.info("没有改动的决定。")
        return
    if not reviewer.strip():
        st.error("请先在左侧填写审核人姓名，再保存决定。")
        return
    recorded = 0
    for edit in edits:
        try:
            workspace.decide(batch_id, edit.finding_id, edit.decision, reviewer, edit.reason, edit.comment)
            recorded += 1
        except WorkspaceError as exc:
            st.error(f"问题 {edit.finding_id}：{exc}")
    if recorded:
        st.session_state[FLASH] = f"已保存 {recorded} 个决定"
        st.rerun()


def comparison(workspace: Workspace, batch_id: int) -> None:
    from auditor.workspace.rereview import compare_versions, compare_years

    versions = [c for c in compare_versions(workspace, batch_id) if c.fixed or c.persisting or c.new or c.changed_cells]
    years = [y for y in compare_years(workspace, batch_id) if y.lines]
    if not versions and not years:
        return
    st.subheader("复核对比")
    for c in versions:
        with st.expander(f"《{c.title}》第{c.version}版：已整改 {len(c.fixed)}，仍存在 {len(c.persisting)}，新出现 {len(c.new)}"):
            st.caption(f"本版 {c.file}；上一版 {c.previous_file}")
            if rows := comparison_rows(c):
                st.dataframe(rows, hide_index=True)
            if cells := changed_cell_rows(c):
                st.markdown("**改动的单元格**")
                st.dataframe(cells, hide_index=True)
    for y in years:
        with st.expander(f"《{y.title}》{y.year}年与{y.earlier_year}年对比（批次 {y.earlier_batch}）"):
            st.dataframe(year_rows(y), hide_index=True)


def downloads(workspace: Workspace, batch_id: int, batch_name: str) -> None:
    from auditor.workspace.opinion import build_opinion
    from auditor.workspace.summary import render_summary

    st.subheader("审核意见书与汇总表")
    st.download_button("下载批次汇总表（Excel）", render_summary(workspace, batch_id),
                       file_name=f"{batch_name}-汇总.xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    choices = units(workspace, batch_id)
    if not choices:
        return
    left, middle, right = st.columns([2, 1, 1])
    unit = left.selectbox("单位", choices, key="opinion_unit")
    undecided = middle.checkbox("未决定的问题也列入（作为待核实）", key="opinion_undecided")
    deadline = right.text_input("整改期限", placeholder="如 2024年6月30日", key="opinion_deadline")
    st.download_button(f"下载《{unit}》审核意见书（Word）",
                       build_opinion(workspace, batch_id, unit, undecided, deadline or None),
                       file_name=f"{unit}-审核意见.docx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
