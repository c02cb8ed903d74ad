"""The command line: parse arguments, make one library call, print, choose the exit code.

Exit codes: 0 clean (warnings allowed), 1 problems in the data, 2 wrong usage, an unusable
output folder or an incomplete installation, 3 a program error (details in output/error.log).
Everything it prints is Chinese, argparse's own texts included, and printing never fails,
whatever the console's encoding (a Windows pipe or redirect is GBK).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from . import __version__
from .batch import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    OutputError,
    UsageError,
    log_internal_error,
)
from .problems import Problem, Severity
from .resources import MissingResource
from .rules.rubric import RubricError

DESCRIPTION = "乡镇便民服务中心标准化等级评定：生成评分表模板、校验评分表、汇总排名并生成结果通报。"
EPILOG = "退出码：0 无错误（可能有警告）；1 数据有错误；2 用法、输出文件夹或安装有误；3 程序内部错误。"


def main(argv: list[str] | None = None) -> int:
    _safe_console()
    with chinese_argparse():
        parser = build_parser()
        args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except (UsageError, OutputError, MissingResource) as exc:
        print(f"错误：{printable(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except RubricError as exc:
        print(f"程序的评分标准文件有误，未读取任何评分表：\n{exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        print("\n已中断；输出文件夹中原有的结果未被改动。", file=sys.stderr)
        return 130
    except Exception as exc:  # the clerk never sees a traceback; the maintainer gets it in a file
        # run writes its log beside its outputs; other commands have no output folder of the
        # clerk's, so theirs goes to the system's temporary folder
        output = Path(args.output) if args.command == "run" else Path(tempfile.gettempdir()) / "processor"
        log = log_internal_error(output, f"processor {args.command}: {exc!r}")
        where = f"，详细信息已写入 {log}" if log else ""
        print(
            f"程序内部错误：{type(exc).__name__}: {printable(str(exc))}{where}。请把该文件发给维护人员。",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="processor", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="显示程序版本并退出"
    )
    commands = parser.add_subparsers(dest="command", metavar="命令", title="命令")

    p = commands.add_parser(
        "template", help="根据评分标准生成空白评分表和两张汇总用表", description=_template.__doc__
    )
    p.add_argument("--output", type=Path, default=Path("templates"), help="写入的文件夹（默认 templates）")
    p.set_defaults(handler=_template)

    p = commands.add_parser(
        "check", help="只校验，不发布结果（一个文件夹，或一个或多个评分表）", description=_check.__doc__
    )
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path("input")],
        metavar="文件夹或评分表",
        help="文件夹或评分表文件（默认 input）",
    )
    p.set_defaults(handler=_check)

    p = commands.add_parser(
        "issue", help="按乡镇名单为每个乡镇生成已填好乡镇名称的评分表", description=_issue.__doc__
    )
    p.add_argument("roster", type=Path, metavar="乡镇名单", help="乡镇名单（含“乡镇”列的表格，或办件数量表）")
    p.add_argument("--output", type=Path, default=Path("issued"), help="写入的文件夹（默认 issued）")
    p.set_defaults(handler=_issue)

    p = commands.add_parser(
        "run", help="校验全部输入，无错误时汇总、排名、定级并生成通报", description=_run.__doc__
    )
    p.add_argument("--input", type=Path, default=Path("input"), help="输入文件夹（默认 input）")
    p.add_argument("--output", type=Path, default=Path("output"), help="输出文件夹（默认 output）")
    p.add_argument(
        "--no-pdf",
        dest="pdf",
        action="store_false",
        help="不生成通报的PDF（省去启动浏览器的一两秒；HTML照常生成）",
    )
    p.set_defaults(handler=_run)
    return parser


def _template(args) -> int:
    """根据评分标准生成空白评分表、办件数量表和通报批评记录表。"""
    from .forms.blank import write_templates
    from .rules.rubric import load_rubric
    from .rules.settings import load_settings

    settings, problems = load_settings()
    if settings is None:
        print_problems(problems)
        return EXIT_INTERNAL
    notes: list[str] = []
    written = write_templates(load_rubric(), settings, args.output, notes)
    _print_notes(notes)
    for path in written:
        print(f"已生成 {printable(str(path))}")
    return EXIT_OK


def _issue(args) -> int:
    """按乡镇名单为每个乡镇生成一份评分表：乡镇名称已填好并锁定，文件以乡镇命名，避免现场写错名称。
    名单可以是含“乡镇”列的表格，也可以是办件数量表（其中的派出所不生成评分表）。"""
    from .forms.issue import issue_sheets
    from .inputs.roster import read_roster
    from .rules.rubric import load_rubric
    from .xlsx import ReadError, read_bytes

    if not args.roster.is_file():
        raise UsageError(f"找不到乡镇名单 {args.roster}")
    try:
        names, problems = read_roster(read_bytes(args.roster), args.roster.name)
    except ReadError as exc:
        names, problems = [], [exc.problem(args.roster.name)]
    print_problems(problems)
    if any(p.is_error for p in problems):
        print("名单有错误，未生成评分表。")
        return EXIT_PROBLEMS
    notes: list[str] = []
    written = issue_sheets(names, args.output, load_rubric(), notes, roster=args.roster)
    _print_notes(notes)
    for path in written:
        print(f"已生成 {printable(str(path))}")
    return EXIT_OK


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        print(f"说明：{printable(note)}。")


def _check(args) -> int:
    """校验评分表：给一个文件夹时按一轮评定整体校验（含办件数量表和通报批评记录表），
    给文件时只校验这些评分表。只报告问题，不生成结果。"""
    from .batch import check

    outcome = check(args.paths, progress=_progress)
    round_ = outcome.round
    print_problems(round_.problems)
    print(f"已检查评分表{len(round_.sheets)}份。{_summary(round_.problems)}")
    if round_.roster:
        from .inputs.crosscheck import returns

        print(f"回收情况（名单共{len(round_.roster)}个乡镇）：")
        for status, names in returns(round_).items():
            print(f"  {status}{len(names)}个：{printable('、'.join(names)) or '无'}")
    return outcome.exit_code


def _run(args) -> int:
    """校验输入文件夹中的全部评分表、办件数量表和通报批评记录表；全部无错误时，
    计算得分、排名、等级和绩效加分，生成汇总表和结果通报。有错误时只生成问题清单。"""
    from .batch import run

    outcome = run(args.input, args.output, pdf=args.pdf, progress=_progress)
    round_ = outcome.round
    listed = round_.problems + [n for n in outcome.notes if n.severity is not Severity.INFO]
    print_problems(listed)
    print(_summary(listed))
    if outcome.published:
        print(f"已汇总{len(round_.sheets)}个乡镇，结果已发布：")
    else:
        print(
            "有错误，未发布结果（汇总表和通报）；输出文件夹中原有的结果未被改动。请按问题清单改正后重新运行："
        )
    for path in outcome.written:
        print(f"  {printable(str(path))}")
    for note in outcome.notes:
        if note.severity is Severity.INFO:
            print(f"说明：{printable(note.message)}。")
    return outcome.exit_code


def _progress(done: int, total: int) -> None:
    """Sheets read so far, on one terminal line (only on a terminal: logs stay clean)."""
    if sys.stderr.isatty():
        end = "\n" if done >= total else ""
        print(f"\r已读取评分表 {done}/{total}", end=end, file=sys.stderr, flush=True)


def _summary(problems: list[Problem]) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    if not problems:
        return "未发现问题。"
    return f"发现错误{errors}个、警告{warnings}个。"


def _safe_console() -> None:
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
