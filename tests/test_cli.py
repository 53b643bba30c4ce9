"""The command line as a user runs it: `auditor extract` and `auditor review` on the
samples, report formats, exit codes, and the LLM switched on by environment variables
against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from auditor.cli import main
from tests.conftest import SAMPLES
from tests.fake_llm import Answer, FakeLLM, Reply

SEED_003 = SAMPLES / "003_6b24eafbc02acca8.pdf"
NO_CONTRADICTIONS = Reply(answer=Answer({"contradictions": []}))


@pytest.fixture
def no_llm(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUDITOR_LLM_BASE_URL", "AUDITOR_LLM_MODEL", "AUDITOR_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_llm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeLLM]:
    server = FakeLLM(default=NO_CONTRADICTIONS).start()
    monkeypatch.setenv("AUDITOR_LLM_BASE_URL", server.url)
    monkeypatch.setenv("AUDITOR_LLM_MODEL", "fake-model")
    monkeypatch.setenv("AUDITOR_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("AUDITOR_CACHE_DIR", str(tmp_path / "cache"))
    yield server
    server.stop()


def run_json(args: list[str], tmp_path: Path) -> tuple[int, dict]:
    out = tmp_path / "out.json"
    code = main([*args, "-o", str(out)])
    return code, json.loads(out.read_text(encoding="utf-8"))


def test_review_json_follows_the_contract(no_llm: None, tmp_path: Path) -> None:
    code, data = run_json(["review", str(SEED_003)], tmp_path)
    assert code == 0
    assert [d["file"] for d in data["documents"]] == [str(SEED_003)]
    finding = next(f for f in data["findings"] if f["rule"] == "funds.executed_exceeds_budget")
    assert finding["form"] == "区委区政府大院及武装部营院绿化费"
    assert finding["severity"] == "error" and finding["source"] == "rule"
    assert "523.12" in finding["message"] and "31.6" in finding["message"]
    assert finding["expected"] == "≤ 31.6" and finding["actual"] == "523.12"
    assert finding["location"]["page"] >= 1 and len(finding["location"]["bbox"]) == 4
    assert "523.12" in finding["evidence"]
    assert data["llm"]["enabled"] is False and "已跳过" in data["llm"]["note"]


def test_review_says_on_stderr_that_llm_checks_were_skipped(
    no_llm: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["review", str(SAMPLES / "004_9646776e878436bb.txt"), "-o", str(tmp_path / "r.json")])
    err = capsys.readouterr().err
    assert "已审核 1 个文件" in err and "narrative.contradiction" in err and "已跳过" in err


def test_strict_exit_status(no_llm: None, tmp_path: Path) -> None:
    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    (clean_dir / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    assert main(["review", str(clean_dir), "-o", str(tmp_path / "a.json")]) == 0
    assert main(["review", str(clean_dir), "--strict", "-o", str(tmp_path / "b.json")]) == 1
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert data["documents"][0]["error"] and data["findings"] == []


def test_xlsx_needs_an_output_file(no_llm: None) -> None:
    assert main(["review", str(SEED_003), "--format", "xlsx"]) == 2


@pytest.mark.parametrize("fmt", ["md", "html", "xlsx"])
def test_review_reports_name_the_finding(no_llm: None, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"r.{fmt}"
    assert main(["review", str(SEED_003), "--format", fmt, "-o", str(out)]) == 0
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(out)["问题清单"]
        text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    else:
        text = out.read_text(encoding="utf-8")
    assert "funds.executed_exceeds_budget" in text and "523.12" in text


def test_profile_and_tolerances_change_the_review(no_llm: None, tmp_path: Path) -> None:
    seed = str(SAMPLES / "002_e31af7a2ac891c4f.txt")
    _, strict = run_json(["review", seed], tmp_path)
    _, loose = run_json(["review", seed, "--score-tol", "20"], tmp_path)
    assert {f["rule"] for f in strict["findings"]} >= {"score.total_mismatch"}
    assert "score.total_mismatch" not in {f["rule"] for f in loose["findings"]}
    _, sichuan = run_json(["review", seed, "--profile", "sichuan"], tmp_path)
    assert sichuan["profile"] == "sichuan"


def test_extract_prints_the_documents_part(no_llm: None, tmp_path: Path) -> None:
    code, data = run_json(["extract", str(SAMPLES / "004_9646776e878436bb.docx")], tmp_path)
    assert code == 0
    forms = data["documents"][0]["forms"]
    assert [f["kind"] for f in forms] == ["dept_targets", "project_targets", "project_targets", "project_targets"]
    assert forms[1]["title"] == "零星维修购置及各类合同" and forms[1]["amount"]["quantity"]["number"] == "80"


def test_review_with_an_endpoint_asks_once_per_form_then_nothing(
    fake_llm: FakeLLM, tmp_path: Path
) -> None:
    seeds = [str(p) for p in sorted(SAMPLES.glob("*.txt"))]
    code, first = run_json(["review", *seeds], tmp_path)
    forms = sum(len(d["forms"]) for d in first["documents"])
    assert code == 0 and forms == 25
    assert 0 < len(fake_llm.requests) <= forms
    assert first["llm"]["enabled"] is True and first["llm"]["model"] == "fake-model"
    assert first["llm"]["requests"] == len(fake_llm.requests)
    sent = len(fake_llm.requests)
    _, second = run_json(["review", *seeds], tmp_path)
    assert len(fake_llm.requests) == sent  # zero new requests: every answer is cached
    assert second["llm"]["requests"] == 0 and second["llm"]["cached"] == first["llm"]["requests"]
    rules = lambda d: sorted((f["form"], f["rule"]) for f in d["findings"] if f["source"] == "rule")
    assert rules(first) == rules(second)


def test_no_llm_flag_makes_no_request(fake_llm: FakeLLM, tmp_path: Path) -> None:
    _, data = run_json(["review", str(SEED_003), "--no-llm"], tmp_path)
    assert fake_llm.requests == [] and data["llm"]["enabled"] is False


# --- the command line in Chinese, formats in one pass, the terminal summary -------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["review", str(SEED_003), "--money-tol", "abc"], "“abc”不是数字"),
        (["review", str(SEED_003), "--rate-tol", "-1"], "不小于0"),
        (["review", str(SEED_003), "--format", "pdf"], "不支持的格式“pdf”"),
        (["review"], "缺少必需的参数"),
        (["review", str(SEED_003), "--bogus"], "无法识别的参数"),
        (["nothing"], "无效的选项值 'nothing'"),
        (["page", "--port", "http"], "不是端口号"),
    ],
)
def test_bad_command_lines_are_answered_in_chinese_with_status_2(
    no_llm: None, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "用法：" in err and "错误：" in err
    assert "Traceback" not in err and "usage:" not in err and "error:" not in err


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["review", "-h"])
    out = capsys.readouterr().out
    assert "用法：auditor review" in out and "选项" in out and "显示本帮助并退出" in out
    assert "show this help" not in out
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("auditor ")


def test_every_format_in_one_pass_into_a_folder(no_llm: None, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["review", str(SEED_003), "--format", "html,xlsx,json,md", "-o", f"{out}/"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "review.html", "review.json", "review.md", "review.xlsx"
    ]
    assert json.loads((out / "review.json").read_text(encoding="utf-8"))["findings"]
    assert main(["review", str(SEED_003), "--format", "html,json"]) == 2  # no folder given


def test_a_terminal_gets_a_readable_summary_and_a_pipe_gets_json(
    no_llm: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = str(SAMPLES / "003_6b24eafbc02acca8.txt")
    assert main(["review", sample]) == 0
    assert json.loads(capsys.readouterr().out)["findings"]  # captured stdout is no terminal

    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main(["review", sample]) == 0
    out = capsys.readouterr().out
    assert out.startswith("■ 003_6b24eafbc02acca8.txt：6 张表，问题 错误")
    assert "[错误]" in out and "位置：" in out and "共 1 个文件" in out
    assert "{" not in out.splitlines()[0]


def test_the_page_listens_on_this_computer_unless_asked() -> None:
    from auditor.webapp.launch import app_path, streamlit_command

    local = streamlit_command(8501)
    assert local[local.index("--server.address") + 1] == "localhost"
    assert local[local.index("--client.toolbarMode") + 1] == "viewer"
    assert Path(app_path()).is_file() and local[4] == app_path()
    lan = streamlit_command(8502, lan=True)
    assert lan[lan.index("--server.address") + 1] == "0.0.0.0"
    assert lan[lan.index("--server.port") + 1] == "8502"


def test_the_progress_bar_is_only_for_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditor.cli import progress_printer

    assert progress_printer() is None  # captured stderr is no terminal
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    show = progress_printer()
    assert show is not None
    for n, name in enumerate(["甲.pdf", "乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙.docx"], 1):
        show(n, 2, f"/x/{name}")
    err = capsys.readouterr().err
    assert "2/2" in err and "读取" in err
