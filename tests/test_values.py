"""Value-cell parsing: real target/actual/score strings from performance forms."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from auditor.values import Quantity, parse_value

D = Decimal
N = None

# raw, kind, op, number (str → exact Decimal), unit, extra expected fields
CASES: list[tuple[str, str, str | None, str | None, str | None, dict]] = [
    ("10000", "number", N, "10000", N, {}),
    ("6份", "number", N, "6", "份", {}),
    ("100%", "number", N, "100", "%", {}),
    ("显著提高", "qualitative", N, N, N, {"direction": "increase"}),
    ("97×2", "number", N, "194", N, {"all_numbers": (D(97), D(2))}),
    ("2020.12.10", "date", N, N, N, {"date": datetime.date(2020, 12, 10)}),
    ("2020.7.6", "date", N, N, N, {"date": datetime.date(2020, 7, 6)}),
    ("90%%", "number", N, "90", "%", {"malformed": ("doubled_symbol",)}),
    ("长期", "qualitative", N, N, N, {"direction": "keep"}),
    ("持续", "qualitative", N, N, N, {"direction": "keep"}),
    ("提高", "qualitative", N, N, N, {"direction": "increase"}),
    ("=5套", "number", "=", "5", "套", {}),
    (">=95%", "number", ">=", "95", "%", {}),
    ("<=161万元", "number", "<=", "161", "万元", {}),
    ("<=17.37万元", "number", "<=", "17.37", "万元", {}),
    ("2021.1.1-2021.12.31", "date_range", N, N, N,
     {"date": datetime.date(2021, 1, 1), "end": datetime.date(2021, 12, 31)}),
    ("2021.1.1-2021.12.31 ", "date_range", N, N, N,
     {"date": datetime.date(2021, 1, 1), "end": datetime.date(2021, 12, 31)}),
    ("完成39户结亲户6次慰问、51户住户4次慰问", "compound", N, N, N,
     {"all_numbers": (D(39), D(6), D(51), D(4)), "label": N}),
    ("3项", "number", N, "3", "项", {}),
    ("2项", "number", N, "2", "项", {}),
    ("≥95%", "number", ">=", "95", "%", {}),
    ("≥90%", "number", ">=", "90", "%", {}),
    ("有所提升", "qualitative", N, N, N, {"direction": "increase"}),
    ("12个月", "number", N, "12", "个月", {}),
    ("不超支", "qualitative", N, N, N, {"direction": "cap"}),
    ("≥1", "number", ">=", "1", N, {}),
    ("≤48小时", "number", "<=", "48", "小时", {}),
    ("≤8%", "number", "<=", "8", "%", {}),
    ("≥100%", "number", ">=", "100", "%", {}),
    ("30场", "number", N, "30", "场", {}),
    ("\u300031场", "number", N, "31", "场", {"text": "31场"}),
    ("大于14000次", "number", ">", "14000", "次", {}),
    ("小于0.5%\u3000", "number", "<", "0.5", "%", {"text": "小于0.5%"}),
    ("及时完成", "qualitative", N, N, N, {"direction": N}),
    ("及时完成维修工程等项目", "qualitative", N, N, N, {"direction": N}),
    ("2662.18万元", "number", N, "2662.18", "万元", {}),
    ("保持", "qualitative", N, N, N, {"direction": "keep"}),
    ("\u300098%", "number", N, "98", "%", {}),
    ("7类", "number", N, "7", "类", {}),
    ("大于13万", "number", ">", "13", "万", {}),
    ("高质量完成", "qualitative", N, N, N, {"direction": N}),
    ("约3200次", "number", "~", "3200", "次", {}),
    ("每月一次", "number", N, "1", "次/月", {}),
    ("12次", "number", N, "12", "次", {}),
    ("523.12万", "number", N, "523.12", "万", {}),
    ("31.6万", "number", N, "31.6", "万", {}),
    ("50次以上", "number", ">=", "50", "次", {}),
    ("2021年12月前", "date", "<=", N, N, {"date": datetime.date(2021, 12, 31)}),
    ("588.50万元以内", "number", "<=", "588.50", "万元", {}),
    ("保洁率≥90%", "number", ">=", "90", "%", {"label": "保洁率"}),
    ("无", "na", N, N, N, {}),
    ("/", "na", N, N, N, {}),
    ("—", "na", N, N, N, {}),
    ("——", "na", N, N, N, {}),
    ("", "blank", N, N, N, {}),
    ("10分", "number", N, "10", "分", {}),
    ("91.44分", "number", N, "91.44", "分", {}),
    ("7.84分", "number", N, "7.84", "分", {}),
    ("78.43%", "number", N, "78.43", "%", {}),
    ("95.0%", "number", N, "95.0", "%", {}),
    ("9次", "number", N, "9", "次", {}),
    (" 200份", "number", N, "200", "份", {}),
    (">=10家", "number", ">=", "10", "家", {}),
    (">=12辆", "number", ">=", "12", "辆", {}),
    ("=1.50万元", "number", "=", "1.50", "万元", {}),
    ("2万", "number", N, "2", "万", {}),
    ("48小时", "number", N, "48", "小时", {}),
    ("5%", "number", N, "5", "%", {}),
    ("<=5%", "number", "<=", "5", "%", {}),
    (">=8天", "number", ">=", "8", "天", {}),
    ("有效降低", "qualitative", N, N, N, {"direction": "decrease"}),
    ("有效促进", "qualitative", N, N, N, {"direction": "increase"}),
    (" 85%", "number", N, "85", "%", {}),
    ("有效提高", "qualitative", N, N, N, {"direction": "increase"}),
    (">=6户", "number", ">=", "6", "户", {}),
    ("=10户", "number", "=", "10", "户", {}),
    (">=51%", "number", ">=", "51", "%", {}),
    ("15.829527", "number", N, "15.829527", N, {}),
    ("26.723927", "number", N, "26.723927", N, {}),
    ("48.89", "number", N, "48.89", N, {}),
    ("9.3031", "number", N, "9.3031", N, {}),
    ("达成预期指标", "qualitative", N, N, N, {"direction": N}),
    ("逐步提高", "qualitative", N, N, N, {"direction": "increase"}),
    ("有效提升", "qualitative", N, N, N, {"direction": "increase"}),
    ("达标", "qualitative", N, N, N, {"direction": N}),
    ("≥5", "number", ">=", "5", N, {}),
    ("≥350", "number", ">=", "350", N, {}),
    ("≤10%", "number", "<=", "10", "%", {}),
    ("12", "number", N, "12", N, {}),
    ("1", "number", N, "1", N, {}),
    ("0", "number", N, "0", N, {}),
    ("95.00", "number", N, "95.00", N, {}),
    ("100", "number", N, "100", N, {}),
    ("\u3000400", "number", N, "400", N, {}),
    ("19次", "number", N, "19", "次", {}),
    ("≥98%", "number", ">=", "98", "%", {}),
    ("2020年", "number", N, "2020", "年", {"date": N}),
    ("2021", "number", N, "2021", N, {"date": N}),
    # --- further forms the brief names -------------------------------------------
    ("会议服务每月大约35次，接待维稳工作每月大约8次", "compound", N, N, N,
     {"all_numbers": (D(35), D(8))}),
    (">>=5", "number", ">=", "5", N, {"malformed": ("doubled_symbol",)}),
    ("≥=95%", "number", ">=", "95", "%", {"malformed": ("doubled_symbol",)}),
    ("90％％", "number", N, "90", "%", {"malformed": ("doubled_symbol",)}),
    ("2020-12-10", "date", N, N, N, {"date": datetime.date(2020, 12, 10)}),
    ("2020年12月10日", "date", N, N, N, {"date": datetime.date(2020, 12, 10)}),
    ("2021年12月底前", "date", "<=", N, N, {"date": datetime.date(2021, 12, 31)}),
    ("2021年底前", "date", "<=", N, N, {"date": datetime.date(2021, 12, 31)}),
    ("2021年6月30日前", "date", "<=", N, N, {"date": datetime.date(2021, 6, 30)}),
    ("2021.1.1—2021.12.31", "date_range", N, N, N,
     {"date": datetime.date(2021, 1, 1), "end": datetime.date(2021, 12, 31)}),
    ("2021.1.1～2021.12.31", "date_range", N, N, N,
     {"date": datetime.date(2021, 1, 1), "end": datetime.date(2021, 12, 31)}),
    ("2021年1月1日至2021年12月31日", "date_range", N, N, N,
     {"date": datetime.date(2021, 1, 1), "end": datetime.date(2021, 12, 31)}),
    ("2021.1.1-12.31", "date_range", N, N, N,
     {"date": datetime.date(2021, 1, 1), "end": datetime.date(2021, 12, 31)}),
    ("2021年1月-2021年6月", "date_range", N, N, N,
     {"date": datetime.date(2021, 1, 1), "end": datetime.date(2021, 6, 30)}),
    ("完成时间：2021年12月前", "date", "<=", N, N,
     {"date": datetime.date(2021, 12, 31), "label": "完成时间"}),
    ("2021.2.30", "compound", N, N, N, {"malformed": ("invalid_date",)}),
    ("90%-95%", "compound", N, N, "%", {"all_numbers": (D(90), D(95))}),
    ("2000-3000", "compound", N, N, N, {"all_numbers": (D(2000), D(3000))}),
    ("不低于95%", "number", ">=", "95", "%", {}),
    ("满意度达到90%", "number", ">=", "90", "%", {"label": "满意度"}),
    ("控制在5%以内", "number", "<=", "5", "%", {}),
    ("3天内", "number", "<=", "3", "天", {}),
    ("1000人左右", "number", "~", "1000", "人", {}),
    ("50余次", "number", ">", "50", "次", {}),
    ("500元/人", "number", N, "500", "元/人", {}),
    ("每季度两次", "number", N, "2", "次/季度", {}),
    ("每年至少2次", "number", ">=", "2", "次/年", {}),
    ("两次", "number", N, "2", "次", {}),
    ("10支队伍以上", "number", ">=", "10", "支队伍", {}),
    ("1,234.56万元", "number", N, "1234.56", "万元", {}),
    ("100%完成", "number", N, "100", "%", {"malformed": ("trailing_text",)}),
    ("95%≥", "number", N, "95", "%", {"malformed": ("garbled",)}),
    ("<>5", "number", N, "5", N, {"malformed": ("garbled",)}),
    ("N/A", "na", N, N, N, {}),
    ("－", "na", N, N, N, {}),
    ("不降低", "qualitative", N, N, N, {"direction": "keep"}),
    ("—/—", "na", N, N, N, {}),
    ("≥≥", "qualitative", N, N, N, {"malformed": ("garbled",)}),
]


@pytest.mark.parametrize(("raw", "kind", "op", "number", "unit", "extra"), CASES)
def test_parse_value(
    raw: str, kind: str, op: str | None, number: str | None, unit: str | None, extra: dict
) -> None:
    q = parse_value(raw)
    assert q.raw == raw
    assert q.kind == kind
    assert q.op == op
    if number is None:
        assert q.number is None
    else:
        assert q.number == Decimal(number)
        assert str(q.number) == str(Decimal(number))  # the written exponent is kept
    assert q.unit == unit
    for field, value in extra.items():
        assert getattr(q, field) == value, field
    if "malformed" not in extra:
        assert q.malformed == ()


def test_real_strings_cover_the_brief() -> None:
    assert len(CASES) >= 70


def test_exact_decimals_never_floats() -> None:
    q = parse_value("95.00")
    assert isinstance(q.number, Decimal) and q.number.as_tuple().exponent == -2
    assert parse_value("=1.50万元").number.as_tuple().exponent == -2  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021.1.1-2021.12.31", [D(2021), D(1), D(1), D(2021), D(12), D(31)]),
        ("97×2", [D(97), D(2)]),
        ("完成39户结亲户6次慰问、51户住户4次慰问", [D(39), D(6), D(51), D(4)]),
        ("≥95%", [D(95)]),
        ("每月一次", [D(1)]),
        ("显著提高", []),
        ("", []),
    ],
)
def test_numbers(raw: str, expected: list[Decimal]) -> None:
    assert parse_value(raw).numbers() == expected


@pytest.mark.parametrize(
    ("raw", "quantitative"),
    [("≥95%", True), ("2020.7.6", True), ("2021.1.1-2021.12.31", True),
     ("完成39户结亲户6次慰问、51户住户4次慰问", True), ("", False), ("/", False),
     ("达标", False)],
)
def test_is_quantitative(raw: str, quantitative: bool) -> None:
    assert parse_value(raw).is_quantitative is quantitative


@pytest.mark.parametrize("raw", [c[0] for c in CASES] + [
    "\u00a085%\u00a0", "\t12\n次", "≥≥≥", "%%", "<<", "2021..12", "1,2,3", "x×X", "每月",
    "一二三", "2020.13.45-2021.99.99", "9" * 60, "十百千", "每月零次", "～", "—/—",
])
def test_raw_kept_and_never_raises(raw: str) -> None:
    q = parse_value(raw)
    assert isinstance(q, Quantity)
    assert q.raw == raw


def test_quantity_is_frozen() -> None:
    q = parse_value("≥95%")
    with pytest.raises(ValidationError):
        q.number = Decimal(1)  # type: ignore[misc]


# Operators seen in real forms of other provinces: full-width and look-alike signs, words.
@pytest.mark.parametrize(
    ("raw", "op", "number"),
    [
        ("≧95%", ">=", "95"), ("≦10万元", "<=", "10"), ("＝100%", "=", "100"), ("═100%", "=", "100"),
        ("﹦100%", "=", "100"), ("＞＝90%", ">=", "90"), ("＜＝5天", "<=", "5"), ("不少于20次", ">=", "20"),
        ("不多于3项", "<=", "3"), ("95%以上", ">=", "95"), ("588.50万元以内", "<=", "588.50"),
        ("控制在50万元", "<=", "50"), ("达到90%", ">=", "90"), ("1,234,567.89元", None, "1234567.89"),
    ],
)
def test_real_operators(raw: str, op: str | None, number: str) -> None:
    q = parse_value(raw)
    assert (q.kind, q.op, q.number) == ("number", op, Decimal(number)), raw


@pytest.mark.parametrize("raw", ["一", "/", "——", "无"])
def test_dash_like_cells_are_not_values(raw: str) -> None:
    """A lone 一 (a dash typed with the wrong key, 银川) reads like "—"."""
    assert parse_value(raw).kind == "na"
