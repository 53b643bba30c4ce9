"""The review workspace on SQLite and on a real PostgreSQL server: storage and migrations,
decisions and their history, re-review of a corrected copy, the batch.* rules, the opinion
and the summary workbook, resuming an interrupted batch, two processes deciding at once."""

from __future__ import annotations

import functools
import io
import itertools
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document as WordDocument
from openpyxl import load_workbook

from auditor.findings import DocumentResult, Finding
from auditor.pipeline import review
from auditor.settings import Settings
from auditor.workspace.db import WorkspaceError
from auditor.workspace.opinion import build_opinion
from auditor.workspace.queries import (
    FIRST,
    NEW,
    PERSISTING,
    FindingView,
    batch_infos,
    finding_views,
)
from auditor.workspace.rereview import compare_versions, compare_years
from auditor.workspace.review import review_into_batch
from auditor.workspace.store import Workspace
from auditor.workspace.summary import FINDINGS_SHEET, render_summary

sys.path.insert(0, str(Path(__file__).parent))
import pgserver

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
S000 = ROOT / "samples" / "000_0dd5636ac07a2a52.txt"
UNIT_000 = "昌吉州机关后勤服务中心"
_names = itertools.count()


@functools.cache
def rule_findings(*paths: Path) -> int:
    """How many findings a plain review (no workspace) raises on these files."""
    return len(review(list(paths), Settings()).findings)


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[str]:
    try:
        with pgserver.server() as url:
            yield url
    except RuntimeError as exc:
        print(f"\nPostgreSQL tests skipped: {exc}", file=sys.stderr)
        pytest.skip(f"PostgreSQL could not be started: {exc}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "workspace.db")
    admin = request.getfixturevalue("pg_admin")
    return pgserver.create_database(admin, f"auditor_test_{next(_names)}")


@pytest.fixture
def workspace(db_url: str) -> Iterator[Workspace]:
    ws = Workspace.open(db_url)
    yield ws
    ws.close()


TIMELY = "食物加工保障及时到位率\n\t100%\n\t100%\n\t10\n\t10\n"


def corrected_000(folder: Path) -> Path:
    """000 with the 机关餐厅 cost line's actual corrected from 83 to 63 (万元), and a new
    mistake made while correcting: the 及时到位率 line scored 12 of its 10."""
    text = S000.read_text(encoding="utf-8")
    assert "\t80\n\t83\n" in text and text.count(TIMELY) == 1
    path = folder / "000_corrected.txt"
    text = text.replace("\t80\n\t83\n", "\t80\n\t63\n").replace(TIMELY, TIMELY[:-3] + "12\n")
    path.write_text(text, encoding="utf-8")
    return path


def view_of(ws: Workspace, batch_id: int, form: str, rule: str) -> FindingView:
    return next(v for v in finding_views(ws, batch_id) if v.finding.form == form and v.finding.rule == rule)


def test_migrations_run_on_open_and_again(db_url: str) -> None:
    first = Workspace.open(db_url)
    first.ensure_batch("甲", Settings())
    first.close()
    again = Workspace.open(db_url)  # already at head: nothing to do, data kept
    assert again.batch_names() == ["甲"]
    again.close()


def test_a_bad_database_url_is_a_chinese_error() -> None:
    with pytest.raises(WorkspaceError, match="无法打开审核工作库"):
        Workspace.open("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_review_stores_every_document_form_and_finding(workspace: Workspace) -> None:
    run = review_into_batch(workspace, "2023", SAMPLES, Settings())
    plain = review(SAMPLES, Settings())
    assert len(run.stored) == 5 and run.findings == len(plain.findings) == rule_findings(*SAMPLES)
    batch = workspace.batch("2023")
    views = finding_views(workspace, batch.id)
    rules = {v.finding.rule for v in views}
    assert {f.rule for f in plain.findings} <= rules
    assert {"batch.project_sum_exceeds_dept", "batch.result_text_copied"} <= rules
    assert all(v.status == FIRST and v.decision is None for v in views)
    [info] = batch_infos(workspace)
    assert (info.documents, info.forms, info.findings) == (5, 25, len(views))
    # the same files again: nothing new (same content hashes)
    again = review_into_batch(workspace, "2023", SAMPLES, Settings())
    assert len(again.skipped) == 5 and not again.stored
    assert len(finding_views(workspace, batch.id)) == len(views)


def test_stored_file_bytes_and_records_are_kept(workspace: Workspace) -> None:
    from sqlalchemy import select

    from auditor.workspace.models import Document, FormRow

    review_into_batch(workspace, "b", [S000], Settings())
    with workspace.sessions() as session:
        doc = session.scalars(select(Document)).one()
        assert doc.file.content == S000.read_bytes() and doc.format == "text"
        forms = session.scalars(select(FormRow).order_by(FormRow.position)).all()
        assert [f.unit for f in forms] == [UNIT_000] * 8
        assert forms[1].data["title"] == "机关餐厅运行经费"


def test_decisions_are_appended_never_overwritten(workspace: Workspace) -> None:
    review_into_batch(workspace, "b", [S000], Settings())
    batch = workspace.batch("b")
    v = view_of(workspace, batch.id, "机关餐厅运行经费", "funds.cost_sum_mismatch")
    workspace.decide(batch.id, v.id, "待核实", "张三", comment="请单位说明")
    workspace.decide(batch.id, v.id, "确认", "李四", comment="已核实")
    history = workspace.history(v.id)
    assert [(d.decision, d.reviewer) for d in history] == [("待核实", "张三"), ("确认", "李四")]
    assert view_of(workspace, batch.id, "机关餐厅运行经费", "funds.cost_sum_mismatch").decision == "确认"
    with pytest.raises(WorkspaceError, match="驳回必须说明理由"):
        workspace.decide(batch.id, v.id, "驳回", "张三")
    with pytest.raises(WorkspaceError, match="无效"):
        workspace.decide(batch.id, v.id, "同意", "张三")
    with pytest.raises(WorkspaceError, match="没有编号为 999999"):
        workspace.decide(batch.id, 999999, "确认", "张三")
    assert len(workspace.history(v.id)) == 2


def test_llm_findings_start_as_to_verify(workspace: Workspace) -> None:
    batch = workspace.ensure_batch("llm", Settings())
    plain = review([S000], Settings())
    doc = plain.documents[0]
    llm = Finding(rule="narrative.contradiction", severity="warning", file=doc.file, form=doc.forms[0].title,
                  form_kind=doc.forms[0].kind, message="叙述说完成，表中未完成", source="llm")
    workspace.store_document(batch.id, S000.read_bytes(), doc, [*plain.findings, llm])
    v = view_of(workspace, batch.id, doc.forms[0].title, "narrative.contradiction")
    assert (v.decision, v.reviewer) == ("待核实", "系统")
    assert all(x.decision is None for x in finding_views(workspace, batch.id) if x.finding.source == "rule")


def test_journey_review_decide_correct_rereview_opinion(workspace: Workspace, tmp_path: Path) -> None:
    review_into_batch(workspace, "2023", SAMPLES, Settings())
    batch = workspace.batch("2023")
    kept = view_of(workspace, batch.id, "交流干部餐厅及物业运行经费", "narrative.number_mismatch")
    dismissed = view_of(workspace, batch.id, "交流干部餐厅及物业运行经费", "score.missing")
    fixed = view_of(workspace, batch.id, "机关餐厅运行经费", "funds.cost_sum_mismatch")
    workspace.decide(batch.id, kept.id, "确认", "张三", comment="人数写错")
    workspace.decide(batch.id, dismissed.id, "驳回", "张三", reason="总分在附件中另行填报")
    workspace.decide(batch.id, fixed.id, "确认", "张三")

    run = review_into_batch(workspace, "2023", [corrected_000(tmp_path)], Settings())
    assert len(run.stored) == 1
    comparisons = {c.title: c for c in compare_versions(workspace, batch.id)}
    canteen = comparisons["机关餐厅运行经费"]
    # every finding of the 83 line is gone; the same rule on another row is a new finding,
    # not the old one carried on
    assert {f.rule for f in canteen.fixed} == {"funds.cost_sum_mismatch", "score.full_despite_missed_target", "score.formula_mismatch"}
    assert (len(canteen.fixed), len(canteen.persisting), len(canteen.new)) == (3, 0, 3)
    assert {v.finding.rule for v in canteen.new} == {"score.total_mismatch", "score.exceeds_weight", "score.formula_mismatch"}
    assert all(v.decision is None and v.status == NEW for v in canteen.new)
    assert canteen.changed_cells == [
        ("指标·时效指标·食物加工保障及时到位率·得分", "10", "12"),
        ("指标·成本指标·完成此项工作副食品消耗需经费保障（万元）·实际完成值", "83", "63"),
    ]
    staff = comparisons["交流干部餐厅及物业运行经费"]
    assert (len(staff.fixed), len(staff.persisting), len(staff.new)) == (0, 3, 0)
    assert staff.changed_cells == []
    carried = {v.finding.rule: v for v in staff.persisting}
    assert carried["narrative.number_mismatch"].decision == "确认"
    assert carried["narrative.number_mismatch"].carried and "沿用上一版本" in (carried["narrative.number_mismatch"].comment or "")
    assert carried["score.missing"].decision == "驳回" and carried["score.missing"].reason == "总分在附件中另行填报"
    assert all(v.status == PERSISTING for v in staff.persisting)
    assert len([v for v in finding_views(workspace, batch.id) if v.status == NEW]) == 3

    text = _docx_text(build_opinion(workspace, batch.id, UNIT_000))
    assert "关于昌吉州机关后勤服务中心2020年度绩效自评的审核意见" in text
    assert "《交流干部餐厅及物业运行经费》项目支出绩效自评表" in text
    assert "保障全年用餐人数1000人" in text  # the confirmed finding, with its numbers
    assert "表1 第11行" in text and "整改要求" in text
    assert "未填写总分" not in text  # dismissed: left out
    assert "83 + 120" not in text  # fixed in the corrected copy
    assert "前将整改后的自评表" in text and "审核人（签字）" in text
    undecided = _docx_text(build_opinion(workspace, batch.id, UNIT_000, include_undecided=True))
    assert "“机关职工工作生活条件”目标值“显著提高”为定性" in undecided
    assert "“机关职工工作生活条件”目标值“显著提高”为定性" not in text


def _docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in WordDocument(io.BytesIO(data)).paragraphs)


def test_summary_workbook_and_decisions_from_it(workspace: Workspace, tmp_path: Path) -> None:
    from auditor.workspace.decisions_file import apply_file

    review_into_batch(workspace, "2023", SAMPLES, Settings())
    batch = workspace.batch("2023")
    book = load_workbook(io.BytesIO(render_summary(workspace, batch.id)))
    forms = book["表格汇总"]
    header = [c.value for c in forms[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in forms.iter_rows(min_row=2)]
    assert len(rows) == 25
    green = next(r for r in rows if r["表格"] == "区委区政府大院及武装部营院绿化费")
    assert (green["执行率(填报)"], green["执行率(重算)"]) == ("100%", "1655.44%")
    assert green["错误"] >= 2 and green["未决定"] == sum(green[s] for s in ("错误", "警告", "提示"))
    assert {"资金（funds）", "得分（score）", "跨表（batch）", FINDINGS_SHEET} <= set(book.sheetnames)

    sheet = book[FINDINGS_SHEET]
    header = [c.value for c in sheet[1]]
    col = {h: header.index(h) + 1 for h in header}
    sheet.cell(2, col["决定"], "确认")
    sheet.cell(3, col["决定"], "驳回")  # no reason: refused, reported by its line
    sheet.cell(4, col["决定"], "驳回")
    sheet.cell(4, col["驳回理由"], "口径不同")
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    outcome = apply_file(workspace, batch.id, filled, "王五")
    assert outcome.recorded == 2 and outcome.errors and "第3行" in outcome.errors[0]
    ids = [sheet.cell(r, col["问题编号"]).value for r in (2, 4)]
    decided = {v.id: (v.decision, v.reviewer) for v in finding_views(workspace, batch.id)}
    assert decided[ids[0]] == ("确认", "王五") and decided[ids[1]] == ("驳回", "王五")
    again = apply_file(workspace, batch.id, filled, "王五")  # unchanged rows are not recorded twice
    assert again.recorded == 0 and again.unchanged == 2
    assert workspace.decision_count(batch.id) == 2


def test_interrupted_batch_resumes_and_keeps_finished_documents(workspace: Workspace) -> None:
    def stop_after_two(done: int, total: int, name: str) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        review_into_batch(workspace, "2023", SAMPLES, Settings(), stop_after_two)
    batch = workspace.batch("2023")
    [info] = batch_infos(workspace)
    assert info.documents == 2
    finished = {v.id for v in finding_views(workspace, batch.id)}
    run = review_into_batch(workspace, "2023", SAMPLES, Settings())
    assert len(run.skipped) == 2 and len(run.stored) == 3
    views = finding_views(workspace, batch.id)
    assert finished <= {v.id for v in views}
    assert len([v for v in views if not v.finding.rule.startswith("batch.")]) == rule_findings(*SAMPLES)
    assert batch_infos(workspace)[0].documents == 5


def test_killed_review_process_keeps_finished_documents(db_url: str) -> None:
    """A review process killed mid-batch: what it stored is there, and a rerun completes it."""
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from pathlib import Path
        from auditor.settings import Settings
        from auditor.workspace.review import review_into_batch
        from auditor.workspace.store import Workspace
        def progress(done, total, name):
            if done == 3:
                os.kill(os.getpid(), signal.SIGKILL)
        ws = Workspace.open({db_url!r})
        review_into_batch(ws, "2023", [Path(p) for p in {[str(p) for p in SAMPLES]!r}], Settings(), progress)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120, check=False)
    assert done.returncode == -9, done.stderr.decode()[-500:]
    ws = Workspace.open(db_url)
    assert batch_infos(ws)[0].documents == 3
    run = review_into_batch(ws, "2023", SAMPLES, Settings())
    assert len(run.skipped) == 3 and batch_infos(ws)[0].documents == 5
    ws.close()


def test_two_processes_deciding_at_once_lose_nothing(db_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"  # both processes start writing only when both are up
    ws = Workspace.open(db_url)
    review_into_batch(ws, "2023", [S000], Settings())
    batch = ws.batch("2023")
    ids = [v.id for v in finding_views(ws, batch.id)]
    ws.close()
    rounds = 15
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from auditor.workspace.store import Workspace
        ws = Workspace.open({db_url!r})
        while not Path({str(go)!r}).exists():
            time.sleep(0.01)
        for n in range({rounds}):
            for finding in {ids!r}:
                ws.decide({batch.id}, finding, "待核实", sys.argv[1], comment=str(n))
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, who], stderr=subprocess.PIPE) for who in ("甲", "乙")]
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()[-800:]
    ws = Workspace.open(db_url)
    assert ws.decision_count(batch.id) == 2 * rounds * len(ids)
    order = [d.reviewer for finding in ids[:1] for d in ws.history(finding)]
    print("reviewer order on one finding:", "".join(order))
    for finding in ids:
        history = ws.history(finding)
        assert sorted(d.reviewer for d in history) == ["乙"] * rounds + ["甲"] * rounds
    ws.close()


