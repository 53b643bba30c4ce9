"""The stricter quote guard against a fake server answering junk of each kind: only a
contradiction with substantive verbatim quotes from two places, whose explanation brings
in no number of its own, becomes a finding."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_llm import Answer, FakeLLM, Reply

from auditor.findings import DocumentResult, ReviewResult
from auditor.narrative import Backoff, review_narrative
from auditor.narrative.guard import Segment, rejection, substantive
from auditor.pipeline import extract
from auditor.settings import Settings

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "003_6b24eafbc02acca8.txt"
FORM = "2022年全年相关维修改造费等"
TABLE = "执行率 100%"  # in the form's funds row
REPORT = "（一）存在的问题无"  # in its report
FAST = Backoff(attempts=1, base=0.01, cap=0.05)


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    yield server
    server.stop()


def answer(quotes: list[str], explanation: str = "报告称无问题，但表格显示执行率100%") -> Answer:
    return Answer(
        {"contradictions": [{"kind": "报告与表格", "quotes": quotes, "explanation": explanation}]}
    )


def reviewed(fake: FakeLLM, tmp_path: Path, reply: Answer) -> ReviewResult:
    doc = extract([SAMPLE])[0]
    form = next(f for f in doc.forms if f.title == FORM)
    result = ReviewResult(documents=[DocumentResult(file=doc.file, forms=[form])], findings=[])
    fake.push(Reply(reply))
    settings = Settings(
        llm_base_url=fake.url,
        llm_model="fake-model",
        llm_api_key="sk-test",  # type: ignore[arg-type]
        cache_dir=str(tmp_path / "cache"),
        llm_max_concurrency=1,
    )
    review_narrative(result, settings, FAST)
    return result


def test_a_contradiction_between_two_places_is_kept(fake: FakeLLM, tmp_path: Path) -> None:
    result = reviewed(fake, tmp_path, answer([TABLE, REPORT]))
    assert [f.evidence for f in result.findings] == [[TABLE, REPORT]]
    assert result.llm.dropped_unverified == 0


@pytest.mark.parametrize(
    ("quotes", "explanation"),
    [
        (["—", REPORT], "报告与表格不一致"),  # a dash occurs in the tables
        (["100", REPORT], "报告称无问题，但表格显示执行率100%"),  # a lone number
        (["100%", REPORT], "报告称无问题，但表格显示执行率100%"),
        (["（）", REPORT], "报告与表格不一致"),  # punctuation
        ([TABLE], "表格显示执行率100%"),  # one quote: no second place
        ([REPORT, "（一）存在的问题"], "报告自相矛盾"),  # two quotes, one place
        ([TABLE, "存在的问题较多"], "报告称问题较多"),  # not in the document
        ([TABLE, REPORT], "报告称无问题，但表格显示执行率仅为85%"),  # 85 is in no quote
        ([TABLE, REPORT], "2023年预算执行率100%却称无问题"),  # 2023 is in no quote
    ],
    ids=["dash", "lone-number", "number-percent", "punctuation", "one-quote", "same-place",
         "not-verbatim", "new-number", "new-year"],
)
def test_junk_is_dropped(
    fake: FakeLLM, tmp_path: Path, quotes: list[str], explanation: str
) -> None:
    result = reviewed(fake, tmp_path, answer(quotes, explanation))
    assert result.findings == []
    assert result.llm.dropped_unverified == 1
    assert not result.llm.failed


@pytest.mark.parametrize(
    ("quote", "ok"),
    [("—", False), ("100%", False), ("1,200", False), ("…。", False), ("执行率", False),
     ("执行率100%", True), ("存在问题", True), ("100万元", False), ("预算100万元", True)],
)
def test_substantive(quote: str, ok: bool) -> None:
    assert substantive(quote) is ok


def test_rejection_reasons_are_chinese_and_specific() -> None:
    segments = [Segment("资金", "全年预算数 294.7；执行率 100%"), Segment("自评报告", "资金已全部支出，无问题")]
    assert rejection(["执行率 100%", "资金已全部支出"], "执行率100%与报告相符", segments) is None
    assert rejection(["执行率 100%"], "执行率100%", segments) == "矛盾须引用原文中两处不同的位置"
    assert rejection(["执行率 100%", "资金已全部支出"], "执行率仅95%", segments) == "说明中的数字不在引文中"
    assert rejection(["—", "资金已全部支出"], "", segments) == "引文过短或只有标点、数字"
    assert rejection(["执行率 99%", "资金已全部支出"], "", segments) == "引文不在原文中"


def test_two_places_may_be_read_from_any_segment_a_quote_stands_in() -> None:
    segments = [
        Segment("资金·年度资金总额", "执行率 100%；得分 10"),
        Segment("资金·当年财政拨款", "执行率 100%"),
        Segment("自评报告", "资金已全部支出，无问题"),
    ]
    # the rate stands in two rows: quoting it twice is still one statement, not two places
    assert rejection(["执行率 100%", "执行率 100%"], "", segments) == "矛盾须引用原文中两处不同的位置"
    assert rejection(["执行率 100%；得分 10", "执行率 100%"], "执行率100%得分10", segments) is None
    only_first = [Segment("资金", "执行率 100%；得分 10"), Segment("其他", "无关")]
    assert rejection(["执行率 100%", "得分 10 分"], "", only_first) == "引文不在原文中"
    assert rejection(["执行率 100%", "执行率 100%；得分"], "", only_first) == "矛盾须引用原文中两处不同的位置"
