"""argparse in Simplified Chinese: usage, help headings and error messages.

argparse looks its messages up through ``gettext`` at the moment it needs them;
``ChineseParser`` puts a Chinese table in place of that look-up while it builds, parses
and prints, and restores it after, so nothing else in the process is touched. Errors end
in exit status 2 with one Chinese line, as before. Option values get Chinese checks too
(``decimal_value``, ``port_number``): a bad value is a message, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any, NoReturn, TypeVar

ZH: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n（用 %(prog)s -h 查看用法）\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项值 %(value)r（可选：%(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有子命令 %(parser_name)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "必须指定以下参数之一：%s",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "ignored explicit argument %r": "多余的值 %r",
    "unexpected option string: %s": "意外的选项：%s",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}


def _zh(message: str) -> str:
    return ZH.get(message, message)


def _zh_plural(singular: str, plural: str, n: int) -> str:
    return _zh(singular if n == 1 else plural)


@contextlib.contextmanager
def chinese() -> Iterator[None]:
    """argparse's messages in Chinese for the duration of the block."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _zh, _zh_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


F = TypeVar("F", bound=Callable[..., Any])


def _in_chinese(method: F) -> F:
    @wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with chinese():
            return method(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage, help and errors are in Chinese (subparsers too)."""

    @_in_chinese
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    add_argument = _in_chinese(argparse.ArgumentParser.add_argument)
    parse_known_args = _in_chinese(argparse.ArgumentParser.parse_known_args)  # type: ignore[assignment]
    parse_args = _in_chinese(argparse.ArgumentParser.parse_args)  # type: ignore[assignment]
    format_usage = _in_chinese(argparse.ArgumentParser.format_usage)
    format_help = _in_chinese(argparse.ArgumentParser.format_help)

    @_in_chinese
    def error(self, message: str) -> NoReturn:
        super().error(message)


def decimal_value(text: str) -> Decimal:
    """A non-negative finite number for a tolerance option."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        raise argparse.ArgumentTypeError(f"“{text}”不是数字，请写成如 0.01 的形式") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"“{text}”不是有效的容差，应为不小于0的数字")
    return value


def choice_list(choices: list[str]) -> Callable[[str], list[str]]:
    """A comma-separated list of some of ``choices`` (``html,xlsx``), each once."""

    def parse(text: str) -> list[str]:
        items = [t.strip().lower() for t in text.replace("，", ",").split(",") if t.strip()]
        bad = [t for t in items if t not in choices]
        if bad or not items:
            raise argparse.ArgumentTypeError(
                f"不支持的格式“{'、'.join(bad) or text}”，可选：{'、'.join(choices)}（多种用逗号分隔）"
            )
        return list(dict.fromkeys(items))

    return parse


def positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}")
    return n


def positive_float(text: str) -> float:
    try:
        n = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正数（秒）：{text}") from None
    if not n > 0 or n == float("inf"):
        raise argparse.ArgumentTypeError(f"应为正数（秒）：{text}")
    return n


def memory_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"内存上限应写成如 2G、512M 或 0：{text}")
    unit = {"": 1024**2, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}[m.group(2).lower()]
    n = int(float(m.group(1)) * unit)
    if 0 < n < 64 * 1024**2:
        raise argparse.ArgumentTypeError(f"内存上限太小（至少 64M）：{text}")
    return n


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是端口号，应为1到65535之间的整数") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"“{text}”不是端口号，应为1到65535之间的整数")
    return port


def version_text() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"auditor {version('auditor')}"
    except PackageNotFoundError:
        return "auditor（未安装，从源码运行）"