def test_earlier_year_of_the_same_project_is_compared(workspace: Workspace, tmp_path: Path) -> None:
    text = S000.read_text(encoding="utf-8")
    earlier = tmp_path / "000_2019.txt"
    earlier.write_text(text.replace("2020", "2019").replace("\t80\n\t83\n", "\t70\n\t83\n"), encoding="utf-8")
    review_into_batch(workspace, "2019", [earlier], Settings())
    review_into_batch(workspace, "2020", [S000], Settings())
    years = {y.title: y for y in compare_years(workspace, workspace.batch("2020").id)}
    canteen = years["机关餐厅运行经费"]
    assert (canteen.year, canteen.earlier_year, canteen.earlier_batch) == ("2020", "2019", "2019")
    lowered = next(line for line in canteen.lines if "目标值降低" in line.notes)
    assert lowered.indicator == "完成此项工作副食品消耗需经费保障（万元）"
    assert "目标 70" in lowered.earlier and "目标 80" in lowered.now
    assert any("完成情况文字照抄上年" in line.notes for y in years.values() for line in y.lines)
    assert compare_years(workspace, workspace.batch("2019").id) == []


def test_batch_rules_in_the_seeds(workspace: Workspace) -> None:
    review_into_batch(workspace, "2023", SAMPLES, Settings())
    batch = workspace.batch("2023")
    over = view_of(workspace, batch.id, "株洲市渌口区机关事务服务中心", "batch.project_sum_exceeds_dept")
    assert "1289.42" in over.finding.message and "1780.94" in over.finding.message
    assert (over.finding.expected, over.finding.actual) == ("≤ 1289.42", "1780.94")
    copied = [v for v in finding_views(workspace, batch.id) if v.finding.rule == "batch.result_text_copied"]
    assert {v.finding.form for v in copied} == {"宽带及网络维护费", "2022年全年相关维修改造费等"}
    assert all("物业管理费" in v.finding.message for v in copied)


