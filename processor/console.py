"""What the command line prints, and how: Chinese throughout (argparse's own texts included), a
problem table that lines up Chinese text, and printing that never fails, whatever the console's
encoding (a Windows pipe or redirect is GBK) or the input's names (an ESC, a bidi override)."""

from __future__ import annotations

import argparse
import contextlib
import sys
import unicodedata
from collections.abc import Iterator

from .problems import Problem, Severity

# argparse's own texts (Python 3.11 to 3.13), in Chinese. A text not listed stays as argparse
# wrote it; tests/test_cli.py checks that the usual ones are covered.
ARGPARSE_TEXTS = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "subcommands": "命令",
    "%(heading)s:": "%(heading)s：",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示程序版本并退出",
    " (default: %(default)s)": "（默认：%(default)s）",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n请运行 %(prog)s --help 查看用法。\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s：警告：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是：%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的值 %r",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "unexpected option string: %s": "意外的选项：%s",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r（可选：%(choices)s）",
    "cannot have multiple subparser arguments": "只能给出一个命令",
}
ARGPARSE_PLURALS = {"expected %s argument": "需要 %s 个值", "expected %s arguments": "需要 %s 个值"}


@contextlib.contextmanager
def chinese_argparse() -> Iterator[None]:
    """argparse looks its texts up through ``argparse._`` (gettext) when it builds a parser and
    when it reports; while ours is built and parses, the lookup answers in Chinese."""
    saved = argparse._, argparse.ngettext
    argparse._ = lambda text: ARGPARSE_TEXTS.get(text, text)
    argparse.ngettext = lambda one, many, n: ARGPARSE_PLURALS.get(one if n == 1 else many, many)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def progress(done: int, total: int) -> None:
    """Sheets read so far, on one terminal line (only on a terminal: logs stay clean)."""
    if sys.stderr.isatty():
        end = "\n" if done >= total else ""
        print(f"\r已读取评分表 {done}/{total}", end=end, file=sys.stderr, flush=True)


def summary(problems: list[Problem]) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    if not problems:
        return "未发现问题。"
    return f"发现错误{errors}个、警告{warnings}个。"


def safe_console() -> None:
    """Characters the console cannot show are replaced, never an error: a GBK console (a Windows
    pipe or redirect) cannot encode "✓" or an emoji from a file name."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="replace")


# Bidirectional overrides reorder what a terminal shows (U+202A-202E, U+2066-2069, marks).
_BIDI = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C])


def printable(text: str) -> str:
    """Text from the input as it may be printed: control characters (an ESC that would start a
    terminal sequence, a carriage return that would overwrite the line), line separators and
    bidirectional overrides are shown as escapes, never sent raw."""
    if text.isprintable():
        return text
    return "".join(_escape(ch) if _unsafe(ch) else ch for ch in text)


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ord(ch) in _BIDI


def _escape(ch: str) -> str:
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def print_problems(problems: list[Problem]) -> None:
    if not problems:
        return
    rows = [
        tuple(
            printable(text)
            for text in (
                p.severity.value,
                p.file or "-",
                p.where or "-",
                p.item or "-",
                f"{p.message}。{p.fix}。",
            )
        )
        for p in problems
    ]
    head = ("级别", "文件", "位置", "编号", "问题及处理办法")
    widths = [max(_width(r[i]) for r in [*rows, head]) for i in range(4)]
    for row in [head, *rows]:
        print("  ".join(_pad(cell, w) for cell, w in zip(row[:4], widths, strict=True)) + "  " + row[4])