def test_opinion_for_an_unknown_unit_lists_the_units(workspace: Workspace) -> None:
    review_into_batch(workspace, "2023", [S000], Settings())
    with pytest.raises(WorkspaceError, match=f"可选单位：{UNIT_000}"):
        build_opinion(workspace, workspace.batch("2023").id, "不存在的单位")
    with pytest.raises(WorkspaceError, match="没有名为“无”的批次"):
        workspace.batch("无")


def test_document_that_cannot_be_read_is_stored_with_its_error(workspace: Workspace, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 not really")
    run = review_into_batch(workspace, "b", [junk, tmp_path / "missing.txt"], Settings())
    errors = [d.error for d in run.stored]
    assert all(errors) and "无法打开文件" in (errors[1] or "")
    assert isinstance(run.stored[0], DocumentResult)


def test_command_line(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from auditor.cli import main

    report = tmp_path / "report.json"
    assert main(["review", str(S000), "--db", db_url, "--batch", "2020年度", "--format", "json", "-o", str(report)]) == 0
    assert len(json.loads(report.read_text(encoding="utf-8"))["findings"]) == rule_findings(S000)
    assert main(["batches", "--db", db_url]) == 0
    assert "2020年度" in capsys.readouterr().out
    assert main(["decide", "--db", db_url, "--batch", "2020年度", "--list"]) == 0
    listed = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert len(listed) == rule_findings(S000) and all(row[1] == "未决定" for row in listed)
    # finding order within a form follows the rule registry's (import) order: pick by rule
    first = next(row[0] for row in listed if row[4] == "narrative.number_mismatch")
    second = next(row[0] for row in listed if row[4] == "score.missing")
    assert main(["decide", "--db", db_url, "--batch", "2020年度", "--finding", first, "--decision", "确认", "--reviewer", "张三"]) == 0
    assert main(["decide", "--db", db_url, "--batch", "2020年度", "--finding", second, "--decision", "驳回", "--reviewer", "张三"]) == 2
    assert "驳回必须说明理由" in capsys.readouterr().err
    sheet = tmp_path / "decisions.csv"
    sheet.write_text(f"问题编号,决定,驳回理由,审核人\n{second},驳回,口径不同,李四\n{first},确认,,\n", encoding="utf-8-sig")
    assert main(["decide", "--db", db_url, "--batch", "2020年度", "--from", str(sheet)]) == 0
    assert "已记录 1 个决定，1 个与当前决定相同" in capsys.readouterr().err
    opinion, summary = tmp_path / "意见.docx", tmp_path / "汇总.xlsx"
    assert main(["opinion", "--db", db_url, "--batch", "2020年度", "--unit", UNIT_000, "-o", str(opinion)]) == 0
    assert "保障全年用餐人数1000人" in _docx_text(opinion.read_bytes())
    assert main(["summary", "--db", db_url, "--batch", "2020年度", "-o", str(summary)]) == 0
    assert load_workbook(summary)["表格汇总"].max_row == 9
    assert main(["opinion", "--db", db_url, "--batch", "2020年度", "--unit", "别的单位", "-o", str(opinion)]) == 2
    assert main(["summary", "--db", db_url, "--batch", "没有", "-o", str(summary)]) == 2
    err = capsys.readouterr().err
    assert "没有单位“别的单位”" in err and "没有名为“没有”的批次" in err
    assert main(["compare", "--db", db_url, "--batch", "2020年度"]) == 0
    assert "没有更正后的新版本" in capsys.readouterr().out


def test_migrations_match_the_models(workspace: Workspace) -> None:
    """A model change without a migration fails here (alembic's autogenerate comparison)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from auditor.workspace.models import Base

    with workspace.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diffs == []


def test_two_processes_reviewing_into_one_batch_store_each_document_once(db_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    Workspace.open(db_url).close()  # migrated before the race
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from auditor.settings import Settings
        from auditor.workspace.review import review_into_batch
        from auditor.workspace.store import Workspace
        ws = Workspace.open({db_url!r})
        while not Path({str(go)!r}).exists():
            time.sleep(0.01)
        review_into_batch(ws, "2023", [Path(p) for p in {[str(p) for p in SAMPLES]!r}], Settings())
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE) for _ in range(2)]
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()[-800:]
    ws = Workspace.open(db_url)
    [info] = batch_infos(ws)
    assert (info.documents, info.forms) == (5, 25)
    views = finding_views(ws, ws.batch("2023").id)
    assert len([v for v in views if not v.finding.rule.startswith("batch.")]) == rule_findings(*SAMPLES)
    assert len([v for v in views if v.finding.rule.startswith("batch.")]) == 3
    ws.close()


def test_batch_review_reads_through_the_worker_pool(tmp_path: Path) -> None:
    """Two workers under the limits: the same documents and findings stored as in this
    process, in input order; a file already stored (or twice in the run) is skipped."""
    from auditor.parallel import Limits

    ws = Workspace.open(str(tmp_path / "pool.db"))
    files = [*SAMPLES[:2], tmp_path / "missing.txt", *SAMPLES[2:], SAMPLES[0]]
    run = review_into_batch(ws, "pool", files, Settings(), jobs=2, limits=Limits())
    assert [d.file for d in run.stored] == [str(p) for p in files[:-1]]
    assert run.skipped == [str(SAMPLES[0])] and run.unreadable == [tmp_path / "missing.txt"]
    assert run.findings == rule_findings(*SAMPLES)
    assert all(not d.forms for d in run.stored)  # only what the run reports is kept
    assert batch_infos(ws)[0].forms == 25
    ws.close()


def test_review_batch_passes_the_pool_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.workspace.review
    from auditor.cli import main

    seen: dict[str, object] = {}
    real = auditor.workspace.review.review_into_batch

    def spy(*args: object, **kwargs: object) -> object:
        seen["jobs"], seen["limits"] = args[6], args[7]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(auditor.workspace.review, "review_into_batch", spy)
    report = tmp_path / "report.json"
    args = ["review", str(S000), "--db", str(tmp_path / "ws.db"), "--batch", "b", "-o", str(report)]
    assert main([*args, "--jobs", "2", "--timeout", "30", "--memory-limit", "1G"]) == 0
    limits = seen["limits"]
    assert seen["jobs"] == 2 and (limits.timeout, limits.memory) == (30.0, 1024**3)  # type: ignore[attr-defined]
    assert len(json.loads(report.read_text(encoding="utf-8"))["findings"]) == rule_findings(S000)
